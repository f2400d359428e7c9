import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionConfigSchema, type ExecutionConfig } from '../../src/config-schema';
import type { CheckResult } from '../../src/domain/check-result';
import {
  checkAssetTradable, checkDailyLoss, checkOrderNotional, checkOrdersPerDay, checkPositionRisk, checkPositionSize, checkPrice,
  checkRestrictedSymbol, checkSectorExposure, checkShorting, checkTradingState, dailyLossBreached, isRiskReducing, runPreTradeChecks,
  tradingStateAfterDailyLoss, type PreTradeContext,
} from '../../src/domain/risk';
import type { Account } from '../../src/domain/types';

function config(overrides: { [K in keyof ExecutionConfig]?: Partial<ExecutionConfig[K]> } = {}): ExecutionConfig {
  return executionConfigSchema.parse(overrides);
}

const account: Account = {
  id: 'a', accountNumber: 'PA1', status: 'ACTIVE', currency: 'USD', cash: 100_000, equity: 100_000, lastEquity: 100_000,
  buyingPower: 200_000, longMarketValue: 0, shortMarketValue: 0, tradingBlocked: false, shortingEnabled: true,
};

function ctx(overrides: Partial<PreTradeContext> = {}): PreTradeContext {
  return {
    symbol: 'AAPL', side: 'buy', qty: 10, price: 100, positionQty: 0, fractional: false, account, config: config(),
    tradingState: 'ACTIVE', asset: { symbol: 'AAPL', name: 'Apple', tradable: true, active: true, shortable: true, easyToBorrow: true, fractionable: true },
    sector: undefined, otherSectorGross: 0, volatility: undefined, ordersSoFar: 0, ...overrides,
  };
}

const code = (result: CheckResult) => (result.ok ? ('qty' in result ? `resize:${result.code}:${result.qty}` : 'ok') : `reject:${result.code}`);

describe('isRiskReducing', () => {
  it('is true only for orders that shrink a position without crossing zero', () => {
    assert.equal(isRiskReducing(ctx({ side: 'sell', positionQty: 20 })), true);
    assert.equal(isRiskReducing(ctx({ side: 'sell', positionQty: 10 })), true, 'closing exactly');
    assert.equal(isRiskReducing(ctx({ side: 'sell', positionQty: 5 })), false, 'crosses into a short');
    assert.equal(isRiskReducing(ctx({ side: 'buy', positionQty: -20 })), true);
    assert.equal(isRiskReducing(ctx({ side: 'buy', positionQty: 20 })), false);
    assert.equal(isRiskReducing(ctx({ side: 'sell', positionQty: 0 })), false);
  });
});

describe('checkTradingState', () => {
  it('HALTED and a blocked account reject everything', () => {
    assert.equal(code(checkTradingState(ctx({ tradingState: 'HALTED', side: 'sell', positionQty: 20 }))), 'reject:TRADING_HALTED');
    assert.equal(code(checkTradingState(ctx({ account: { ...account, tradingBlocked: true } }))), 'reject:TRADING_HALTED');
  });

  it('REDUCING lets only reducing orders through', () => {
    assert.equal(code(checkTradingState(ctx({ tradingState: 'REDUCING' }))), 'reject:REDUCING_ONLY');
    assert.equal(code(checkTradingState(ctx({ tradingState: 'REDUCING', side: 'sell', positionQty: 20 }))), 'ok');
    assert.equal(code(checkTradingState(ctx())), 'ok');
  });
});

describe('daily loss', () => {
  const down = (pct: number): Account => ({ ...account, equity: 100_000 * (1 - pct) });

  it('breaches at exactly max_daily_loss and not before; a flat day never breaches', () => {
    assert.equal(dailyLossBreached(down(0.02), config()), true);
    assert.equal(dailyLossBreached(down(0.0199), config()), false);
    assert.equal(dailyLossBreached(account, config({ risk_management: { max_daily_loss: 0 } })), false);
    assert.equal(dailyLossBreached({ ...account, lastEquity: 0 }, config()), false);
  });

  it('rejects risk-increasing orders and lets reducing ones through', () => {
    assert.equal(code(checkDailyLoss(ctx({ account: down(0.03) }))), 'reject:DAILY_LOSS_LIMIT');
    assert.equal(code(checkDailyLoss(ctx({ account: down(0.03), side: 'sell', positionQty: 50 }))), 'ok');
    assert.equal(code(checkDailyLoss(ctx({ account: down(0.01) }))), 'ok');
  });

  it('escalates the trading state per on_daily_loss_breach, never de-escalating', () => {
    assert.equal(tradingStateAfterDailyLoss(down(0.03), config(), 'ACTIVE'), 'HALTED');
    const reducing = config({ risk_management: { on_daily_loss_breach: 'REDUCING' } });
    assert.equal(tradingStateAfterDailyLoss(down(0.03), reducing, 'ACTIVE'), 'REDUCING');
    assert.equal(tradingStateAfterDailyLoss(down(0.03), reducing, 'HALTED'), 'HALTED');
    assert.equal(tradingStateAfterDailyLoss(down(0.01), config(), 'REDUCING'), 'REDUCING');
  });
});

describe('symbol gates', () => {
  it('RESTRICTED_SYMBOL matches case-insensitively', () => {
    const cfg = config({ risk_management: { restricted_symbols: [' aapl '] } });
    assert.equal(code(checkRestrictedSymbol(ctx({ config: cfg }))), 'reject:RESTRICTED_SYMBOL');
    assert.equal(code(checkRestrictedSymbol(ctx({ config: cfg, symbol: 'MSFT' }))), 'ok');
  });

  it('ASSET_NOT_TRADABLE for unknown, inactive or non-tradable assets', () => {
    const asset = ctx().asset!;
    assert.equal(code(checkAssetTradable(ctx({ asset: undefined }))), 'reject:ASSET_NOT_TRADABLE');
    assert.equal(code(checkAssetTradable(ctx({ asset: { ...asset, tradable: false } }))), 'reject:ASSET_NOT_TRADABLE');
    assert.equal(code(checkAssetTradable(ctx({ asset: { ...asset, active: false } }))), 'reject:ASSET_NOT_TRADABLE');
    assert.equal(code(checkAssetTradable(ctx())), 'ok');
  });

  it('NO_PRICE for missing, zero, negative and non-finite prices', () => {
    for (const price of [null, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(code(checkPrice(ctx({ price }))), 'reject:NO_PRICE');
  });
});

describe('checkShorting', () => {
  const shorts = config({ position_sizing: { allow_shorts: true } });

  it('rejects a new short when shorts are off, and cuts a long-to-short order to a close', () => {
    assert.equal(code(checkShorting(ctx({ side: 'sell' }))), 'reject:SHORTING_NOT_ALLOWED');
    assert.equal(code(checkShorting(ctx({ side: 'sell', qty: 30, positionQty: 20 }))), 'resize:SHORTING_NOT_ALLOWED:20');
    assert.equal(code(checkShorting(ctx({ side: 'sell', qty: 30, positionQty: 20.5 }))), 'resize:SHORTING_NOT_ALLOWED:20');
  });

  it('allows shorts when config, account and asset all allow; always allows covering', () => {
    assert.equal(code(checkShorting(ctx({ side: 'sell', config: shorts }))), 'ok');
    assert.equal(code(checkShorting(ctx({ side: 'sell', config: shorts, account: { ...account, shortingEnabled: false } }))), 'reject:SHORTING_NOT_ALLOWED');
    assert.equal(code(checkShorting(ctx({ side: 'sell', config: shorts, asset: { ...ctx().asset!, shortable: false } }))), 'reject:SHORTING_NOT_ALLOWED');
    assert.equal(code(checkShorting(ctx({ side: 'buy', positionQty: -10 }))), 'ok');
    assert.equal(code(checkShorting(ctx({ side: 'sell', qty: 5, positionQty: -10, config: shorts }))), 'ok');
    assert.equal(code(checkShorting(ctx({ side: 'sell', qty: 5, positionQty: -10 }))), 'reject:SHORTING_NOT_ALLOWED', 'growing an existing short');
  });
});

describe('checkOrdersPerDay and checkOrderNotional', () => {
  it('rejects once today’s orders reach the limit', () => {
    const cfg = config({ risk_management: { max_orders_per_day: 3 } });
    assert.equal(code(checkOrdersPerDay(ctx({ config: cfg, ordersSoFar: 2 }))), 'ok');
    assert.equal(code(checkOrdersPerDay(ctx({ config: cfg, ordersSoFar: 3 }))), 'reject:MAX_ORDERS_PER_DAY');
  });

  it('resizes above max_order_notional; exactly at the limit passes; one share too dear rejects', () => {
    const cfg = config({ risk_management: { max_order_notional: 1_000 } });
    assert.equal(code(checkOrderNotional(ctx({ config: cfg }))), 'ok');
    assert.equal(code(checkOrderNotional(ctx({ config: cfg, qty: 25 }))), 'resize:ORDER_NOTIONAL_EXCEEDED:10');
    assert.equal(code(checkOrderNotional(ctx({ config: cfg, price: 1_500, qty: 1 }))), 'reject:ORDER_NOTIONAL_EXCEEDED');
    assert.equal(code(checkOrderNotional(ctx({ config: cfg, price: 1_500, qty: 1, fractional: true }))), 'resize:ORDER_NOTIONAL_EXCEEDED:0.666666666');
  });
});

describe('checkPositionSize', () => {
  it('caps the resulting position at max_position_size × equity ($10,000 = 100 shares)', () => {
    assert.equal(code(checkPositionSize(ctx({ qty: 100 }))), 'ok');
    assert.equal(code(checkPositionSize(ctx({ qty: 101 }))), 'resize:POSITION_SIZE_EXCEEDED:100');
    assert.equal(code(checkPositionSize(ctx({ qty: 50, positionQty: 80 }))), 'resize:POSITION_SIZE_EXCEEDED:20');
    assert.equal(code(checkPositionSize(ctx({ qty: 10, positionQty: 100 }))), 'reject:POSITION_SIZE_EXCEEDED');
  });

  it('applies to shorts and lets reducing orders through even above the cap', () => {
    assert.equal(code(checkPositionSize(ctx({ side: 'sell', qty: 150 }))), 'resize:POSITION_SIZE_EXCEEDED:100');
    assert.equal(code(checkPositionSize(ctx({ side: 'sell', qty: 10, positionQty: 300 }))), 'ok');
  });
});

describe('checkPositionRisk', () => {
  const cfg = config({ risk_management: { max_position_risk: 0.02 } });

  it('is skipped without a volatility', () => {
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, qty: 100 }))), 'ok');
  });

  it('resizes so weight × σ stays within max_position_risk', () => {
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, qty: 50, volatility: 0.4 }))), 'ok', '5% × 0.4 = 0.02');
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, qty: 100, volatility: 0.4 }))), 'resize:POSITION_RISK_EXCEEDED:50');
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, qty: 10, positionQty: 50, volatility: 0.4 }))), 'reject:POSITION_RISK_EXCEEDED');
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, side: 'sell', qty: 10, positionQty: 100, volatility: 0.4 }))), 'ok');
  });
});

describe('checkSectorExposure', () => {
  it('ignores symbols without a sector', () => {
    assert.equal(code(checkSectorExposure(ctx({ qty: 1_000, otherSectorGross: 1e9 }))), 'ok');
  });

  it('resizes to the sector headroom and rejects when there is none ($30,000 cap)', () => {
    assert.equal(code(checkSectorExposure(ctx({ sector: 'Tech', otherSectorGross: 29_000 }))), 'ok');
    assert.equal(code(checkSectorExposure(ctx({ sector: 'Tech', otherSectorGross: 29_500 }))), 'resize:SECTOR_EXPOSURE_EXCEEDED:5');
    assert.equal(code(checkSectorExposure(ctx({ sector: 'Tech', otherSectorGross: 30_000 }))), 'reject:SECTOR_EXPOSURE_EXCEEDED');
    assert.equal(code(checkSectorExposure(ctx({ sector: 'Tech', otherSectorGross: 35_000, side: 'sell', positionQty: 20 }))), 'ok');
  });

  it('counts shorts as gross exposure', () => {
    assert.equal(code(checkSectorExposure(ctx({ sector: 'Tech', otherSectorGross: 25_000, side: 'sell', qty: 80 }))), 'resize:SECTOR_EXPOSURE_EXCEEDED:50');
  });
});

describe('runPreTradeChecks', () => {
  it('applies resizes in sequence and reports every verdict', () => {
    const cfg = config({ risk_management: { max_order_notional: 15_000, max_position_risk: 0.02 } });
    const outcome = runPreTradeChecks(ctx({ config: cfg, qty: 200, volatility: 0.4 }));
    assert.equal(outcome.qty, 50);
    assert.equal(outcome.rejection, null);
    assert.deepEqual(outcome.verdicts.filter((v) => v.outcome === 'resize').map((v) => v.code),
      ['ORDER_NOTIONAL_EXCEEDED', 'POSITION_SIZE_EXCEEDED', 'POSITION_RISK_EXCEEDED']);
    assert.equal(outcome.verdicts.length, 11);
  });

  it('stops at the first rejection', () => {
    const outcome = runPreTradeChecks(ctx({ tradingState: 'HALTED' }));
    assert.deepEqual(outcome.rejection?.code, 'TRADING_HALTED');
    assert.equal(outcome.qty, 0);
    assert.equal(outcome.verdicts.length, 1);
  });
});
