/** The Market Data API v2 stock routes, served on the same port as trading. */
import { etInstant, etParts } from './calendar';
import { paramOf, parseIntParam, parseTime, queryOf, symbolsParam, type RouteHandler } from './http';
import type { SimBar, SimQuote, SimTrade } from './market';
import { invalid, notFound, SimError } from './sim-error';
import type { SimState } from './state';
import type { Register } from './trading-routes';
import type { SimAsset } from './universe';
import { barJson, quoteJson, tradeJson } from './wire';

/** A bar timeframe: `minutes` for intraday and daily bars (1440 = one per session), or week and month bars. */
export type Timeframe = { unit: 'minute'; minutes: number } | { unit: 'week' | 'month'; count: number };

/** `[1-59]Min|T`, `[1-23]Hour|H`, `1Day|D`, `1Week|W`, `[1,2,3,4,6,12]Month|M`, as the spec lists them. */
export function parseTimeframe(tf: string | undefined): Timeframe {
  const m = /^(\d+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$/.exec(tf ?? '');
  if (!m) throw new SimError(400, 40010001, `invalid timeframe: ${tf ?? ''}`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 'Min': case 'T': if (n >= 1 && n <= 59) return { unit: 'minute', minutes: n }; break;
    case 'Hour': case 'H': if (n >= 1 && n <= 23) return { unit: 'minute', minutes: n * 60 }; break;
    case 'Day': case 'D': if (n === 1) return { unit: 'minute', minutes: 1440 }; break;
    case 'Week': case 'W': if (n === 1) return { unit: 'week', count: 1 }; break;
    default: if ([1, 2, 3, 4, 6, 12].includes(n)) return { unit: 'month', count: n };
  }
  throw new SimError(400, 40010001, `invalid timeframe: ${tf ?? ''}`);
}

/** Prices are in US dollars; `currency` other than USD is refused rather than silently ignored. */
function checkCurrency(q: Record<string, string | undefined>): void {
  const c = q.currency;
  if (c === undefined || c === '' || c.toUpperCase() === 'USD') return;
  throw invalid(`invalid currency: ${c} (the simulator quotes prices in USD only)`);
}

/** One symbol's points of a paged series in [from, end], at most `limit`, and their wire shape. */
interface Series {
  points(state: SimState, a: SimAsset, from: number, end: number, limit: number, now: number): Array<{ t: number }>;
  json(point: never, a: SimAsset): unknown;
}

export function registerDataRoutes(register: Register, state: SimState): void {
  const { market, universe } = state;
  const route: Register = (method, url, handler) => register(method, url, (req, reply) => {
    checkCurrency(queryOf(req));
    return handler(req, reply);
  });
  const barSeries = (q: Record<string, string | undefined>): Series => {
    const tf = parseTimeframe(q.timeframe);
    return {
      points: (st, a, from, end, limit, t) => (tf.unit === 'minute'
        ? st.market.bars(a.symbol, tf.minutes, from, end, limit, t)
        : st.market.periodBars(a.symbol, tf.unit, tf.count, from, end, limit, t)),
      json: (b: SimBar) => barJson(b),
    } as Series;
  };
  const quoteSeries = {
    points: (st, a, from, end, limit, t) => st.market.tickTimes(from, end, limit, t).map((at) => ({ ...st.market.quote(a.symbol, at), t: at })),
    json: (x: SimQuote, a: SimAsset) => quoteJson(x, a.exchange),
  } as Series;
  const tradeSeries = {
    points: (st, a, from, end, limit, t) => st.market.tickTimes(from, end, limit, t).map((at) => ({ ...st.market.trade(a.symbol, at), t: at })),
    json: (x: SimTrade, a: SimAsset) => tradeJson(x, a.exchange),
  } as Series;
  const multi = (key: string, series: (q: Record<string, string | undefined>) => Series): RouteHandler => (req) => {
    const q = queryOf(req);
    const assets = known(symbolsParam(q.symbols)).sort((x, y) => x.symbol.localeCompare(y.symbol));
    const { points, next } = collectSeries(state, series(q), assets, q);
    return { body: { [key]: points, next_page_token: next } };
  };
  const one = (key: string, series: (q: Record<string, string | undefined>) => Series): RouteHandler => (req) => {
    const a = single(paramOf(req, 'symbol'));
    const q = queryOf(req);
    const { points, next } = collectSeries(state, series(q), [a], q);
    return { body: { symbol: a.symbol, [key]: points[a.symbol] ?? [], next_page_token: next } };
  };
  const now = () => state.time.now();

  const known = (symbols: string[]): SimAsset[] => {
    if (symbols.length === 0) throw new SimError(400, 40010001, 'missing symbols');
    return symbols.map((s) => universe.find(s)).filter((a): a is SimAsset => !!a && symbols.includes(a.symbol));
  };
  const single = (symbol: string): SimAsset => {
    const asset = universe.find(symbol);
    if (!asset || asset.symbol !== symbol.toUpperCase()) throw notFound(`symbol not found: ${symbol}`);
    return asset;
  };
  const snapshot = (a: SimAsset, t: number) => {
    const daily = market.dailyBar(a.symbol, t) ?? market.previousDailyBar(a.symbol, t);
    return {
      latestTrade: tradeJson(market.trade(a.symbol, t), a.exchange),
      latestQuote: quoteJson(market.quote(a.symbol, t), a.exchange),
      minuteBar: barJson(market.minuteBar(a.symbol, t)),
      dailyBar: barJson(daily),
      prevDailyBar: barJson(market.previousDailyBar(a.symbol, daily.t)),
    };
  };

  route('GET', '/v2/stocks/trades/latest', (req) => {
    const t = now();
    const trades: Record<string, unknown> = {};
    for (const a of known(symbolsParam(queryOf(req).symbols))) trades[a.symbol] = tradeJson(market.trade(a.symbol, t), a.exchange);
    return { body: { trades } };
  });

  route('GET', '/v2/stocks/quotes/latest', (req) => {
    const t = now();
    const quotes: Record<string, unknown> = {};
    for (const a of known(symbolsParam(queryOf(req).symbols))) quotes[a.symbol] = quoteJson(market.quote(a.symbol, t), a.exchange);
    return { body: { quotes } };
  });

  route('GET', '/v2/stocks/bars/latest', (req) => {
    const t = now();
    const bars: Record<string, unknown> = {};
    for (const a of known(symbolsParam(queryOf(req).symbols))) bars[a.symbol] = barJson(market.minuteBar(a.symbol, t));
    return { body: { bars } };
  });

  route('GET', '/v2/stocks/snapshots', (req) => {
    const t = now();
    const out: Record<string, unknown> = {};
    for (const a of known(symbolsParam(queryOf(req).symbols))) out[a.symbol] = snapshot(a, t);
    return { body: out };
  });

  route('GET', '/v2/stocks/bars', multi('bars', barSeries));
  route('GET', '/v2/stocks/quotes', multi('quotes', () => quoteSeries));
  route('GET', '/v2/stocks/trades', multi('trades', () => tradeSeries));
  route('GET', '/v2/stocks/:symbol/bars', one('bars', barSeries));
  route('GET', '/v2/stocks/:symbol/quotes', one('quotes', () => quoteSeries));
  route('GET', '/v2/stocks/:symbol/trades', one('trades', () => tradeSeries));

  route('GET', '/v2/stocks/:symbol/trades/latest', (req) => {
    const a = single(paramOf(req, 'symbol'));
    return { body: { symbol: a.symbol, trade: tradeJson(market.trade(a.symbol, now()), a.exchange) } };
  });

  route('GET', '/v2/stocks/:symbol/quotes/latest', (req) => {
    const a = single(paramOf(req, 'symbol'));
    return { body: { symbol: a.symbol, quote: quoteJson(market.quote(a.symbol, now()), a.exchange) } };
  });

  route('GET', '/v2/stocks/:symbol/bars/latest', (req) => {
    const a = single(paramOf(req, 'symbol'));
    return { body: { symbol: a.symbol, bar: barJson(market.minuteBar(a.symbol, now())) } };
  });

  route('GET', '/v2/stocks/:symbol/snapshot', (req) => {
    const a = single(paramOf(req, 'symbol'));
    return { body: { symbol: a.symbol, ...snapshot(a, now()) } };
  });
}

/** Points sorted by symbol then time, `limit` in total, with an opaque page token `symbol|lastStartMs`. */
function collectSeries(state: SimState, series: Series, assets: SimAsset[], q: Record<string, string | undefined>) {
  const t = state.time.now();
  const limit = parseIntParam(q.limit, 'limit') ?? 1000;
  if (limit < 1 || limit > 10_000) throw invalid('limit must be between 1 and 10000');
  const start = parseTime(q.start, 'start') ?? etInstant(etParts(t).date, 0, 0);
  const end = parseTime(q.end, 'end') ?? t;
  if (q.sort !== undefined && q.sort !== 'asc' && q.sort !== 'desc') throw invalid(`invalid sort: ${q.sort}`);
  let resumeSymbol: string | null = null;
  let resumeAfter = -Infinity;
  if (q.page_token) {
    const decoded = Buffer.from(q.page_token, 'base64url').toString('utf8').split('|');
    resumeSymbol = decoded[0] ?? null;
    resumeAfter = Number(decoded[1]);
    if (!resumeSymbol || !Number.isFinite(resumeAfter)) throw invalid('invalid page_token');
  }
  const points: Record<string, unknown[]> = {};
  let count = 0;
  let next: string | null = null;
  for (const a of assets) {
    if (resumeSymbol && a.symbol < resumeSymbol) continue;
    const from = resumeSymbol === a.symbol ? Math.max(start, resumeAfter + 1) : start;
    const found = series.points(state, a, from, end, limit - count + 1, t);
    const take = found.slice(0, limit - count);
    if (take.length > 0) points[a.symbol] = take.map((p) => series.json(p as never, a));
    count += take.length;
    if (found.length > take.length || (count >= limit && a !== assets[assets.length - 1])) {
      const last = take[take.length - 1];
      next = last ? Buffer.from(`${a.symbol}|${last.t}`).toString('base64url')
        : Buffer.from(`${a.symbol}|${from - 1}`).toString('base64url');
      break;
    }
  }
  if (q.sort === 'desc') for (const k of Object.keys(points)) points[k]?.reverse();
  return { points, next };
}
