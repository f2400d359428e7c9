import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionConfigSchema, type ExecutionConfig } from '../../src/config-schema';
import type { CheckResult } from '../../src/domain/check-result';
import {
  checkAssetTradable, checkCorrelatedExposure, checkMarketQuote, checkDailyLoss, checkDuplicateIntent, checkOrderNotional, checkOrdersPerDay,
  checkPositionRisk, checkPositionSize, checkPrice, checkPriceCollar, checkRestrictedSymbol, checkSectorExposure,
  checkSectorNetExposure, checkShorting, checkTradingState, dailyLossBreached, isRiskReducing, PRE_TRADE_CHECKS, runPreTradeChecks,
  tradingStateAfterDailyLoss, type PreTradeContext,
} from '../../src/domain/risk';
import { toVerdict } from '../../src/domain/check-result';
import type { Account, BrokerOrder } from '../../src/domain/types';

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

  it('is skipped without a volatility, and the verdict says so', () => {
    const result = checkPositionRisk(ctx({ config: cfg, qty: 100 }));
    assert.equal(code(result), 'ok');
    assert.equal(toVerdict('position_risk', result).code, 'VOLATILITY_UNKNOWN');
    assert.match(toVerdict('position_risk', result).detail, /not applied/);
    assert.equal(toVerdict('position_risk', checkPositionRisk(ctx({ config: cfg, volatility: Number.NaN }))).code, 'VOLATILITY_UNKNOWN');
  });

  it('resizes so weight × σ stays within max_position_risk', () => {
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, qty: 50, volatility: 0.4 }))), 'ok', '5% × 0.4 = 0.02');
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, qty: 100, volatility: 0.4 }))), 'resize:POSITION_RISK_EXCEEDED:50');
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, qty: 10, positionQty: 50, volatility: 0.4 }))), 'reject:POSITION_RISK_EXCEEDED');
    assert.equal(code(checkPositionRisk(ctx({ config: cfg, side: 'sell', qty: 10, positionQty: 100, volatility: 0.4 }))), 'ok');
  });
});

describe('checkSectorExposure', () => {
  it('caps a symbol without a sector as its own sector by default (unknown_sector own_sector)', () => {
    // Cap 0.3 × $100,000 = $30,000 = 300 shares at $100; the order asks for 1,000.
    assert.equal(code(checkSectorExposure(ctx({ qty: 1_000 }))), 'resize:SECTOR_EXPOSURE_EXCEEDED:300');
    const within = checkSectorExposure(ctx({ qty: 300 }));
    assert.deepEqual(within, {
      ok: true, code: 'SECTOR_UNKNOWN',
      detail: 'UNKNOWN:AAPL (AAPL has no sector: unknown_sector own_sector): gross exposure $30000 within max_sector_exposure × equity $30000',
    });
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

  it('unknown_sector group: the unmapped symbols share sector UNKNOWN and its cap', () => {
    const group = config({ risk_management: { unknown_sector: 'group' } });
    // $25,000 of other unmapped names; the $30,000 cap leaves $5,000 = 50 shares at $100 of the 80 asked.
    const result = checkSectorExposure(ctx({ config: group, qty: 80, otherSectorGross: 25_000 }));
    assert.deepEqual(result, {
      ok: true, qty: 50, code: 'SECTOR_EXPOSURE_EXCEEDED',
      detail: 'UNKNOWN (AAPL has no sector: unknown_sector group) gross exposure $33000 would exceed max_sector_exposure × equity $30000; resized to 50',
    });
  });

  it('unknown_sector reject: no new exposure without a sector (UNKNOWN_SECTOR), reducing orders pass, mapped symbols are untouched', () => {
    const reject = config({ risk_management: { unknown_sector: 'reject' } });
    assert.deepEqual(checkSectorExposure(ctx({ config: reject })), {
      ok: false, code: 'UNKNOWN_SECTOR',
      detail: 'no sector for AAPL (bundled S&P 500 map, sector_map_file, sector_map); unknown_sector is reject: no new exposure',
    });
    assert.equal(code(checkSectorExposure(ctx({ config: reject, side: 'sell', qty: 10, positionQty: 0 }))), 'reject:UNKNOWN_SECTOR', 'a new short');
    assert.equal(code(checkSectorExposure(ctx({ config: reject, side: 'sell', qty: 10, positionQty: 20 }))), 'ok');
    assert.equal(code(checkSectorExposure(ctx({ config: reject, sector: 'Tech' }))), 'ok');
  });
});

describe('checkPositionSize: a market buy is valued at its worst fill', () => {
  const quote = (bid: number, ask: number, last = 100) => ({ symbol: 'AAPL', bid, ask, last, timestamp: '2026-12-01T15:00:00Z' });

  it('caps the position at the ask plus the 4% market-buy reserve, and says so', () => {
    // Worst fill max($100, ask $100.05) × 1.04 = $104.052; 100 shares would be worth $10,405.20 there, above $10,000;
    // $10,000 / $104.052 = 96.1 → 96 shares, worth 96 × $104.052 = $9,988.99 even at that fill.
    assert.deepEqual(checkPositionSize(ctx({ qty: 100, quote: quote(99.95, 100.05) })), {
      ok: true, qty: 96, code: 'POSITION_SIZE_EXCEEDED',
      detail: "position value $10405.2 at a market buy's worst fill $104.052 (max(last $100, ask $100.05) × 1.04) would exceed "
        + 'max_position_size × equity $10000; resized to 96',
    });
    // The last above the ask: the reserve is taken from the last, $100 × 1.04 = $104: 10,000 / 104 = 96.15 → 96.
    assert.equal(code(checkPositionSize(ctx({ qty: 100, quote: quote(99.5, 99.8) }))), 'resize:POSITION_SIZE_EXCEEDED:96');
    // 96 shares pass: 96 × $104.052 = $9,988.99.
    assert.equal(code(checkPositionSize(ctx({ qty: 96, quote: quote(99.95, 100.05) }))), 'ok');
  });

  it('values limit orders, sells and quote-less checks at the reference price, as before', () => {
    assert.equal(code(checkPositionSize(ctx({ qty: 100, quote: quote(99.95, 100.05), limitPrice: 100.16 }))), 'ok', '100 × $100 = $10,000');
    assert.equal(code(checkPositionSize(ctx({ side: 'sell', qty: 100, quote: quote(99.95, 100.05) }))), 'ok', 'a short of 100 × $100');
    assert.equal(code(checkPositionSize(ctx({ qty: 100 }))), 'ok');
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
    assert.equal(outcome.verdicts.length, 18);
  });

  it('stops at the first rejection', () => {
    const outcome = runPreTradeChecks(ctx({ tradingState: 'HALTED' }));
    assert.deepEqual(outcome.rejection?.code, 'TRADING_HALTED');
    assert.equal(outcome.qty, 0);
    assert.equal(outcome.verdicts.length, 1);
  });
});

describe('checkSectorNetExposure ($30,000 cap at the default 0.3)', () => {
  const tight = config({ risk_management: { max_sector_net_exposure: 0.1 } });

  it('names a missing sector in the verdict', () => {
    assert.equal(toVerdict('sector_net_exposure', checkSectorNetExposure(ctx())).code, 'SECTOR_UNKNOWN');
  });

  it('resizes a buy to the net headroom and rejects at the cap', () => {
    assert.equal(code(checkSectorNetExposure(ctx({ config: tight, sector: 'Tech', otherSectorNet: 9_000 }))), 'ok', '$10,000 exactly');
    assert.equal(code(checkSectorNetExposure(ctx({ config: tight, sector: 'Tech', otherSectorNet: 9_500 }))), 'resize:SECTOR_NET_EXPOSURE_EXCEEDED:5');
    assert.equal(code(checkSectorNetExposure(ctx({ config: tight, sector: 'Tech', otherSectorNet: 10_000 }))), 'reject:SECTOR_NET_EXPOSURE_EXCEEDED');
  });

  it('lets longs and shorts offset: a sell in a net-long sector lowers net and passes', () => {
    assert.equal(code(checkSectorNetExposure(ctx({ sector: 'Tech', otherSectorNet: 50_000, side: 'sell', qty: 100, config: config({ position_sizing: { allow_shorts: true }, risk_management: { max_sector_net_exposure: 0.1 } }) }))), 'ok');
    assert.equal(code(checkSectorNetExposure(ctx({ config: tight, sector: 'Tech', otherSectorNet: -9_000, side: 'buy', qty: 150 }))), 'ok', 'from −$9,000 to +$6,000');
  });

  it('is directional: covering a short in a net-long sector above the cap is refused, though it shrinks the position', () => {
    assert.equal(code(checkSectorNetExposure(ctx({ config: tight, sector: 'Tech', otherSectorNet: 20_000, positionQty: -50, side: 'buy', qty: 50 }))), 'reject:SECTOR_NET_EXPOSURE_EXCEEDED');
  });

  it('allows swinging through zero as far as the other side of the old exposure', () => {
    // Net −$15,000 (above the $10,000 cap): a buy may go as far as +$15,000.
    assert.equal(code(checkSectorNetExposure(ctx({ config: tight, sector: 'Tech', otherSectorNet: -15_000, qty: 400 }))), 'resize:SECTOR_NET_EXPOSURE_EXCEEDED:300');
  });
});

describe('checkCorrelatedExposure ($40,000 cap at the default 0.4)', () => {
  const group = ['AAPL', 'MSFT', 'NVDA'];

  it('says CORRELATION_UNKNOWN without return history, and OK with a detail for an uncorrelated symbol', () => {
    assert.equal(toVerdict('correlated_exposure', checkCorrelatedExposure(ctx())).code, 'CORRELATION_UNKNOWN');
    const alone = toVerdict('correlated_exposure', checkCorrelatedExposure(ctx({ correlationKnown: true })));
    assert.deepEqual([alone.outcome, alone.code], ['approve', 'OK']);
    assert.match(alone.detail, /not correlated above 0.7/);
  });

  it('resizes to the group headroom, rejects without one, and counts shorts as gross', () => {
    const base = { correlationKnown: true, correlatedGroup: group };
    assert.equal(code(checkCorrelatedExposure(ctx({ ...base, otherGroupGross: 39_000 }))), 'ok');
    assert.equal(code(checkCorrelatedExposure(ctx({ ...base, otherGroupGross: 39_500 }))), 'resize:CORRELATED_EXPOSURE_EXCEEDED:5');
    assert.equal(code(checkCorrelatedExposure(ctx({ ...base, otherGroupGross: 40_000 }))), 'reject:CORRELATED_EXPOSURE_EXCEEDED');
    assert.equal(code(checkCorrelatedExposure(ctx({ ...base, otherGroupGross: 35_000, side: 'sell', qty: 80 }))), 'resize:CORRELATED_EXPOSURE_EXCEEDED:50');
    assert.match((checkCorrelatedExposure(ctx({ ...base, otherGroupGross: 40_000 })) as { detail: string }).detail, /AAPL\+MSFT\+NVDA/);
  });

  it('lets a reducing order through even above the cap', () => {
    assert.equal(code(checkCorrelatedExposure(ctx({ correlationKnown: true, correlatedGroup: group, otherGroupGross: 90_000, side: 'sell', positionQty: 20 }))), 'ok');
  });
});

describe('checkPriceCollar (10% by default)', () => {
  it('passes market orders and prices within the collar, exactly at the edge included', () => {
    assert.equal(code(checkPriceCollar(ctx())), 'ok');
    assert.equal(code(checkPriceCollar(ctx({ limitPrice: 110 }))), 'ok');
    assert.equal(code(checkPriceCollar(ctx({ limitPrice: 90, stopPrice: 105 }))), 'ok');
  });

  it('rejects a market order whose last trade is further than the collar from the ask (buy) or the bid (sell)', () => {
    const quote = (bid: number, ask: number) => ({ symbol: 'AAPL', bid, ask, last: 100, timestamp: '2026-12-01T15:00:00Z' });
    // |$111 − $100| / $100 = 11% > 10%.
    assert.deepEqual(checkPriceCollar(ctx({ quote: quote(110.9, 111) })), {
      ok: false, code: 'PRICE_OUTSIDE_COLLAR', detail: 'market buy: the ask $111 is 11% from the reference price $100; price_collar_pct is 10%',
    });
    // |$89 − $100| / $100 = 11%.
    assert.deepEqual(checkPriceCollar(ctx({ side: 'sell', positionQty: 50, quote: quote(89, 89.1) })), {
      ok: false, code: 'PRICE_OUTSIDE_COLLAR', detail: 'market sell: the bid $89 is 11% from the reference price $100; price_collar_pct is 10%',
    });
    // Exactly 10% passes; each side is measured on its own side of the book.
    assert.equal(code(checkPriceCollar(ctx({ quote: quote(109.9, 110) }))), 'ok');
    assert.equal(code(checkPriceCollar(ctx({ side: 'sell', quote: quote(99.9, 120) }))), 'ok', 'a sell takes the bid $99.90, 0.1% away');
    assert.equal(code(checkPriceCollar(ctx({ quote: quote(80, 100.5) }))), 'ok', 'a buy takes the ask $100.50, 0.5% away');
    // A tighter collar: 1%; the ask $101.50 is 1.5% away.
    const narrow = config({ risk_management: { price_collar_pct: 0.01 } });
    assert.equal(code(checkPriceCollar(ctx({ config: narrow, quote: quote(101.4, 101.5) }))), 'reject:PRICE_OUTSIDE_COLLAR');
    // A limit order is collared on its own price, not the book's.
    assert.equal(code(checkPriceCollar(ctx({ limitPrice: 100.5, quote: quote(110.9, 111) }))), 'ok');
  });

  it('rejects a limit or stop price beyond the collar, on either side', () => {
    assert.equal(code(checkPriceCollar(ctx({ limitPrice: 110.01 }))), 'reject:PRICE_COLLAR');
    assert.equal(code(checkPriceCollar(ctx({ limitPrice: 89.99 }))), 'reject:PRICE_COLLAR');
    assert.equal(code(checkPriceCollar(ctx({ stopPrice: 120 }))), 'reject:PRICE_COLLAR');
    const narrow = config({ risk_management: { price_collar_pct: 0.01 } });
    assert.equal(code(checkPriceCollar(ctx({ config: narrow, limitPrice: 101.5 }))), 'reject:PRICE_COLLAR');
    assert.match((checkPriceCollar(ctx({ stopPrice: 120 })) as { detail: string }).detail, /stop price \$120 is 20% from the last price \$100/);
  });
});

describe('checkDuplicateIntent', () => {
  const order = (side: 'buy' | 'sell', status: BrokerOrder['status'] = 'new', symbol = 'AAPL'): BrokerOrder => ({
    id: 'o1', clientOrderId: 'c1', symbol, side, type: 'market', timeInForce: 'day', qty: 5, notional: null, filledQty: 0, filledAvgPrice: null,
    limitPrice: null, stopPrice: null, status, submittedAt: null, filledAt: null, canceledAt: null, expiredAt: null, updatedAt: null,
  });

  it('rejects an order when an open order for the same symbol and side exists', () => {
    assert.equal(code(checkDuplicateIntent(ctx({ openOrders: [order('buy')] }))), 'reject:DUPLICATE_INTENT');
    assert.equal(code(checkDuplicateIntent(ctx({ openOrders: [order('buy', 'partially_filled')] }))), 'reject:DUPLICATE_INTENT');
  });

  it('ignores the other side, final orders and other symbols', () => {
    assert.equal(code(checkDuplicateIntent(ctx({ openOrders: [order('sell')] }))), 'ok');
    assert.equal(code(checkDuplicateIntent(ctx({ openOrders: [order('buy', 'filled'), order('buy', 'canceled')] }))), 'ok');
    assert.equal(code(checkDuplicateIntent(ctx({ openOrders: [order('buy', 'new', 'MSFT')] }))), 'ok');
    assert.equal(code(checkDuplicateIntent(ctx())), 'ok');
  });
});

describe('PRE_TRADE_CHECKS', () => {
  it('lists every control of the seed once', () => {
    assert.deepEqual(PRE_TRADE_CHECKS.map(([name]) => name), [
      'trading_state', 'daily_loss', 'restricted_symbol', 'asset_tradable', 'price', 'duplicate_intent', 'price_collar', 'market_quote', 'shorting',
      'orders_per_day', 'order_notional', 'position_size', 'position_risk', 'sector_exposure', 'sector_net_exposure', 'correlated_exposure',
      'gross_exposure', 'net_exposure',
    ]);
  });
});

describe('checkMarketQuote (defaults: 600 s, 200 bps)', () => {
  const quote = (bid: number, ask: number, timestamp = '2026-12-01T15:00:00Z') => ({ symbol: 'AAPL', bid, ask, last: (bid + ask) / 2, timestamp });

  it('approves a fresh, narrow quote', () => {
    // (100.10 − 99.90) / 100 = 20 bps, 60 s old.
    assert.equal(checkMarketQuote(ctx({ quote: quote(99.9, 100.1), asOf: '2026-12-01T15:01:00Z' })).ok, true);
  });

  it('refuses a crossed quote, a stale one and a wide spread, each with its figure', () => {
    const crossed = checkMarketQuote(ctx({ quote: quote(101, 99), asOf: '2026-12-01T15:00:10Z' }));
    assert.deepEqual(crossed, { ok: false, code: 'QUOTE_CROSSED', detail: 'bid $101 is above ask $99: no market order on a crossed quote' });
    // 15:00:00 → 15:10:01 is 601 s, above 600.
    const stale = checkMarketQuote(ctx({ quote: quote(99.9, 100.1), asOf: '2026-12-01T15:10:01Z' }));
    assert.deepEqual(stale, { ok: false, code: 'QUOTE_STALE', detail: 'the quote is 601 s old; max_quote_age_seconds is 600' });
    // (103 − 97) / 100 = 600 bps.
    const wide = checkMarketQuote(ctx({ quote: quote(97, 103), asOf: '2026-12-01T15:00:10Z' }));
    assert.deepEqual(wide, { ok: false, code: 'SPREAD_TOO_WIDE', detail: 'spread 600 bps ($97 × $103) exceeds max_spread_bps 200' });
  });

  it('leaves limit orders to their own price protection', () => {
    assert.equal(checkMarketQuote(ctx({ quote: quote(97, 103), limitPrice: 100, asOf: '2026-12-01T15:00:10Z' })).ok, true);
  });
});
