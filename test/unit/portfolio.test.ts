import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  fillsOf, performanceMetrics, realizedPnl, reconcile, slippageReport, summarizePortfolio, type Fill,
} from '../../src/domain/portfolio';
import { parseSectorCsv } from '../../src/domain/sectors';
import type { Account, Position } from '../../src/domain/types';

const account: Account = {
  id: 'a', accountNumber: 'PA1', status: 'ACTIVE', currency: 'USD', cash: 50_000, equity: 100_000, lastEquity: 98_000,
  buyingPower: 150_000, longMarketValue: 60_000, shortMarketValue: -10_000, tradingBlocked: false, shortingEnabled: true,
};

function position(symbol: string, qty: number, price: number, unrealizedPl = 0): Position {
  return {
    symbol, qty, avgEntryPrice: price, currentPrice: price, marketValue: qty * price, costBasis: qty * price, unrealizedPl,
    lastdayPrice: null,
  };
}

describe('summarizePortfolio', () => {
  it('splits long and short exposure and computes daily P&L against lastEquity', () => {
    const summary = summarizePortfolio(account, [position('MSFT', 100, 400, 500), position('AAPL', -50, 200, -100)]);
    assert.equal(summary.longExposure, 40_000);
    assert.equal(summary.shortExposure, 10_000);
    assert.equal(summary.grossExposure, 50_000);
    assert.equal(summary.netExposure, 30_000);
    assert.equal(summary.unrealizedPl, 400);
    assert.equal(summary.dailyPl, 2_000);
    assert.ok(Math.abs(summary.dailyPlPct - 2_000 / 98_000) < 1e-12);
    assert.deepEqual(summary.positions.map((p) => [p.symbol, p.weight]), [['AAPL', -0.1], ['MSFT', 0.4]]);
  });

  it('reports zero weights and percentage when equity and lastEquity are zero', () => {
    const summary = summarizePortfolio({ ...account, equity: 0, lastEquity: 0 }, [position('X', 1, 10)]);
    assert.equal(summary.dailyPlPct, 0);
    assert.equal(summary.positions[0]?.weight, 0);
  });

  it('handles no positions', () => {
    const summary = summarizePortfolio(account, []);
    assert.equal(summary.grossExposure, 0);
    assert.deepEqual(summary.positions, []);
  });
});

describe('reconcile', () => {
  it('lists differences on either side, sorted, and ignores float noise', () => {
    const diffs = reconcile(
      { AAPL: 10, MSFT: 5, TSLA: 0.1 + 0.2 },
      [position('AAPL', 10, 1), position('MSFT', 3, 1), position('NVDA', 2, 1), position('TSLA', 0.3, 1)],
    );
    assert.deepEqual(diffs, [
      { symbol: 'MSFT', expectedQty: 5, actualQty: 3, difference: -2, kind: 'quantity_mismatch' },
      { symbol: 'NVDA', expectedQty: 0, actualQty: 2, difference: 2, kind: 'unexpected_at_broker' },
    ]);
  });

  it('reports an expected position the broker does not have', () => {
    assert.deepEqual(reconcile({ GOOG: -4 }, []), [{ symbol: 'GOOG', expectedQty: -4, actualQty: 0, difference: 4, kind: 'missing_at_broker' }]);
  });
});

describe('parseSectorCsv', () => {
  it('reads quoted fields containing commas and doubled quotes', () => {
    const csv = [
      'Symbol,Security,GICS Sector,GICS Sub-Industry,Headquarters Location,Date added,CIK,Founded',
      'MMM,3M,Industrials,Industrial Conglomerates,"Saint Paul, Minnesota",1957-03-04,66740,1902',
      'BRK.B,"Berkshire ""B"", Hathaway",Financials,Multi-Sector Holdings,"Omaha, Nebraska",2010-02-16,1067983,1839',
      '',
    ].join('\r\n');
    assert.deepEqual(parseSectorCsv(csv), { MMM: 'Industrials', 'BRK.B': 'Financials' });
  });

  it('throws when the header lacks the needed columns', () => {
    assert.throws(() => parseSectorCsv('Ticker,Sector\nA,B\n'), /GICS Sector/);
    assert.throws(() => parseSectorCsv(''), /empty/);
  });
});

describe('realized P&L, slippage and performance', () => {
  const near = (a: number | null, b: number, eps = 1e-9) => assert.ok(a !== null && Math.abs(a - b) < eps, `${a} ≉ ${b}`);

  it('realizes on average cost, through a flip, for longs and shorts', () => {
    const fills: Fill[] = [
      { symbol: 'A', side: 'buy', qty: 10, price: 110 }, // 10 @100 + 10 @110 → avg 105
      { symbol: 'A', side: 'sell', qty: 15, price: 120 }, // realizes 15 × 15 = 225
      { symbol: 'A', side: 'sell', qty: 10, price: 100 }, // closes 5 × (100 − 105) = −25, opens a short of 5 @100
      { symbol: 'A', side: 'buy', qty: 5, price: 90 }, // covers: 5 × (100 − 90) = 50
      { symbol: 'B', side: 'buy', qty: 3, price: 50 }, // covers a short of 3 @40: −30
    ];
    const pnl = realizedPnl([{ symbol: 'A', qty: 10, avgEntryPrice: 100 }, { symbol: 'B', qty: -3, avgEntryPrice: 40 }], fills);
    assert.deepEqual(pnl.bySymbol, { A: 250, B: -30 });
    assert.equal(pnl.total, 220);
    assert.deepEqual(pnl.closing.map((c) => c.pnl), [225, -25, 50, -30]);
  });

  it('takes fills from order records that filled', () => {
    assert.deepEqual(fillsOf([
      { symbol: 'A', side: 'buy', filledQty: 2, filledAvgPrice: 10 },
      { symbol: 'B', side: 'sell', filledQty: 0, filledAvgPrice: null },
    ]), [{ symbol: 'A', side: 'buy', qty: 2, price: 10 }]);
  });

  it('measures slippage against arrival prices, positive as a cost on either side', () => {
    const report = slippageReport([
      { symbol: 'A', side: 'buy', qty: 10, price: 100.5 },
      { symbol: 'B', side: 'sell', qty: 10, price: 49.5 },
      { symbol: 'C', side: 'buy', qty: 1, price: 10 },
    ], { A: 100, B: 50 });
    assert.deepEqual(report.fills.map((f) => [f.symbol, f.slippageBps, f.cost]), [['A', 50, 5], ['B', 100, 5]]);
    assert.deepEqual(report.unmeasured, ['C']);
    assert.equal(report.cost, 10);
    near(report.weightedBps, 66.67, 1e-9);
  });

  it('computes return, volatility, Sharpe, Sortino, drawdown, turnover and hit rate', () => {
    const equity = [100, 110, 99, 108.9, 119.79];
    const points = equity.map((e, i) => ({ timestamp: `2024-01-0${i + 1}T00:00:00Z`, equity: e * 1000 }));
    const fills: Fill[] = [{ symbol: 'A', side: 'sell', qty: 10, price: 110 }, { symbol: 'B', side: 'sell', qty: 10, price: 90 }];
    const m = performanceMetrics(points, fills, [{ symbol: 'A', qty: 10, avgEntryPrice: 100 }, { symbol: 'B', qty: 10, avgEntryPrice: 100 }])!;
    const returns = [0.1, -0.1, 0.1, 0.1];
    const mean = 0.05;
    const sd = Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / 3);
    near(m.totalReturn, 0.1979, 1e-8);
    near(m.annualizedVolatility, sd * Math.sqrt(252), 1e-7);
    near(m.sharpe, (mean / sd) * Math.sqrt(252), 1e-5);
    near(m.sortino, (mean / Math.sqrt(0.01 / 4)) * Math.sqrt(252), 1e-5);
    near(m.maxDrawdown, 0.1, 1e-8);
    near(m.turnover, 2000 / (equity.reduce((s, e) => s + e, 0) * 1000 / 5), 1e-8);
    assert.equal(m.hitRate, 0.5);
    assert.equal(m.periods, 4);
  });

  it('is null with fewer than two funded points, and leaves ratios null when undefined', () => {
    assert.equal(performanceMetrics([{ timestamp: 't', equity: 100 }]), null);
    assert.equal(performanceMetrics([{ timestamp: 't0', equity: 0 }, { timestamp: 't1', equity: 100 }]), null);
    const flat = performanceMetrics([{ timestamp: 't0', equity: 100 }, { timestamp: 't1', equity: 100 }, { timestamp: 't2', equity: 100 }])!;
    assert.deepEqual([flat.sharpe, flat.sortino, flat.maxDrawdown, flat.hitRate], [null, null, 0, null]);
  });
});
