import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile, summarizePortfolio } from '../../src/domain/portfolio';
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
      { symbol: 'MSFT', expectedQty: 5, actualQty: 3, difference: -2 },
      { symbol: 'NVDA', expectedQty: 0, actualQty: 2, difference: 2 },
    ]);
  });

  it('reports an expected position the broker does not have', () => {
    assert.deepEqual(reconcile({ GOOG: -4 }, []), [{ symbol: 'GOOG', expectedQty: -4, actualQty: 0, difference: 4 }]);
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
