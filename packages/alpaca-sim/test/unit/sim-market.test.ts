/**
 * The market model, checked statistically: a year of daily bars shows the factor structure (stocks in one sector
 * move together more than across sectors, betas come back out of a regression on the market), plausible levels
 * and volatilities, and intraday prices that stay consistent with the daily bars.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { etInstant, regularSession } from '../../src/calendar';
import { Market, type SimBar } from '../../src/market';
import { Universe } from '../../src/universe';

const universe = Universe.fromCsv();
const NOW = Date.parse('2026-11-20T21:30:00Z');
const YEAR_AGO = Date.parse('2025-11-20T05:00:00Z');

function logReturns(bars: SimBar[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < bars.length; i++) out.push(Math.log((bars[i]?.c ?? 1) / (bars[i - 1]?.c ?? 1)));
  return out;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function corr(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

function std(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

describe('market model', () => {
  const market = new Market(universe, 42, 'real');
  const sectors = new Map<string, string[]>();
  for (const a of universe.assets) sectors.set(a.sector, [...(sectors.get(a.sector) ?? []), a.symbol]);
  // Eight stocks from each of five sectors.
  const picked = ['Information Technology', 'Utilities', 'Energy', 'Financials', 'Health Care']
    .map((s) => ({ sector: s, symbols: (sectors.get(s) ?? []).slice(0, 8) }));
  const returns = new Map<string, number[]>();
  for (const { symbols } of picked) {
    for (const s of symbols) returns.set(s, logReturns(market.bars(s, 1440, YEAR_AGO, NOW, 10_000, NOW)));
  }

  test('a year of daily bars on the NYSE calendar', () => {
    const bars = market.bars('AAPL', 1440, YEAR_AGO, NOW, 10_000, NOW);
    assert.ok(bars.length >= 248 && bars.length <= 254, `${bars.length} sessions in a year`);
    const days = new Set(bars.map((b) => new Date(b.t).toISOString().slice(0, 10)));
    assert.ok(!days.has('2025-11-27') && !days.has('2025-12-25'), 'no bars on holidays');
    for (const b of bars) {
      assert.ok(b.h >= Math.max(b.o, b.c) && b.l <= Math.min(b.o, b.c), `bar ${JSON.stringify(b)} is consistent`);
      assert.ok(b.vw >= b.l && b.vw <= b.h && b.v > 0);
    }
  });

  test('stocks in the same sector are more correlated than stocks across sectors', () => {
    const within: number[] = [];
    const across: number[] = [];
    const all = picked.flatMap(({ sector, symbols }) => symbols.map((s) => ({ sector, s })));
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const x = all[i]!;
        const y = all[j]!;
        const c = corr(returns.get(x.s) ?? [], returns.get(y.s) ?? []);
        (x.sector === y.sector ? within : across).push(c);
      }
    }
    const w = mean(within);
    const a = mean(across);
    assert.ok(w > a + 0.1, `within-sector ${w.toFixed(3)} vs across ${a.toFixed(3)}`);
    assert.ok(a > 0.05, `a common market factor: across-sector correlation ${a.toFixed(3)} > 0`);
    // The difference is far beyond sampling noise (~0.06 for one pair over 250 days; means over many pairs).
    const se = Math.sqrt(std(within) ** 2 / within.length + std(across) ** 2 / across.length);
    assert.ok((w - a) / se > 5, `t = ${((w - a) / se).toFixed(1)}`);
  });

  test('volatility, beta and price levels are plausible and recoverable', () => {
    const all = universe.assets.map((a) => a.symbol);
    const prices = all.map((s) => market.last(s, NOW)).sort((x, y) => x - y);
    const median = prices[Math.floor(prices.length / 2)] ?? 0;
    assert.ok(median > 40 && median < 300, `median price ${median}`);
    assert.ok((prices[0] ?? 0) >= 1 && (prices[prices.length - 1] ?? 0) < 10_000);
    // An equal-weight index of the picked names stands in for the market; high-beta names load more on it.
    const n = returns.get('AAPL')?.length ?? (returns.values().next().value?.length ?? 0);
    const index: number[] = [];
    for (let t = 0; t < n; t++) index.push(mean([...returns.values()].map((r) => r[t] ?? 0)));
    const estimates: Array<[number, number]> = [];
    for (const [s, r] of returns) {
      const vol = std(r) * Math.sqrt(252);
      assert.ok(vol > 0.08 && vol < 0.9, `${s} annualized volatility ${vol.toFixed(2)}`);
      const beta = (corr(r, index) * std(r)) / std(index);
      estimates.push([market.describe(s).beta, beta]);
    }
    const c = corr(estimates.map((e) => e[0]), estimates.map((e) => e[1]));
    assert.ok(c > 0.4, `true and estimated betas correlate (${c.toFixed(2)})`);
  });

  test('reproducible for a seed, different for another', () => {
    const again = new Market(universe, 42, 'real');
    const other = new Market(universe, 43, 'real');
    const t = etInstant('2026-03-10', 11, 7);
    assert.equal(again.last('MSFT', t), market.last('MSFT', t));
    assert.deepEqual(again.bars('MSFT', 1440, YEAR_AGO, NOW, 5, NOW), market.bars('MSFT', 1440, YEAR_AGO, NOW, 5, NOW));
    assert.notEqual(other.last('MSFT', t), market.last('MSFT', t));
  });

  test('intraday prices and minute bars stay inside the daily bar and end at its close', () => {
    for (const mode of ['real', 'always-open'] as const) {
      const m = new Market(universe, 7, mode);
      const session = regularSession('2026-06-16');
      assert.ok(session);
      const [daily] = m.bars('JPM', 1440, etInstant('2026-06-16', 0, 0), etInstant('2026-06-16', 0, 0), 1, NOW);
      assert.ok(daily);
      const minutes = m.bars('JPM', 1, session.open, session.close - 1, 10_000, NOW);
      assert.equal(minutes.length, 390);
      for (const b of minutes) assert.ok(b.h <= daily.h + 1e-9 && b.l >= daily.l - 1e-9, `minute ${JSON.stringify(b)} inside ${JSON.stringify(daily)}`);
      assert.equal(minutes[0]?.o, daily.o);
      assert.equal(m.last('JPM', session.close - 1), daily.c);
      assert.equal(m.previousClose('JPM', session.close + 3_600_000), daily.c);
      const q = m.quote('JPM', session.open + 3_600_000);
      assert.ok(q.ask > q.bid && (q.ask - q.bid) / q.bid < 0.002, 'a tight spread around the price');
    }
  });

  test('outside the session: flat at the close when real, drifting toward the next open when always-open', () => {
    const real = new Market(universe, 7, 'real');
    const open = new Market(universe, 7, 'always-open');
    const night = Date.parse('2026-06-17T03:00:00Z');
    assert.equal(real.last('JPM', night), real.last('JPM', night + 3_600_000));
    assert.notEqual(open.last('JPM', night), open.last('JPM', night + 3_600_000));
  });
});
