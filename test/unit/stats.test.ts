import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  alignReturns, annualizedVolatility, annualizedVolatilityOf, correlatedGroups, correlationMatrix, covarianceMatrix, logReturns,
  marketStats, MIN_OBSERVATIONS, TRADING_DAYS_PER_YEAR, type DailyBar, type SymbolMatrix,
} from '../../src/domain/stats';

const close = (x: number) => Math.round(x * 100) / 100;

/** Daily bars on consecutive dates from a list of closes. */
function bars(closes: number[], startDay = 1): DailyBar[] {
  return closes.map((c, i) => {
    const day = new Date(Date.UTC(2024, 0, startDay + i)).toISOString().slice(0, 10);
    return { date: day, open: c, high: c, low: c, close: c, volume: 1000 };
  });
}

/** A deterministic zig-zag of daily log returns around a drift. */
function path(n: number, amplitude: number, phase = 0): number[] {
  const closes = [100];
  for (let i = 1; i < n; i++) closes.push(closes[i - 1]! * Math.exp(amplitude * Math.sin(i * 1.7 + phase)));
  return closes;
}

const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

describe('log returns and alignment', () => {
  it('computes log returns and gives NaN for unusable closes', () => {
    const r = logReturns([100, 110, 0, 121]);
    near(r[0]!, Math.log(1.1));
    assert.ok(Number.isNaN(r[1]!) && Number.isNaN(r[2]!));
  });

  it('aligns symbols by date; a missing day blanks that return and the next', () => {
    const a = bars([100, 101, 102, 103, 104]);
    const b = bars([50, 51, 52, 53, 54]).filter((_, i) => i !== 2);
    const panel = alignReturns({ B: b, A: a });
    assert.deepEqual(panel.symbols, ['A', 'B']);
    assert.deepEqual(panel.dates, ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    const rb = [...panel.returns[1]!];
    near(rb[0]!, Math.log(51 / 50));
    assert.ok(Number.isNaN(rb[1]!) && Number.isNaN(rb[2]!));
    near(rb[3]!, Math.log(54 / 53));
  });
});

describe('volatility, covariance, correlation', () => {
  it('annualizes the sample standard deviation with √252 and needs MIN_OBSERVATIONS returns', () => {
    const returns = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 0.01 : -0.01));
    const mean = 0;
    const sd = Math.sqrt(returns.reduce((s, x) => s + (x - mean) ** 2, 0) / 39);
    near(annualizedVolatilityOf(returns), sd * Math.sqrt(TRADING_DAYS_PER_YEAR));
    assert.ok(Number.isNaN(annualizedVolatilityOf(returns.slice(0, MIN_OBSERVATIONS - 1))));
  });

  it('matches a direct computation and is symmetric with the variances on the diagonal', () => {
    const panel = alignReturns({ A: bars(path(80, 0.02)), B: bars(path(80, 0.015, 1)), C: bars(path(80, 0.03, 2)) });
    const cov = covarianceMatrix(panel, 60);
    const corr = correlationMatrix(panel, 60);
    const vol = annualizedVolatility(panel, 60);
    for (let i = 0; i < 3; i++) {
      near(cov.values[i]![i]!, vol[cov.symbols[i]!]! ** 2, 1e-12);
      near(corr.values[i]![i]!, 1);
      for (let j = 0; j < 3; j++) {
        near(cov.values[i]![j]!, cov.values[j]![i]!, 1e-15);
        near(corr.values[i]![j]!, cov.values[i]![j]! / Math.sqrt(cov.values[i]![i]! * cov.values[j]![j]!), 1e-9);
      }
    }
  });

  it('gives ρ = 1 for proportional returns and ρ = −1 for mirrored ones', () => {
    const base = path(61, 0.02);
    const mirror = base.map((c) => 10_000 / c);
    const corr = correlationMatrix(alignReturns({ A: bars(base), B: bars(base.map((c) => c * 3)), C: bars(mirror) }), 60);
    near(corr.values[0]![1]!, 1);
    near(corr.values[0]![2]!, -1);
  });

  it('leaves short histories out and marks pairs with too little overlap NaN', () => {
    const long = bars(path(60, 0.02));
    const late = bars(path(30, 0.02, 1), 45); // 29 returns, 15 of them on A's dates
    const short = bars(path(10, 0.02, 2));
    const corr = correlationMatrix(alignReturns({ A: long, B: late, S: short }), 60);
    assert.deepEqual(corr.symbols, ['A', 'B']);
    assert.ok(Number.isNaN(corr.values[0]![1]!));
    const stats = marketStats({ A: long, S: short }, ['A', 'S', 'ZZZ'], { volatility: 252, correlation: 60 });
    assert.deepEqual(stats.missing, ['S', 'ZZZ']);
    assert.ok(stats.volatility.A! > 0);
  });

  it('property: every correlation is in [−1, 1] and every variance is non-negative', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 25, maxLength: 40 }), { minLength: 2, maxLength: 5 }), (series) => {
      const input = Object.fromEntries(series.map((s, i) => [`S${i}`, bars(s.map((c) => close(c / 10)))]));
      const panel = alignReturns(input);
      const corr = correlationMatrix(panel, 252);
      const cov = covarianceMatrix(panel, 252);
      for (const row of corr.values) for (const value of row) assert.ok(Number.isNaN(value) || (value >= -1 && value <= 1));
      cov.values.forEach((row, i) => assert.ok(row[i]! >= -1e-18));
    }), { numRuns: 200, seed: 7 });
  });
});

describe('correlatedGroups', () => {
  const matrix = (symbols: string[], rho: (a: string, b: string) => number): SymbolMatrix => ({
    symbols, values: symbols.map((a) => Float64Array.from(symbols.map((b) => (a === b ? 1 : rho(a, b))))),
  });

  it('joins pairs above the threshold transitively and leaves singletons out', () => {
    const pairs: Record<string, number> = { 'A|B': 0.8, 'B|C': 0.75, 'A|C': 0.2, 'D|E': 0.71 };
    const m = matrix(['A', 'B', 'C', 'D', 'E', 'F'], (a, b) => pairs[`${a}|${b}`] ?? pairs[`${b}|${a}`] ?? 0.1);
    const groups = correlatedGroups(m, 0.7);
    assert.deepEqual(groups.A, ['A', 'B', 'C']);
    assert.equal(groups.C, groups.A);
    assert.deepEqual(groups.E, ['D', 'E']);
    assert.equal(groups.F, undefined);
  });

  it('is strict at the threshold and never joins unknown pairs', () => {
    const m = matrix(['A', 'B', 'C'], (a, b) => (a + b === 'AB' || a + b === 'BA' ? 0.7 : Number.NaN));
    assert.deepEqual(correlatedGroups(m, 0.7), {});
  });
});
