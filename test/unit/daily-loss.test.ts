import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyLossBreach, formatDollars, formatPct, increasesRisk } from '../../src/domain/daily-loss';
import type { Account } from '../../src/domain/types';

function account(equity: number, lastEquity: number): Account {
  return {
    id: 'a', accountNumber: 'PA1', status: 'ACTIVE', currency: 'USD', cash: equity, equity, lastEquity,
    buyingPower: equity, longMarketValue: 0, shortMarketValue: 0, tradingBlocked: false, shortingEnabled: true,
  };
}

describe('dailyLossBreach', () => {
  it('reports the figure a risk desk reads', () => {
    // (97,700 − 100,000) / 100,000 = −0.023 → −2.3%, through a 2% limit.
    const breach = dailyLossBreach(account(97_700, 100_000), 0.02);
    assert.ok(breach);
    assert.equal(breach.plPct, -0.023);
    assert.equal(breach.startEquity, 100_000);
    assert.equal(breach.detail, '-2.3% of start equity $100,000 (equity $97,700; max_daily_loss 2%)');
  });

  it('breaches at exactly the limit, not a cent before', () => {
    // 98,000 / 100,000 − 1 = −2% exactly: the limit is what may not be lost.
    assert.ok(dailyLossBreach(account(98_000, 100_000), 0.02));
    // 98,000.01 → −1.99999%: inside.
    assert.equal(dailyLossBreach(account(98_000.01, 100_000), 0.02), null);
  });

  it('never breaches on a flat or winning day, nor without a previous close', () => {
    assert.equal(dailyLossBreach(account(100_000, 100_000), 0), null);
    assert.equal(dailyLossBreach(account(101_000, 100_000), 0.02), null);
    assert.equal(dailyLossBreach(account(90_000, 0), 0.02), null);
  });

  it('breaches any loss at max_daily_loss 0', () => {
    // 99,999 / 100,000 − 1 = −0.00001 → −0.001% (shown with four decimals, never as 0%).
    const breach = dailyLossBreach(account(99_999, 100_000), 0);
    assert.ok(breach);
    assert.equal(breach.detail, '-0.001% of start equity $100,000 (equity $99,999; max_daily_loss 0%)');
  });
});

describe('increasesRisk', () => {
  it('buys add risk when flat or long, sells when flat or short', () => {
    assert.equal(increasesRisk('buy', 0), true);
    assert.equal(increasesRisk('buy', 10), true);
    assert.equal(increasesRisk('buy', -10), false);
    assert.equal(increasesRisk('sell', 10), false);
    assert.equal(increasesRisk('sell', 0), true);
    assert.equal(increasesRisk('sell', -3), true);
  });
});

describe('formatting', () => {
  it('formats percentages and dollars as the report prints them', () => {
    assert.equal(formatPct(-0.023), '-2.3%');
    assert.equal(formatPct(0.1234), '12.34%');
    assert.equal(formatDollars(100_000), '$100,000');
    assert.equal(formatDollars(97_712.35), '$97,712.35');
    assert.equal(formatDollars(1_234_567.5), '$1,234,567.50');
    assert.equal(formatDollars(-42), '-$42');
  });
});
