import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities/deps';
import { createPlanningActivities } from '../../src/activities/planning';
import type { MarketSnapshot, PlanResult } from '../../src/contracts/plan';
import type { BrokerPort } from '../../src/broker/port';
import { executionConfigSchema, type ExecutionConfig } from '../../src/config-schema';
import { clientOrderIdFor } from '../../src/domain/client-order-id';
import { validateOrderIntent } from '../../src/domain/orders';
import { costPriceFor, planDay, proceedsPriceFor, referencePrice, type PlanInput } from '../../src/domain/plan';
import type { Account, Asset, Quote } from '../../src/domain/types';
import { buildPlanInput, configModel, openOrder, position, scenarioModel, symbolStateModel, type ScenarioShape } from '../support/plan-scenarios';

type ConfigOverrides = { [K in keyof ExecutionConfig]?: Partial<ExecutionConfig[K]> };

function config(overrides: ConfigOverrides = {}): ExecutionConfig {
  return executionConfigSchema.parse(overrides);
}

const account: Account = {
  id: 'a', accountNumber: 'PA1', status: 'ACTIVE', currency: 'USD', cash: 100_000, equity: 100_000, lastEquity: 100_000,
  buyingPower: 100_000, longMarketValue: 0, shortMarketValue: 0, tradingBlocked: false, shortingEnabled: true,
};

function quote(symbol: string, last: number, spread = 0): Quote {
  return { symbol, bid: last - spread, ask: last + spread, last, timestamp: '2024-01-02T15:00:00Z' };
}

function asset(symbol: string, overrides: Partial<Asset> = {}): Asset {
  return { symbol, name: symbol, tradable: true, active: true, shortable: true, easyToBorrow: true, fractionable: true, ...overrides };
}

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'NVDA', 'TSLA', 'XOM'];

function input(overrides: Partial<PlanInput> & { configOverrides?: ConfigOverrides } = {}): PlanInput {
  const { configOverrides, ...rest } = overrides;
  return {
    runId: 'daily-main-2024-01-02',
    signals: [],
    account,
    positions: [],
    openOrders: [],
    quotes: Object.fromEntries(SYMBOLS.map((symbol) => [symbol, quote(symbol, 100)])),
    assets: Object.fromEntries(SYMBOLS.map((symbol) => [symbol, asset(symbol)])),
    sectors: { AAPL: 'Tech', MSFT: 'Tech', GOOG: 'Tech', NVDA: 'Tech', XOM: 'Energy' },
    config: config(configOverrides),
    tradingState: 'ACTIVE',
    ordersSubmittedToday: 0,
    ...rest,
  };
}

const decision = (plan: ReturnType<typeof planDay>, symbol: string) => {
  const found = plan.decisions.find((d) => d.symbol === symbol);
  assert.ok(found, `no decision for ${symbol}`);
  return found;
};

describe('planDay', () => {
  it('plans the seed example: buys a long, sells a long the signal turned against, explains every symbol', () => {
    const plan = planDay(input({
      signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: -0.5 }, { symbol: 'GOOG', strength: 0.05 }, { symbol: 'NVDA', strength: 0.05 }],
      positions: [position('MSFT', 20, 100), position('NVDA', 10, 100), position('TSLA', 5, 100)],
    }));
    assert.deepEqual(plan.orders, [
      { clientOrderId: clientOrderIdFor('daily-main-2024-01-02', 'MSFT', 'sell'), symbol: 'MSFT', side: 'sell', type: 'market', timeInForce: 'day', qty: 20 },
      { clientOrderId: clientOrderIdFor('daily-main-2024-01-02', 'AAPL', 'buy'), symbol: 'AAPL', side: 'buy', type: 'market', timeInForce: 'day', qty: 80 },
    ]);
    assert.deepEqual(plan.decisions.map((d) => [d.symbol, d.outcome]),
      [['AAPL', 'order'], ['GOOG', 'skipped'], ['MSFT', 'order'], ['NVDA', 'no_change'], ['TSLA', 'no_change']]);
    assert.match(decision(plan, 'GOOG').reason, /^BELOW_THRESHOLD/);
    assert.match(decision(plan, 'NVDA').reason, /^BELOW_THRESHOLD.*kept/);
    assert.match(decision(plan, 'TSLA').reason, /^NO_SIGNAL/);
    assert.ok(decision(plan, 'MSFT').checks.some((c) => c.code === 'SHORTING_NOT_ALLOWED' && c.outcome === 'resize'));
    const aapl = decision(plan, 'AAPL');
    assert.deepEqual([aapl.targetWeight, aapl.targetQty, aapl.intendedQty, aapl.finalQty], [0.08, 80, 80, 80]);
    assert.ok(aapl.checks.some((c) => c.check === 'sector_exposure' && c.outcome === 'approve'));
    assert.deepEqual(plan.rejected, []);
    assert.equal(plan.tradingState, 'ACTIVE');
  });

  it('prices limit orders past the quote by limit_offset_bps, on the tick', () => {
    const plan = planDay(input({
      configOverrides: { execution: { order_type: 'limit', limit_offset_bps: 10 } },
      signals: [{ symbol: 'AAPL', strength: 0.5 }, { symbol: 'MSFT', strength: -0.5 }, { symbol: 'XOM', strength: 0.5 }],
      positions: [position('MSFT', 20, 100)],
      quotes: { AAPL: quote('AAPL', 100, 0.05), MSFT: quote('MSFT', 100, 0.05), XOM: quote('XOM', 0.5, 0.0001) },
    }));
    const byBuySymbol = Object.fromEntries(plan.orders.map((o) => [o.symbol, o]));
    assert.equal(byBuySymbol.AAPL?.limitPrice, 100.16, '100.05 × 1.001 = 100.150.. rounded up');
    assert.equal(byBuySymbol.MSFT?.limitPrice, 99.85, '99.95 × 0.999 = 99.850.. rounded down');
    assert.equal(byBuySymbol.XOM?.limitPrice, 0.5007, 'sub-dollar: 0.5001 × 1.001 = 0.5006001, four decimals, rounded up');
    for (const order of plan.orders) assert.equal(order.type, 'limit');
  });

  it('halts on a daily-loss breach and reports the new trading state', () => {
    const plan = planDay(input({
      account: { ...account, equity: 97_000 },
      signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: -0.5 }],
      positions: [position('MSFT', 20, 100)],
    }));
    assert.equal(plan.tradingState, 'HALTED');
    assert.deepEqual(plan.orders, []);
    assert.deepEqual(plan.rejected.map((r) => [r.symbol, r.code]), [['*', 'DAILY_LOSS_LIMIT'], ['AAPL', 'TRADING_HALTED'], ['MSFT', 'TRADING_HALTED']]);
    // (97,000 − 100,000) / 100,000 = −3%, through the 2% limit: the figure, once, before the per-symbol verdicts.
    assert.equal(plan.rejected[0]!.detail, '-3% of start equity $100,000 (equity $97,000; max_daily_loss 2%); trading state HALTED');
  });

  it('in REDUCING after a breach, sells that shrink positions pass and buys do not', () => {
    const plan = planDay(input({
      configOverrides: { risk_management: { on_daily_loss_breach: 'REDUCING' } },
      account: { ...account, equity: 97_000 },
      signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: -0.5 }],
      positions: [position('MSFT', 20, 100)],
    }));
    assert.equal(plan.tradingState, 'REDUCING');
    assert.deepEqual(plan.orders.map((o) => [o.symbol, o.side, o.qty]), [['MSFT', 'sell', 20]]);
    assert.deepEqual(plan.rejected.map((r) => [r.symbol, r.code]), [['*', 'DAILY_LOSS_LIMIT'], ['AAPL', 'REDUCING_ONLY']]);
  });

  it('never exceeds max_orders_per_day, giving reducing orders the remaining slots', () => {
    const plan = planDay(input({
      configOverrides: { risk_management: { max_orders_per_day: 10 } },
      ordersSubmittedToday: 9,
      signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: -0.5 }],
      positions: [position('MSFT', 20, 100)],
    }));
    assert.deepEqual(plan.orders.map((o) => o.symbol), ['MSFT']);
    assert.deepEqual(plan.rejected, [{ symbol: 'AAPL', code: 'MAX_ORDERS_PER_DAY', detail: '10 orders today reach max_orders_per_day 10' }]);
  });

  it('limits buys to the buying power the account has now: a sell\'s proceeds do not fund the buys sent with it', () => {
    // $1,000 of buying power, AAPL at $100 with no spread, valued as Alpaca values a market buy (4% above):
    // 1,000 / 104 = 9.6, so 9 whole shares. Counting the MSFT sale (20 × $100) would have allowed 28, which the
    // broker refuses: it frees buying power only when the sale fills.
    const plan = planDay(input({
      account: { ...account, buyingPower: 1_000 },
      signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: -0.5 }],
      positions: [position('MSFT', 20, 100)],
    }));
    assert.deepEqual(plan.orders.map((o) => [o.symbol, o.qty]), [['MSFT', 20], ['AAPL', 9]]);
    const aapl = decision(plan, 'AAPL');
    assert.ok(aapl.checks.some((c) => c.code === 'BUYING_POWER' && c.outcome === 'resize'));
    assert.match(aapl.reason, /resized from 80/);
  });

  it('caps the portfolio\'s gross and net exposure as fractions of equity', () => {
    // Equity $100,000 holding MSFT 200 × $100 = $20,000. AAPL at 1.0 wants 10% = $10,000 = 100 shares.
    // max_gross_exposure 0.25: cap $25,000, room $25,000 − $20,000 = $5,000 = 50 shares.
    const gross = planDay(input({
      signals: [{ symbol: 'AAPL', strength: 1.0 }], positions: [position('MSFT', 200, 100)],
      configOverrides: { risk_management: { max_gross_exposure: 0.25, max_sector_exposure: 1 } },
    }));
    assert.deepEqual(gross.orders.map((o) => [o.symbol, o.qty]), [['AAPL', 50]]);
    assert.ok(decision(gross, 'AAPL').checks.some((c) => c.code === 'GROSS_EXPOSURE_EXCEEDED' && c.outcome === 'resize'));
    // max_net_exposure 0.15: the book is already $20,000 net long, above the $15,000 cap: no buy may add to it. The
    // position cap has already cut AAPL to 96 shares (a market buy valued at its worst fill, $100 × 1.04 = $104:
    // $10,000 / $104 = 96.15), so the refused net is $20,000 + 96 × $100 = $29,600.
    const net = planDay(input({
      signals: [{ symbol: 'AAPL', strength: 1.0 }], positions: [position('MSFT', 200, 100)],
      configOverrides: { risk_management: { max_net_exposure: 0.15, max_sector_exposure: 1 } },
    }));
    assert.deepEqual(net.orders, []);
    assert.equal(net.rejected[0]?.code, 'NET_EXPOSURE_EXCEEDED');
    assert.match(net.rejected[0]?.detail ?? '', /^net exposure \$29600 would exceed max_net_exposure × equity \$15000/);
  });

  it('gives scarce capacity to conviction, not to the ticker first in the alphabet, and says who took it', () => {
    // One order slot left; AAPL at 0.4 sorts first by ticker, XOM at 1.0 is wanted more: weights 0.4 × 10% = 4% and
    // 1.0 × 10% = 10% of equity, convictions 0.4 × 0.04 = 0.016 and 1.0 × 0.1 = 0.1. XOM's 100 shares are cut to
    // what the $10,000 cap holds at a market buy's worst fill, $100 × 1.04: 10,000 / 104 = 96.15, so 96.
    const plan = planDay(input({
      signals: [{ symbol: 'AAPL', strength: 0.4 }, { symbol: 'XOM', strength: 1.0 }],
      configOverrides: { risk_management: { max_orders_per_day: 1 } },
    }));
    assert.deepEqual(plan.orders.map((o) => [o.symbol, o.qty]), [['XOM', 96]]);
    assert.deepEqual(plan.rejected, [{
      symbol: 'AAPL', code: 'MAX_ORDERS_PER_DAY',
      detail: '1 orders today reach max_orders_per_day 1; capacity went first to stronger signals: XOM (0.1)',
    }]);
  });

  it('rejects a buy when no buying power is left and skips one resized below min_trade_size', () => {
    const none = planDay(input({ account: { ...account, buyingPower: 0 }, signals: [{ symbol: 'AAPL', strength: 0.8 }] }));
    assert.deepEqual(none.rejected.map((r) => r.code), ['BUYING_POWER']);
    const tiny = planDay(input({ account: { ...account, buyingPower: 95 }, quotes: { AAPL: quote('AAPL', 30) }, signals: [{ symbol: 'AAPL', strength: 0.8 }] }));
    assert.deepEqual(tiny.orders, []);
    assert.match(decision(tiny, 'AAPL').reason, /^BELOW_MIN_TRADE/);
  });

  it('rejects restricted, unknown and unpriced symbols with a code', () => {
    const plan = planDay(input({
      configOverrides: { risk_management: { restricted_symbols: ['TSLA'] } },
      signals: [{ symbol: 'TSLA', strength: 0.8 }, { symbol: 'ZZZ', strength: 0.8 }, { symbol: 'NVDA', strength: 0.8 }, { symbol: 'XOM', strength: 0.8 }],
      assets: { TSLA: asset('TSLA'), NVDA: asset('NVDA'), XOM: asset('XOM', { tradable: false }) },
      quotes: { TSLA: quote('TSLA', 100), ZZZ: quote('ZZZ', 100), XOM: quote('XOM', 100) },
    }));
    assert.deepEqual(plan.orders, []);
    assert.deepEqual(plan.rejected.map((r) => [r.symbol, r.code]),
      [['NVDA', 'NO_PRICE'], ['TSLA', 'RESTRICTED_SYMBOL'], ['XOM', 'ASSET_NOT_TRADABLE'], ['ZZZ', 'ASSET_NOT_TRADABLE']]);
    assert.ok(plan.decisions.every((d) => d.outcome === 'rejected'));
  });

  it('counts open orders as pending; a second order on the same side is a DUPLICATE_INTENT, the opposite side is not', () => {
    const plan = planDay(input({ signals: [{ symbol: 'AAPL', strength: 0.8 }], openOrders: [openOrder('AAPL', 'buy', 30)] }));
    assert.deepEqual(plan.orders, []);
    assert.equal(decision(plan, 'AAPL').intendedQty, 50, 'the rest of the target after the pending 30');
    assert.deepEqual(plan.rejected.map((r) => r.code), ['DUPLICATE_INTENT']);
    assert.match(plan.rejected[0]!.detail, /open buy order old\.AAPL/);
    const opposite = planDay(input({ signals: [{ symbol: 'AAPL', strength: 0.8 }], positions: [position('AAPL', 100, 100)], openOrders: [openOrder('AAPL', 'buy', 10)] }));
    assert.deepEqual(opposite.orders.map((o) => [o.side, o.qty]), [['sell', 30]], '100 held + 10 pending − target 80');
    const done = planDay(input({ signals: [{ symbol: 'AAPL', strength: 0.8 }], openOrders: [openOrder('AAPL', 'buy', 80)] }));
    assert.equal(decision(done, 'AAPL').outcome, 'no_change');
  });

  it('resizes the later buys of one sector to the sector headroom', () => {
    const plan = planDay(input({
      configOverrides: { risk_management: { max_sector_exposure: 0.15 } },
      signals: [{ symbol: 'AAPL', strength: 1 }, { symbol: 'MSFT', strength: 1 }, { symbol: 'XOM', strength: 1 }],
    }));
    // Full strength is 100 shares at $100, cut by the position cap at the worst fill $104 to 96 ($10,000 / $104 =
    // 96.15); MSFT gets the Tech headroom $15,000 − 96 × $100 = $5,400: 54 shares.
    assert.deepEqual(plan.orders.map((o) => [o.symbol, o.qty]), [['AAPL', 96], ['MSFT', 54], ['XOM', 96]]);
    assert.ok(decision(plan, 'MSFT').checks.some((c) => c.code === 'SECTOR_EXPOSURE_EXCEEDED'));
  });

  it('opens shorts in whole shares when allowed and closes a long before flipping', () => {
    const plan = planDay(input({
      configOverrides: { position_sizing: { allow_shorts: true, fractional: true } },
      signals: [{ symbol: 'AAPL', strength: -0.55 }, { symbol: 'MSFT', strength: -0.5 }],
      positions: [position('MSFT', 20, 100)],
      quotes: { AAPL: quote('AAPL', 300), MSFT: quote('MSFT', 100) },
    }));
    assert.deepEqual(plan.orders.map((o) => [o.symbol, o.side, o.qty]), [['AAPL', 'sell', 18], ['MSFT', 'sell', 20]]);
    assert.ok(decision(plan, 'MSFT').checks.some((c) => c.code === 'POSITION_FLIP_DEFERRED'));
  });

  it('buys fractional shares when configured and the asset allows', () => {
    const plan = planDay(input({
      configOverrides: { position_sizing: { fractional: true } },
      signals: [{ symbol: 'AAPL', strength: 0.5 }, { symbol: 'MSFT', strength: 0.5 }],
      quotes: { AAPL: quote('AAPL', 300), MSFT: quote('MSFT', 300) },
      assets: { AAPL: asset('AAPL'), MSFT: asset('MSFT', { fractionable: false }) },
    }));
    assert.deepEqual(plan.orders.map((o) => [o.symbol, o.qty]), [['AAPL', 16.666666666], ['MSFT', 16]]);
  });

  it('uses only the first of duplicate signals and plans nothing when execution is disabled', () => {
    const duplicated = planDay(input({ signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'AAPL', strength: -0.8 }] }));
    assert.deepEqual(duplicated.orders.map((o) => [o.symbol, o.side]), [['AAPL', 'buy']]);
    assert.deepEqual(duplicated.rejected.map((r) => r.code), ['DUPLICATE_SIGNAL']);
    const disabled = planDay(input({ configOverrides: { execution: { enabled: false } }, signals: [{ symbol: 'AAPL', strength: 0.8 }] }));
    assert.deepEqual(disabled.orders, []);
    assert.match(decision(disabled, 'AAPL').reason, /^EXECUTION_DISABLED/);
  });

  it('rejects instead of throwing when the run id makes the client order id too long', () => {
    const plan = planDay(input({ runId: 'x'.repeat(130), signals: [{ symbol: 'AAPL', strength: 0.8 }] }));
    assert.deepEqual(plan.orders, []);
    assert.deepEqual(plan.rejected.map((r) => r.code), ['INVALID_ORDER']);
  });

  it('caps a correlated group’s gross exposure and says which symbols had no return history', () => {
    const symbols = ['AAPL', 'MSFT', 'XOM'];
    const rho: Record<string, number> = { 'AAPL|MSFT': 0.9, 'AAPL|XOM': 0.1, 'MSFT|XOM': 0.2 };
    const correlation = { symbols, values: symbols.map((a) => Float64Array.from(symbols.map((b) => (a === b ? 1 : rho[`${a}|${b}`] ?? rho[`${b}|${a}`]!)))) };
    const plan = planDay(input({
      configOverrides: { risk_management: { max_correlated_exposure: 0.15 } },
      signals: [{ symbol: 'AAPL', strength: 1 }, { symbol: 'MSFT', strength: 1 }, { symbol: 'XOM', strength: 1 }, { symbol: 'TSLA', strength: 1 }],
      correlation,
    }));
    // 96 shares each (the $10,000 cap at the worst fill $104); MSFT the group's headroom $15,000 − $9,600 = 54 shares.
    assert.deepEqual(plan.orders.map((o) => [o.symbol, o.qty]), [['AAPL', 96], ['MSFT', 54], ['TSLA', 96], ['XOM', 96]]);
    const msft = decision(plan, 'MSFT').checks.find((c) => c.check === 'correlated_exposure');
    assert.equal(msft?.code, 'CORRELATED_EXPOSURE_EXCEEDED');
    assert.match(msft?.detail ?? '', /AAPL\+MSFT/);
    assert.equal(decision(plan, 'XOM').checks.find((c) => c.check === 'correlated_exposure')?.code, 'OK');
    assert.equal(decision(plan, 'TSLA').checks.find((c) => c.check === 'correlated_exposure')?.code, 'CORRELATION_UNKNOWN');
    assert.equal(decision(plan, 'TSLA').checks.find((c) => c.check === 'position_risk')?.code, 'VOLATILITY_UNKNOWN');
  });

  it('rejects a limit order priced off a stale book outside the collar, and records every check on an order', () => {
    const plan = planDay(input({
      configOverrides: { execution: { order_type: 'limit' }, risk_management: { price_collar_pct: 0.05 } },
      signals: [{ symbol: 'AAPL', strength: 0.5 }, { symbol: 'MSFT', strength: 0.5 }],
      quotes: { AAPL: { symbol: 'AAPL', bid: 99.9, ask: 107, last: 100, timestamp: 't' }, MSFT: quote('MSFT', 100, 0.05) },
    }));
    assert.deepEqual(plan.orders.map((o) => o.symbol), ['MSFT']);
    assert.equal(plan.rejected[0]?.code, 'PRICE_COLLAR');
    assert.match(plan.rejected[0]!.detail, /limit price \$107.11 is 7.11% from the last price \$100/);
    assert.deepEqual(decision(plan, 'MSFT').checks.map((c) => c.check), [
      'sizing', 'restricted_symbol', 'asset_tradable', 'price', 'rebalance_band', 'trading_state', 'daily_loss', 'duplicate_intent',
      'price_collar', 'market_quote', 'shorting', 'orders_per_day', 'order_notional', 'position_size', 'position_risk', 'sector_exposure',
      'sector_net_exposure', 'correlated_exposure', 'gross_exposure', 'net_exposure', 'buying_power',
    ]);
  });

  it('values with the last trade, else the midpoint', () => {
    assert.equal(referencePrice(quote('A', 10, 1)), 10);
    assert.equal(referencePrice({ ...quote('A', 0, 0), bid: 9, ask: 11 }), 10);
    assert.equal(referencePrice({ ...quote('A', 0, 0), bid: 0, ask: 11 }), null);
    assert.equal(referencePrice(undefined), null);
  });
});

describe('planDay property: approved orders never break a limit', () => {
  const UNIVERSE = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG', 'BRK.B'];
  const shape: ScenarioShape = {
    universe: UNIVERSE, zeroHeldWeight: 1, zeroPendingWeight: 1, signalFreq: 4, volatilityFreq: 6, sectors: ['Tech', 'Energy', 'Health', undefined], maxOrders: 12,
  };
  const scenario = fc.record(scenarioModel(shape, fc.record(symbolStateModel(shape)), fc.record(configModel(shape))));

  it('holds for random holdings, prices, signals and limits', () => {
    let cases = 0;
    let casesWithOrders = 0;
    let orders = 0;
    let resized = 0;
    fc.assert(fc.property(scenario, (s) => {
      cases += 1;
      const c = s.config;
      const plan = buildPlanInput(UNIVERSE, s);
      const acct = plan.account;

      const result = planDay(plan);
      casesWithOrders += result.orders.length > 0 ? 1 : 0;
      orders += result.orders.length;
      resized += result.decisions.filter((d) => d.outcome === 'order' && d.checks.some((v) => v.outcome === 'resize')).length;
      assert.deepEqual(planDay(plan), result, 'deterministic');
      assert.ok(result.orders.length <= Math.max(0, c.maxOrders - s.ordersSubmittedToday), 'max_orders_per_day');
      if (result.tradingState === 'HALTED') assert.equal(result.orders.length, 0);
      assert.equal(new Set(result.orders.map((o) => o.clientOrderId)).size, result.orders.length);

      let spend = 0;
      for (const order of result.orders) {
        const i = UNIVERSE.indexOf(order.symbol);
        const st = s.states[i]!;
        const q = plan.quotes[order.symbol];
        assert.ok(q, 'orders only for quoted symbols');
        assert.ok(!s.restricted.includes(order.symbol), `restricted ${order.symbol} traded`);
        assert.ok(validateOrderIntent(order).ok, 'valid intent');
        const ref = referencePrice(q)!;
        const qty = order.qty!;
        const before = st.held + st.pending;
        const after = before + (order.side === 'buy' ? qty : -qty);
        const reducing = before !== 0 && Math.abs(after) < Math.abs(before) + 1e-9 && Math.sign(after) !== -Math.sign(before);
        const cap = c.maxPosition * s.equity;
        assert.ok(reducing || Math.abs(after) * ref <= cap + ref + 1e-6, `${order.symbol}: |${after}| × ${ref} > cap ${cap}`);
        if (!c.allowShorts) assert.ok(after >= -1e-9 || reducing, 'no new shorts when shorts are off');
        const spends = !reducing || order.side === 'buy';
        spend += spends ? qty * costPriceFor(order.side, ref, q, order.limitPrice) : -qty * proceedsPriceFor(ref, q, order.limitPrice);
      }
      assert.ok(spend <= acct.buyingPower + 1e-6 * Math.max(1, acct.buyingPower), `spent ${spend} > buying power ${acct.buyingPower}`);
    }), { numRuns: 1_000, seed: 20240102 });
    console.log(`planDay property: ${cases} generated cases, ${casesWithOrders} with orders, ${orders} orders (${resized} resized)`);
  });
});

describe('planOrders activity: reads the bars itself and degrades without them', () => {
  const snapshot: MarketSnapshot = {
    account, positions: [position('MSFT', 10, 100)], openOrders: [],
    // Quotes a minute old at the snapshot's clock: fresh enough to trade at market.
    quotes: { AAPL: { ...quote('AAPL', 100), timestamp: '2024-06-03T14:59:00Z' }, MSFT: { ...quote('MSFT', 100), timestamp: '2024-06-03T14:59:00Z' } },
    assets: { AAPL: asset('AAPL'), MSFT: asset('MSFT') },
    clock: { timestamp: '2024-06-03T15:00:00Z', isOpen: true, nextOpen: '', nextClose: '' },
  };
  const closes = (drift: number) => Array.from({ length: 300 }, (_, i) => ({
    date: new Date(Date.UTC(2023, 5, 1 + i)).toISOString().slice(0, 10), open: 1, high: 1, low: 1, close: 100 * Math.exp(0.01 * Math.sin(i * drift)), volume: 1,
  }));

  function run(getDailyBars: BrokerPort['getDailyBars']) {
    const requests: Array<[string[], string, string]> = [];
    const broker = { getDailyBars: async (s: string[], start: string, end: string) => (requests.push([s, start, end]), getDailyBars(s, start, end)) } as unknown as BrokerPort;
    const deps = { brokerFor: () => broker, config: config(), sectors: {}, accountStates: {} } as unknown as ActivityDeps;
    const { planOrders } = createPlanningActivities(deps);
    const request = { runId: 'daily-main-2024-06-03', signals: [{ symbol: 'AAPL', strength: 0.5 }], snapshot, tradingState: 'ACTIVE' as const, ordersSubmittedToday: 0 };
    return (new MockActivityEnvironment().run(planOrders, request) as Promise<PlanResult>).then((plan) => ({ plan, requests }));
  }

  it('asks for a year of bars of the signal and held symbols and plans with their statistics', async () => {
    const { plan, requests } = await run(async () => ({ AAPL: closes(1.3), MSFT: closes(1.7) }));
    assert.deepEqual(requests[0]?.[0], ['AAPL', 'MSFT']);
    assert.ok(Date.parse(requests[0]![2]) - Date.parse(requests[0]![1]) >= 365 * 86_400_000);
    assert.deepEqual(plan.marketData?.missing, []);
    const aapl = plan.decisions.find((d) => d.symbol === 'AAPL')!;
    assert.equal(aapl.checks.find((c) => c.check === 'position_risk')?.code, 'OK');
    assert.equal(aapl.checks.find((c) => c.check === 'correlated_exposure')?.code, 'OK');
  });

  it('plans without statistics when the bars request fails, and every affected verdict says so', async () => {
    const { plan } = await run(async () => {
      throw new Error('bars endpoint down');
    });
    assert.equal(plan.marketData?.error, 'bars endpoint down');
    assert.deepEqual(plan.orders.map((o) => o.symbol), ['AAPL']);
    const codes = plan.decisions.find((d) => d.symbol === 'AAPL')!.checks.map((c) => c.code);
    assert.ok(codes.includes('VOLATILITY_UNKNOWN') && codes.includes('CORRELATION_UNKNOWN'));
  });
});
