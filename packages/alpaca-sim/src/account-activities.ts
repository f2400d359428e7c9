/**
 * Alpaca's account activities endpoint, `GET /v2/account/activities[/:type]` (the account's FILL executions), and
 * `GET /v2/account/portfolio/history`. History is rebuilt from the fills: cash and holdings at any instant follow
 * from the executions before it, valued at the market model's price then.
 */
import { addDays, etInstant, etParts, isTradingDay } from './calendar';
import type { SimAccount, SimFill } from './records';
import { paramOf, parseIntParam, parseTime, queryOf, type Query } from './http';
import type { Market } from './market';
import { invalid } from './sim-error';
import type { SimState } from './state';
import type { Register } from './trading-routes';
import { keyOf } from './trading-routes';
import { fillActivityJson } from './wire';

/** The spec's `ActivityType` enum; the simulator records only FILL, the others list empty. */
export const ACTIVITY_TYPES = [
  'FILL', 'TRANS', 'MISC', 'ACATC', 'ACATS', 'CFEE', 'CGD', 'CSD', 'CSW', 'DIV', 'DIVCGL', 'DIVCGS', 'DIVFEE', 'DIVFT',
  'DIVNRA', 'DIVROC', 'DIVTW', 'DIVTXEX', 'FEE', 'INT', 'INTNRA', 'INTTW', 'JNL', 'JNLC', 'JNLS', 'MA', 'NC', 'OPASN',
  'OPCA', 'OPCSH', 'OPEXC', 'OPEXP', 'OPTRD', 'PTC', 'PTR', 'REORG', 'SPIN', 'SPLIT', 'FOPT',
] as const;

const DAY_MS = 86_400_000;

export function registerActivityRoutes(route: Register, state: SimState): void {
  const { engine } = state;
  const now = () => state.time.now();

  route('GET', '/v2/account/activities', (req) => {
    const q = queryOf(req);
    const types = (q.activity_types ?? '').split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
    for (const t of types) if (!(ACTIVITY_TYPES as readonly string[]).includes(t)) throw invalid(`invalid activity_types: ${t}`);
    if (q.category !== undefined && q.category !== 'trade_activity' && q.category !== 'non_trade_activity') {
      throw invalid(`invalid category: ${q.category}`);
    }
    const wantsFills = (types.length === 0 || types.includes('FILL')) && q.category !== 'non_trade_activity';
    const t = now();
    const fills = wantsFills ? engine.fillsOf(engine.account(keyOf(req.headers), t)) : [];
    return { body: page(fills, q).map(fillActivityJson) };
  });

  route('GET', '/v2/account/activities/:activity_type', (req) => {
    const type = paramOf(req, 'activity_type').toUpperCase();
    if (!(ACTIVITY_TYPES as readonly string[]).includes(type)) throw invalid(`invalid activity_type: ${type}`);
    const t = now();
    const fills = type === 'FILL' ? engine.fillsOf(engine.account(keyOf(req.headers), t)) : [];
    return { body: page(fills, queryOf(req)).map(fillActivityJson) };
  });

  route('GET', '/v2/account/portfolio/history', (req) => {
    const t = now();
    const a = engine.account(keyOf(req.headers), t);
    return { body: portfolioHistory(a, engine.fillsOf(a), state.market, queryOf(req), t) };
  });
}

/** Filters by date/after/until, orders by direction (default desc) and pages by `page_token` (an activity id). */
function page(fills: readonly SimFill[], q: Query): SimFill[] {
  const direction = q.direction ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') throw invalid(`invalid direction: ${direction}`);
  const size = parseIntParam(q.page_size, 'page_size') ?? 100;
  if (size < 1 || size > 100) throw invalid('page_size must be between 1 and 100');
  const after = parseTime(q.after, 'after');
  const until = parseTime(q.until, 'until');
  const date = q.date ? etDate(q.date) : null;
  let list = fills.filter((f) => (after === undefined || f.transactionTime > after)
    && (until === undefined || f.transactionTime < until)
    && (date === null || etParts(f.transactionTime).date === date));
  if (direction === 'desc') list = [...list].reverse();
  if (q.page_token) {
    const i = list.findIndex((f) => f.id === q.page_token);
    if (i < 0) throw invalid('invalid page_token');
    list = list.slice(i + 1);
  }
  return list.slice(0, size);
}

function etDate(value: string): string {
  const m = /^\d{4}-\d{2}-\d{2}$/.exec(value);
  if (m) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`invalid date: ${value}`);
  return etParts(ms).date;
}

const TIMEFRAME_MINUTES: Record<string, number> = { '1Min': 1, '5Min': 5, '15Min': 15, '1H': 60, '1D': 1440 };

/** `1D`, `2W`, `3M`, `1A` → days. */
function periodDays(period: string): number {
  const m = /^(\d+)([DWMA])$/.exec(period);
  if (!m) throw invalid(`invalid period: ${period}`);
  const n = Number(m[1]);
  if (n < 1) throw invalid(`invalid period: ${period}`);
  return n * ({ D: 1, W: 7, M: 30, A: 365 } as Record<string, number>)[m[2] ?? 'D']!;
}

/** `GET /v2/account/portfolio/history`: parallel arrays of equity and P&L per timeframe step. */
export function portfolioHistory(
  a: SimAccount, fills: readonly SimFill[], market: Market, q: Query, now: number,
): Record<string, unknown> {
  const explicitStart = parseTime(q.start, 'start');
  const explicitEnd = parseTime(q.end, 'end');
  if (q.period !== undefined && explicitStart !== undefined && explicitEnd !== undefined) {
    throw invalid('only two of start, end and period can be specified');
  }
  const end = Math.min(explicitEnd ?? now, now);
  const days = q.period !== undefined ? periodDays(q.period)
    : explicitStart !== undefined ? Math.max(1, Math.ceil((end - explicitStart) / DAY_MS)) : 30;
  const start = explicitStart ?? end - days * DAY_MS;
  if (start > end) throw invalid('start must be before end');
  const timeframe = q.timeframe ?? (days < 7 ? '1Min' : days < 30 ? '15Min' : '1D');
  const minutes = TIMEFRAME_MINUTES[timeframe];
  if (minutes === undefined) throw invalid(`invalid timeframe: ${timeframe}`);
  if (minutes < 1440 && (end - start) > 30 * DAY_MS + 1) throw invalid('intraday timeframes are limited to 30 days');
  const reporting = q.intraday_reporting ?? 'market_hours';
  if (!['market_hours', 'extended_hours', 'continuous'].includes(reporting)) throw invalid(`invalid intraday_reporting: ${reporting}`);
  const pnlReset = q.pnl_reset ?? 'per_day';
  if (pnlReset !== 'per_day' && pnlReset !== 'no_reset') throw invalid(`invalid pnl_reset: ${pnlReset}`);

  const valueAt = equityAt(a, fills, market);
  const points: number[] = [];
  for (let d = etParts(start).date; d <= etParts(end).date; d = addDays(d, 1)) {
    if (!isTradingDay(d) && reporting !== 'continuous') continue;
    if (minutes === 1440) {
      const midnight = etInstant(d, 0, 0);
      if (midnight + DAY_MS > start) points.push(midnight);
      continue;
    }
    const [from, to] = reporting === 'market_hours' ? [9 * 60 + 30, 16 * 60] : reporting === 'extended_hours' ? [4 * 60, 20 * 60] : [0, 24 * 60];
    for (let m = from; m < to; m += minutes) {
      const at = etInstant(d, Math.floor(m / 60), m % 60);
      if (at >= start && at <= end) points.push(at);
    }
    if (points.length > 20_000) throw invalid('too many data points: narrow the range or widen the timeframe');
  }
  // Daily points are valued at that day's close (or now, for today).
  const valuedAt = (p: number) => (minutes === 1440 ? Math.min(etInstant(etParts(p).date, 16, 0), now) : p);
  const equity = points.map((p) => round2(valueAt(valuedAt(p))));
  const firstDay = points[0] === undefined ? etParts(end).date : etParts(points[0]).date;
  const baseAt = (day: string) => etInstant(day, 0, 0) - 1;
  const baseValue = round2(valueAt(previousClose(firstDay, baseAt(firstDay))));
  const perDay = minutes < 1440 && pnlReset === 'per_day';
  const bases = points.map((p) => (perDay ? round2(valueAt(previousClose(etParts(p).date, baseAt(etParts(p).date)))) : baseValue));
  const profitLoss = equity.map((e, i) => round2(e - (bases[i] ?? baseValue)));
  return {
    timestamp: points.map((p) => Math.floor(p / 1000)),
    equity,
    profit_loss: profitLoss,
    profit_loss_pct: profitLoss.map((pl, i) => {
      const b = bases[i] ?? baseValue;
      return b === 0 ? 0 : Math.round((pl / b) * 1e6) / 1e6;
    }),
    base_value: baseValue,
    base_value_asof: firstDay,
    timeframe,
    cashflow: {},
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The close of the last trading day before `day`, or the instant given when none is found nearby. */
function previousClose(day: string, fallback: number): number {
  let d = addDays(day, -1);
  for (let i = 0; i < 15; i++, d = addDays(d, -1)) if (isTradingDay(d)) return etInstant(d, 16, 0);
  return fallback;
}

/** Equity at an instant: starting cash less the cost of executions before it, plus holdings at that instant's price. */
function equityAt(a: SimAccount, fills: readonly SimFill[], market: Market): (at: number) => number {
  return (at: number) => {
    let cash = a.initialEquity;
    const holdings = new Map<string, number>();
    for (const f of fills) {
      if (f.transactionTime > at) break;
      const signed = f.side === 'buy' ? f.qty : -f.qty;
      cash -= signed * f.price;
      holdings.set(f.symbol, (holdings.get(f.symbol) ?? 0) + signed);
    }
    let value = cash;
    for (const [symbol, qty] of holdings) if (Math.abs(qty) > 1e-9) value += qty * market.last(symbol, at);
    return value;
  };
}
