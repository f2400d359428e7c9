/** The Market Data API v2 stock routes, served on the same port as trading. */
import { etInstant, etParts } from './calendar';
import { paramOf, parseIntParam, parseTime, queryOf, symbolsParam } from './http';
import { invalid, notFound, SimError } from './sim-error';
import type { SimState } from './state';
import type { Register } from './trading-routes';
import type { SimAsset } from './universe';
import { barJson, quoteJson, tradeJson } from './wire';

/** Minutes per bar for `[1-59]Min|T`, `[1-23]Hour|H`, `1Day|D`; week and month bars are not simulated. */
export function timeframeMinutes(tf: string | undefined): number {
  const m = /^(\d+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$/.exec(tf ?? '');
  if (!m) throw new SimError(400, 40010001, `invalid timeframe: ${tf ?? ''}`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 'Min': case 'T': if (n >= 1 && n <= 59) return n; break;
    case 'Hour': case 'H': if (n >= 1 && n <= 23) return n * 60; break;
    case 'Day': case 'D': if (n === 1) return 1440; break;
    default: throw invalid(`timeframe ${tf ?? ''} is not supported by the simulator`);
  }
  throw new SimError(400, 40010001, `invalid timeframe: ${tf ?? ''}`);
}

export function registerDataRoutes(route: Register, state: SimState): void {
  const { market, universe } = state;
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

  route('GET', '/v2/stocks/bars', (req) => {
    const q = queryOf(req);
    const assets = known(symbolsParam(q.symbols)).sort((x, y) => x.symbol.localeCompare(y.symbol));
    const { bars, next } = collectBars(state, assets, q);
    return { body: { bars, next_page_token: next } };
  });

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

  route('GET', '/v2/stocks/:symbol/bars', (req) => {
    const a = single(paramOf(req, 'symbol'));
    const { bars, next } = collectBars(state, [a], queryOf(req));
    return { body: { symbol: a.symbol, bars: bars[a.symbol] ?? [], next_page_token: next } };
  });
}

/** Bars sorted by symbol then time, `limit` in total, with an opaque page token `symbol|lastStartMs`. */
function collectBars(state: SimState, assets: SimAsset[], q: Record<string, string | undefined>) {
  const t = state.time.now();
  const minutes = timeframeMinutes(q.timeframe);
  const limit = parseIntParam(q.limit, 'limit') ?? 1000;
  if (limit < 1 || limit > 10_000) throw invalid('limit must be between 1 and 10000');
  const start = parseTime(q.start, 'start') ?? etInstant(etParts(t).date, 0, 0);
  const end = parseTime(q.end, 'end') ?? t;
  let resumeSymbol: string | null = null;
  let resumeAfter = -Infinity;
  if (q.page_token) {
    const decoded = Buffer.from(q.page_token, 'base64url').toString('utf8').split('|');
    resumeSymbol = decoded[0] ?? null;
    resumeAfter = Number(decoded[1]);
    if (!resumeSymbol || !Number.isFinite(resumeAfter)) throw invalid('invalid page_token');
  }
  const bars: Record<string, unknown[]> = {};
  let count = 0;
  let next: string | null = null;
  for (const a of assets) {
    if (resumeSymbol && a.symbol < resumeSymbol) continue;
    const from = resumeSymbol === a.symbol ? Math.max(start, resumeAfter + 1) : start;
    const series = state.market.bars(a.symbol, minutes, from, end, limit - count + 1, t);
    const take = series.slice(0, limit - count);
    if (take.length > 0) bars[a.symbol] = take.map(barJson);
    count += take.length;
    if (series.length > take.length || (count >= limit && a !== assets[assets.length - 1])) {
      const last = take[take.length - 1];
      next = last ? Buffer.from(`${a.symbol}|${last.t}`).toString('base64url')
        : Buffer.from(`${a.symbol}|${from - 1}`).toString('base64url');
      break;
    }
  }
  if (q.sort === 'desc') for (const k of Object.keys(bars)) bars[k]?.reverse();
  return { bars, next };
}
