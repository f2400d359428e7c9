import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executionConfigSchema, type ExecutionConfig } from '../../src/config-schema';
import { checkMaxTradeSize, compareTrades, fitToBuyingPower, pendingQuantities, rebalanceSymbol, type RebalanceInput } from '../../src/domain/rebalance';
import { fractionalAllowed, portfolioVolatility, shortingAllowed, sizeSignals, targetQuantity } from '../../src/domain/sizing';
import type { Account, Asset, BrokerOrder } from '../../src/domain/types';

function config(overrides: { [K in keyof ExecutionConfig]?: Partial<ExecutionConfig[K]> } = {}): ExecutionConfig {
  return executionConfigSchema.parse(overrides);
}

const weights = (cfg: ExecutionConfig, signals: [string, number][], volatility?: Record<string, number>) =>
  Object.fromEntries(sizeSignals(signals.map(([symbol, strength]) => ({ symbol, strength })), cfg, volatility).map((s) => [s.symbol, s.weight]));

describe('sizeSignals', () => {
  it('signal_proportional: strength × max_position_size', () => {
    assert.deepEqual(weights(config(), [['AAPL', 0.8], ['MSFT', -0.5]]), { AAPL: 0.08, MSFT: -0.05 });
  });

  it('below signal_threshold gives weight 0 with BELOW_THRESHOLD; exactly the threshold passes', () => {
    const sized = sizeSignals([{ symbol: 'A', strength: 0.09 }, { symbol: 'B', strength: 0.1 }, { symbol: 'C', strength: 0 }], config());
    assert.deepEqual(sized.map((s) => [s.symbol, s.passed, s.code]), [['A', false, 'BELOW_THRESHOLD'], ['B', true, 'SIGNAL_PROPORTIONAL'], ['C', false, 'BELOW_THRESHOLD']]);
    assert.equal(sized[0]?.weight, 0);
  });

  it('a zero threshold still never sizes a zero signal', () => {
    assert.deepEqual(weights(config({ execution: { signal_threshold: 0 } }), [['A', 0]]), { A: 0 });
  });

  it('equal_weight: sign × min(max_position_size, 1/N) over passing signals only', () => {
    const cfg = config({ position_sizing: { method: 'equal_weight', max_position_size: 0.5 } });
    assert.deepEqual(weights(cfg, [['A', 0.9], ['B', -0.2], ['C', 0.05], ['D', 0.3]]), { A: 0.3333333333, B: -0.3333333333, C: 0, D: 0.3333333333 });
    assert.deepEqual(weights(config({ position_sizing: { method: 'equal_weight' } }), [['A', 0.2], ['B', 0.2]]), { A: 0.1, B: 0.1 });
  });

  it('inverse_volatility: normalized 1/σ, capped; falls back to signal_proportional without σ and says so', () => {
    const cfg = config({ position_sizing: { method: 'inverse_volatility', max_position_size: 0.6 } });
    const sized = sizeSignals([{ symbol: 'A', strength: 0.5 }, { symbol: 'B', strength: -0.5 }, { symbol: 'C', strength: 0.5 }], cfg, { A: 0.2, B: 0.4 });
    assert.ok(Math.abs((sized[0]?.weight ?? 0) - 0.6) < 1e-12, 'A: (1/0.2)/(1/0.2+1/0.4) = 2/3, capped at 0.6');
    assert.ok(Math.abs((sized[1]?.weight ?? 0) + 1 / 3) < 1e-9);
    assert.equal(sized[2]?.code, 'VOLATILITY_FALLBACK');
    assert.match(sized[2]?.detail ?? '', /no volatility for C, fell back to signal_proportional/);
    assert.equal(sized[2]?.weight, 0.3);
  });

  it('volatility_target: scales the weights so sqrt(wᵀΣw) = target_volatility, capped by max_position_size; bad σ falls back', () => {
    const cfg = config({ position_sizing: { method: 'volatility_target', target_volatility: 0.1, max_position_size: 1 } });
    // A and B: σ 0.2 and 0.3, ρ 0.5; unscaled weights 1 and −0.5, σp 0.18, so k ≈ 0.555.
    const covariance = { symbols: ['A', 'B'], values: [Float64Array.from([0.04, 0.03]), Float64Array.from([0.03, 0.09])] };
    const sized = sizeSignals([{ symbol: 'A', strength: 1 }, { symbol: 'B', strength: -0.5 }, { symbol: 'C', strength: 1 }], cfg, { A: 0.2, B: 0.3, C: 0 }, covariance);
    const weights = [sized[0]!.weight, sized[1]!.weight];
    const vol = Math.sqrt(weights[0]! ** 2 * 0.04 + 2 * weights[0]! * weights[1]! * 0.03 + weights[1]! ** 2 * 0.09);
    assert.ok(Math.abs(vol - 0.1) < 1e-9, `portfolio σ ${vol}`);
    assert.ok(Math.abs(weights[0]! / weights[1]! + 2) < 1e-9, 'relative weights are the signals’');
    assert.equal(sized[0]?.code, 'VOLATILITY_TARGET');
    assert.match(sized[0]!.detail, /target_volatility 0.1/);
    assert.equal(sized[2]?.code, 'VOLATILITY_FALLBACK');
    assert.equal(sized[2]?.weight, 1);
  });

  it('volatility_target: caps at max_position_size and treats pairs missing from Σ as perfectly correlated', () => {
    const capped = sizeSignals([{ symbol: 'A', strength: 1 }], config({ position_sizing: { method: 'volatility_target', target_volatility: 1, max_position_size: 0.1 } }), { A: 0.2 });
    assert.equal(capped[0]?.weight, 0.1, 'k = 1 / 0.02 = 50 would give 5; capped');
    const cfg = config({ position_sizing: { method: 'volatility_target', target_volatility: 0.1, max_position_size: 1 } });
    const sized = sizeSignals([{ symbol: 'A', strength: 1 }, { symbol: 'B', strength: 1 }], cfg, { A: 0.2, B: 0.2 });
    // ρ = 1: σp = 0.2 × (wA + wB), so each weight is 0.25.
    assert.ok(Math.abs(sized[0]!.weight - 0.25) < 1e-9 && Math.abs(sized[1]!.weight - 0.25) < 1e-9);
    assert.ok(Math.abs(portfolioVolatility([['A', 0.25], ['B', 0.25]], (s) => ({ A: 0.2, B: 0.2 })[s]) - 0.1) < 1e-12);
  });
});

const account = { shortingEnabled: true } as Account;
const asset = (overrides: Partial<Asset> = {}): Asset => ({
  symbol: 'A', name: 'A', tradable: true, active: true, shortable: true, easyToBorrow: true, fractionable: true, ...overrides,
});

describe('shortingAllowed / fractionalAllowed / targetQuantity', () => {
  it('needs allow_shorts, account shorting and a shortable asset', () => {
    assert.equal(shortingAllowed(config(), account, asset()).allowed, false);
    const shorts = config({ position_sizing: { allow_shorts: true } });
    assert.equal(shortingAllowed(shorts, account, asset()).allowed, true);
    assert.equal(shortingAllowed(shorts, { shortingEnabled: false } as Account, asset()).allowed, false);
    assert.equal(shortingAllowed(shorts, account, asset({ shortable: false })).allowed, false);
    assert.equal(shortingAllowed(shorts, account, undefined).allowed, false);
  });

  it('fractional needs config and a fractionable asset', () => {
    assert.equal(fractionalAllowed(config(), asset()), false);
    assert.equal(fractionalAllowed(config({ position_sizing: { fractional: true } }), asset({ fractionable: false })), false);
    assert.equal(fractionalAllowed(config({ position_sizing: { fractional: true } }), asset()), true);
  });

  it('floors toward zero; shorts are whole shares even when fractional', () => {
    assert.equal(targetQuantity(0.1, 100_000, 333, false), 30);
    assert.equal(targetQuantity(0.1, 100_000, 333, true), 30.03003003);
    assert.equal(targetQuantity(-0.1, 100_000, 333, true), -30);
    assert.equal(targetQuantity(0.1, 100_000, 0, false), 0);
  });
});

describe('rebalanceSymbol', () => {
  const input = (overrides: Partial<RebalanceInput>): RebalanceInput => ({
    symbol: 'A', price: 100, currentQty: 0, pendingQty: 0, targetQty: 50, equity: 100_000, config: config(), fractional: false, ...overrides,
  });

  it('trades target − current − pending', () => {
    const result = rebalanceSymbol(input({ currentQty: 10, pendingQty: 15 }));
    assert.equal(result.outcome, 'trade');
    assert.equal(result.tradeQty, 25);
  });

  it('does nothing at the target or within the rebalance band', () => {
    assert.equal(rebalanceSymbol(input({ currentQty: 50 })).code, 'AT_TARGET');
    const inBand = rebalanceSymbol(input({ currentQty: 46 }));
    assert.deepEqual([inBand.outcome, inBand.code], ['no_change', 'DRIFT_WITHIN_BAND']);
    assert.equal(rebalanceSymbol(input({ currentQty: 45 })).outcome, 'trade', 'exactly the band ($500) trades');
  });

  it('clips to max_trade_size and skips below min_trade_size', () => {
    const clipped = rebalanceSymbol(input({ targetQty: 150 }));
    assert.equal(clipped.tradeQty, 100);
    assert.equal(clipped.verdicts.at(-1)?.code, 'MAX_TRADE_SIZE');
    const small = rebalanceSymbol(input({ price: 10, targetQty: 9, config: config({ position_sizing: { rebalance_band: 0 } }) }));
    assert.deepEqual([small.outcome, small.code], ['skipped', 'BELOW_MIN_TRADE']);
    const pricey = rebalanceSymbol(input({ price: 20_000, targetQty: 1 }));
    assert.deepEqual([pricey.outcome, pricey.code], ['skipped', 'MAX_TRADE_SIZE']);
  });

  it('never flips a position in one order: it closes first', () => {
    const result = rebalanceSymbol(input({ currentQty: 30, targetQty: -20 }));
    assert.equal(result.tradeQty, -30);
    assert.ok(result.verdicts.some((v) => v.code === 'POSITION_FLIP_DEFERRED'));
  });

  it('sells a long down to a zero target, whole shares unless fractional', () => {
    assert.equal(rebalanceSymbol(input({ currentQty: 20.5, targetQty: 0 })).tradeQty, -20);
    assert.equal(rebalanceSymbol(input({ currentQty: 20.5, targetQty: 0, fractional: true })).tradeQty, -20.5);
  });

  it('says ROUNDS_TO_ZERO, with the figures, when the weight asks for a change no whole share can make', () => {
    // Weight 0.01 × $100,000 = $1,000 to buy at $1,500 a share: 0.67 of a share, floored to 0; $1,000 ≥ the band $500.
    const opening = rebalanceSymbol(input({ price: 1_500, targetQty: 0, targetWeight: 0.01 }));
    assert.deepEqual([opening.outcome, opening.code, opening.tradeQty], ['skipped', 'ROUNDS_TO_ZERO', 0]);
    assert.equal(opening.detail, 'target weight 0.01 × equity $100000 = $1000 against $0 held and pending (0 × $1500): '
      + 'the change $1000 is less than one whole share at $1500 (fractional off for this symbol)');
    // Held 3 at $2,000 = $6,000; weight 0.07 wants $7,000 = 3.5 shares, floored to 3: the $1,000 change cannot be made.
    const adding = rebalanceSymbol(input({ price: 2_000, currentQty: 3, targetQty: 3, targetWeight: 0.07 }));
    assert.deepEqual([adding.code, adding.detail], ['ROUNDS_TO_ZERO', 'target weight 0.07 × equity $100000 = $7000 against $6000 held and '
      + 'pending (3 × $2000): the change $1000 is less than one whole share at $2000 (fractional off for this symbol)']);
    // A short target is whole shares even when fractional: −0.01 × $100,000 = −$1,000 at $1,500 is −0.67, floored to 0.
    const short = rebalanceSymbol(input({ price: 1_500, targetQty: 0, targetWeight: -0.01, fractional: true }));
    assert.equal(short.code, 'ROUNDS_TO_ZERO');
    assert.match(short.detail, /the change \$-1000 is less than one whole share at \$1500 \(shorts are whole shares\)$/);
    // Half a share held where fractions are off, target 0: delta −0.5 × $1,500 = −$750 reaches the band, but no whole share.
    const crumb = rebalanceSymbol(input({ price: 1_500, currentQty: 0.5, targetQty: 0 }));
    assert.deepEqual([crumb.outcome, crumb.code, crumb.detail],
      ['skipped', 'ROUNDS_TO_ZERO', 'delta -0.5 shares ($-750 at $1500) is less than one whole share (fractional off for this symbol)']);
  });

  it('keeps AT_TARGET for a whole-share target already met and a change inside the band', () => {
    // $400 (weight 0.004 × $100,000) is below the band $500 (0.005 × $100,000): not worth a trade even if it fitted.
    assert.equal(rebalanceSymbol(input({ price: 1_500, targetQty: 0, targetWeight: 0.004 })).code, 'AT_TARGET');
    // Held 80 at $100 against weight 0.0804 ($8,040, 80.4 shares, floored to 80): a $40 residual.
    assert.equal(rebalanceSymbol(input({ currentQty: 80, targetQty: 80, targetWeight: 0.0804 })).code, 'AT_TARGET');
    // Fractional: $1,000 at $1,500 is 0.666666666 shares, so the target is met to the share increment.
    assert.equal(rebalanceSymbol(input({ price: 1_500, currentQty: 0.666666666, targetQty: 0.666666666, targetWeight: 0.01, fractional: true })).code, 'AT_TARGET');
  });

  it('exempts exits from max_trade_size unless max_trade_size_applies_to_exits', () => {
    // Held 300 × $100 = $30,000 to 0: a $30,000 sell, three times max_trade_size $10,000, all of it an exit.
    const exit = rebalanceSymbol(input({ currentQty: 300, targetQty: 0 }));
    assert.equal(exit.tradeQty, -300);
    assert.deepEqual(exit.verdicts.find((v) => v.check === 'max_trade_size'), {
      check: 'max_trade_size', outcome: 'approve', code: 'EXIT_EXEMPT',
      detail: 'notional $30000 exceeds max_trade_size $10000; the exit of 300 shares is exempt (max_trade_size_applies_to_exits is false)',
    });
    // A buy covering a short of 250: $25,000, exempt too.
    assert.equal(rebalanceSymbol(input({ currentQty: -250, targetQty: 0 })).tradeQty, 250);
    // With the option on, the exit is clipped to $10,000 / $100 = 100 shares, as before.
    const throttled = rebalanceSymbol(input({ currentQty: 300, targetQty: 0, config: config({ position_sizing: { max_trade_size_applies_to_exits: true } }) }));
    assert.equal(throttled.tradeQty, -100);
    assert.equal(throttled.verdicts.find((v) => v.check === 'max_trade_size')?.detail, 'notional $30000 exceeds max_trade_size $10000; clipped to 100');
    // Trimming a long (300 → 50) is an exit as well: sell 250 = $25,000.
    assert.equal(rebalanceSymbol(input({ currentQty: 300, targetQty: 50 })).tradeQty, -250);
    // A buy that adds to a long is not: 0 → 150 at $100 is $15,000, clipped to 100.
    assert.equal(rebalanceSymbol(input({ targetQty: 150 })).tradeQty, 100);
  });
});

describe('checkMaxTradeSize: the exit part of an order that crosses zero is exempt, the rest is not', () => {
  it('clips only the part that opens exposure', () => {
    // 150 shares of which 50 close a position: the other 100 × $100 = $10,000 is exactly the limit.
    assert.deepEqual(checkMaxTradeSize(150, 100, config(), false, 50), {
      ok: true, code: 'EXIT_EXEMPT', detail: 'notional $15000 exceeds max_trade_size $10000; the exit of 50 shares is exempt (max_trade_size_applies_to_exits is false)',
    });
    // 250 of which 50 close: 200 × $100 = $20,000 opens exposure; 50 + $10,000 / $100 = 150 remain.
    assert.deepEqual(checkMaxTradeSize(250, 100, config(), false, 50), {
      ok: true, qty: 150, code: 'MAX_TRADE_SIZE',
      detail: 'notional $25000 exceeds max_trade_size $10000; clipped to 150 (an exempt exit of 50 plus 100 within the limit)',
    });
    // With the option on, the exit counts: 10,000 / 100 = 100.
    const on = config({ position_sizing: { max_trade_size_applies_to_exits: true } });
    assert.deepEqual(checkMaxTradeSize(250, 100, on, false, 50), { ok: true, qty: 100, code: 'MAX_TRADE_SIZE', detail: 'notional $25000 exceeds max_trade_size $10000; clipped to 100' });
    assert.deepEqual(checkMaxTradeSize(100, 100, config(), false, 0), { ok: true });
  });
});

describe('pendingQuantities, buying power, ordering', () => {
  const order = (overrides: Partial<BrokerOrder>): BrokerOrder => ({
    id: '1', clientOrderId: 'c', symbol: 'A', side: 'buy', type: 'market', timeInForce: 'day', qty: 10, notional: null, filledQty: 0,
    filledAvgPrice: null, limitPrice: null, stopPrice: null, status: 'new', submittedAt: null, filledAt: null, canceledAt: null,
    expiredAt: null, updatedAt: null, ...overrides,
  });

  it('counts only the unfilled remainder of open orders, signed, notional at the price', () => {
    const pending = pendingQuantities([
      order({ qty: 10, filledQty: 4 }),
      order({ side: 'sell', qty: 3 }),
      order({ status: 'filled', qty: 100 }),
      order({ status: 'done_for_day', qty: 1 }),
      order({ symbol: 'B', qty: null, notional: 500 }),
    ], { A: 10, B: 50 });
    assert.deepEqual(pending, { A: 4, B: 10 });
  });

  it('fits an order to buying power or rejects it', () => {
    assert.deepEqual(fitToBuyingPower(10, 100, 1000, false), { ok: true });
    const resized = fitToBuyingPower(10, 100, 550, false);
    assert.equal(resized.ok && 'qty' in resized ? resized.qty : -1, 5);
    assert.equal(fitToBuyingPower(10, 100, 50, false).ok, false);
    assert.equal(fitToBuyingPower(10, 100, -5, false).ok, false);
    // 10 × $100 = $1,000 against $550 of Reg T buying power: 550 / 100 = 5.5, so 5 shares.
    assert.deepEqual(fitToBuyingPower(10, 100, 550, false, 'regt_buying_power $550'), {
      ok: true, qty: 5, code: 'BUYING_POWER', detail: 'cost $1000 exceeds available buying power $550 (of regt_buying_power $550); resized to 5',
    });
  });

  it('clips trade notional with the asset’s share increment', () => {
    const result = checkMaxTradeSize(1, 15_000, config(), true);
    assert.ok(result.ok && 'qty' in result && Math.abs(result.qty - 2 / 3) < 1e-9);
  });

  it('orders sells first, then by symbol', () => {
    const sorted = [{ side: 'buy' as const, symbol: 'A' }, { side: 'sell' as const, symbol: 'Z' }, { side: 'sell' as const, symbol: 'B' }].sort(compareTrades);
    assert.deepEqual(sorted.map((t) => t.side + t.symbol), ['sellB', 'sellZ', 'buyA']);
  });
});
