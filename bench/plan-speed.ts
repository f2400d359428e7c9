/**
 * How fast a day is planned at scale: a 500-symbol universe with a year of daily bars (synthetic, seeded, with
 * sector factors so correlation groups exist), 120 held positions, 60 open orders and a signal for every symbol.
 * Times the statistics (returns, volatility, covariance, correlation) and planDay (sizing, rebalancing, every risk
 * check) separately, median of several runs, and reports memory.
 *
 *   npm run bench:plan
 *   node --import tsx bench/plan-speed.ts --symbols 500 --days 252 --runs 9 --method volatility_target
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createRng } from 'alpaca-sim';
import { executionConfigSchema } from '../src/config-schema';
import { planDay, type PlanInput } from '../src/domain/plan';
import { marketStats, type DailyBar } from '../src/domain/stats';
import type { Account, Asset, BrokerOrder, Position, Quote, Signal } from '../src/domain/types';

const { values: args } = parseArgs({
  options: {
    symbols: { type: 'string', default: '500' },
    days: { type: 'string', default: '252' },
    runs: { type: 'string', default: '9' },
    seed: { type: 'string', default: '42' },
    method: { type: 'string', default: 'volatility_target' },
  },
});
const SYMBOLS = Number(args.symbols);
const DAYS = Number(args.days);
const RUNS = Number(args.runs);

// Seeded, so every run benches the same market.
const random = createRng(Number(args.seed));
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const SECTORS = ['Information Technology', 'Financials', 'Health Care', 'Energy', 'Industrials', 'Consumer Staples',
  'Consumer Discretionary', 'Utilities', 'Materials', 'Real Estate', 'Communication Services'];

function symbolName(i: number): string {
  let name = '';
  let n = i + 26 * 26; // three letters at least
  do {
    name = String.fromCharCode(65 + (n % 26)) + name;
    n = Math.floor(n / 26);
  } while (n > 0);
  return name;
}

const symbols = Array.from({ length: SYMBOLS }, (_, i) => symbolName(i));
const sectors: Record<string, string> = Object.fromEntries(symbols.map((s, i) => [s, SECTORS[i % SECTORS.length]!]));
const dates: string[] = [];
for (let day = new Date(Date.UTC(2025, 0, 2)); dates.length <= DAYS; day = new Date(day.getTime() + 86_400_000)) {
  if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) dates.push(day.toISOString().slice(0, 10));
}

// Returns = market + sector factor + idiosyncratic noise; a few symbols have gaps or a short history.
const market = dates.map(() => gaussian() * 0.008);
const sectorFactor = SECTORS.map(() => dates.map(() => gaussian() * 0.01));
const bars: Record<string, DailyBar[]> = {};
const lastClose: Record<string, number> = {};
symbols.forEach((symbol, k) => {
  let close = 20 + random() * 480;
  const beta = 0.5 + random();
  const load = random() * 1.5;
  const noise = 0.003 + random() * 0.015;
  const sector = k % SECTORS.length;
  const firstDay = k % 97 === 0 ? Math.floor(DAYS * 0.95) : 0; // recent listings: too little history
  const series: DailyBar[] = [];
  dates.forEach((date, t) => {
    close *= Math.exp(beta * market[t]! + load * sectorFactor[sector]![t]! + noise * gaussian());
    if (t < firstDay || (k % 53 === 0 && t % 17 === 0)) return;
    series.push({ date, open: close, high: close, low: close, close, volume: 1_000_000 });
  });
  bars[symbol] = series;
  lastClose[symbol] = close;
});

const equity = 10_000_000;
const account: Account = {
  id: 'bench', accountNumber: 'PA-BENCH', status: 'ACTIVE', currency: 'USD', cash: equity / 2, equity, lastEquity: equity * 0.999,
  buyingPower: equity * 2, longMarketValue: equity / 2, shortMarketValue: 0, tradingBlocked: false, shortingEnabled: true,
};
const positions: Position[] = symbols.filter((_, i) => i % 4 === 0).slice(0, 120).map((symbol) => {
  const price = lastClose[symbol]!;
  const qty = Math.floor((equity * 0.004 * (0.5 + random())) / price);
  return { symbol, qty, avgEntryPrice: price, currentPrice: price, marketValue: qty * price, costBasis: qty * price, unrealizedPl: 0, lastdayPrice: price };
});
const openOrders: BrokerOrder[] = symbols.filter((_, i) => i % 8 === 3).slice(0, 60).map((symbol, i) => ({
  id: `o${i}`, clientOrderId: `old-${symbol}`, symbol, side: i % 2 === 0 ? 'buy' : 'sell', type: 'limit', timeInForce: 'day', qty: 10,
  notional: null, filledQty: 0, filledAvgPrice: null, limitPrice: null, stopPrice: null, status: 'new', submittedAt: null, filledAt: null,
  canceledAt: null, expiredAt: null, updatedAt: null,
}));
const quotes: Record<string, Quote> = Object.fromEntries(symbols.map((symbol) => {
  const last = Math.round(lastClose[symbol]! * 100) / 100;
  return [symbol, { symbol, bid: last - 0.01, ask: last + 0.01, last, timestamp: '2026-01-02T15:00:00Z' }];
}));
const assets: Record<string, Asset> = Object.fromEntries(symbols.map((symbol, i) => [symbol, {
  symbol, name: symbol, tradable: i % 101 !== 7, active: true, shortable: i % 3 !== 0, easyToBorrow: true, fractionable: i % 2 === 0,
}]));
const signals: Signal[] = symbols.map((symbol) => ({ symbol, strength: Math.round((random() * 2 - 1) * 1000) / 1000 }));
const config = executionConfigSchema.parse({
  execution: { order_type: 'limit' },
  position_sizing: { method: args.method, max_position_size: 0.02, max_trade_size: 250_000, allow_shorts: true, fractional: true },
  risk_management: { max_orders_per_day: 400, max_order_notional: 250_000, max_sector_exposure: 0.15, max_sector_net_exposure: 0.1 },
});
const universe = [...new Set([...signals.map((s) => s.symbol), ...positions.map((p) => p.symbol)])].sort();

function once() {
  const t0 = performance.now();
  const stats = marketStats(bars, universe, {
    volatility: config.risk_management.volatility_window_days, correlation: config.risk_management.correlation_window_days,
  });
  const t1 = performance.now();
  const input: PlanInput = {
    runId: 'trading-bench-2026-01-02', signals, account, positions, openOrders, quotes, assets, sectors,
    volatility: stats.volatility, covariance: stats.covariance, correlation: stats.correlation,
    config, tradingState: 'ACTIVE', ordersSubmittedToday: 0,
  };
  const plan = planDay(input);
  const t2 = performance.now();
  return { statsMs: t1 - t0, planMs: t2 - t1, totalMs: t2 - t0, plan, stats };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const rssBefore = process.memoryUsage().rss;
const runs = Array.from({ length: RUNS }, once);
const last = runs[runs.length - 1]!;
const memory = process.memoryUsage();
const codes: Record<string, number> = {};
for (const decision of last.plan.decisions) for (const check of decision.checks) if (check.outcome !== 'approve') codes[check.code] = (codes[check.code] ?? 0) + 1;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

console.log(`plan-speed: ${SYMBOLS} symbols × ${DAYS} days of bars, ${positions.length} positions, ${openOrders.length} open orders, method ${config.position_sizing.method}`);
console.log(`  stats  (returns, volatility, covariance ${last.stats.covariance.symbols.length}², correlation): median ${median(runs.map((r) => r.statsMs)).toFixed(1)} ms`);
console.log(`  planDay (sizing, rebalance, ${15} risk checks + buying power):      median ${median(runs.map((r) => r.planMs)).toFixed(1)} ms`);
console.log(`  total: median ${median(runs.map((r) => r.totalMs)).toFixed(1)} ms, min ${Math.min(...runs.map((r) => r.totalMs)).toFixed(1)} ms, max ${Math.max(...runs.map((r) => r.totalMs)).toFixed(1)} ms over ${RUNS} runs`);
console.log(`  memory: heap used ${mb(memory.heapUsed)}, rss ${mb(memory.rss)} (${mb(memory.rss - rssBefore)} more than before the runs)`);
console.log(`  plan: ${last.plan.orders.length} orders, ${last.plan.rejected.length} rejections, ${last.stats.missing.length} symbols without enough bars; non-approve verdicts ${JSON.stringify(codes)}`);
