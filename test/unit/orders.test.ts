import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isOpenStatus, isTerminalStatus, validateOrderIntent } from '../../src/domain/orders';
import { floorShares, roundToCents, roundToTick, isValidPriceIncrement, sharesWithin } from '../../src/domain/money';
import type { OrderIntent, OrderStatus } from '../../src/domain/types';

const base: OrderIntent = { clientOrderId: 'run-1.AAPL.buy.rebalance', symbol: 'AAPL', side: 'buy', type: 'market', timeInForce: 'day', qty: 10 };

function errorsFor(overrides: Partial<OrderIntent> & Record<string, unknown>): { path: string; message: string }[] {
  const result = validateOrderIntent({ ...base, ...overrides });
  assert.equal(result.ok, false, `expected invalid: ${JSON.stringify(overrides)}`);
  return result.ok ? [] : result.errors;
}

function paths(overrides: Partial<OrderIntent> & Record<string, unknown>): string[] {
  return errorsFor(overrides).map((error) => error.path);
}

function valid(overrides: Partial<OrderIntent>): void {
  const result = validateOrderIntent({ ...base, ...overrides });
  assert.ok(result.ok, JSON.stringify(result));
}

describe('validateOrderIntent: prices per type', () => {
  it('accepts each type with its required prices', () => {
    valid({});
    valid({ type: 'limit', limitPrice: 150.25 });
    valid({ type: 'stop', stopPrice: 140 });
    valid({ type: 'stop_limit', stopPrice: 140, limitPrice: 139.5 });
    valid({ type: 'trailing_stop', trailPercent: 2.5, timeInForce: 'gtc' });
    valid({ type: 'trailing_stop', trailPrice: 1.25 });
  });

  it('requires the prices each type needs and forbids the others', () => {
    assert.deepEqual(paths({ type: 'limit' }), ['limitPrice']);
    assert.deepEqual(paths({ type: 'stop' }), ['stopPrice']);
    assert.deepEqual(paths({ type: 'stop_limit' }), ['limitPrice', 'stopPrice']);
    assert.deepEqual(paths({ type: 'stop_limit', stopPrice: 10 }), ['limitPrice']);
    assert.deepEqual(paths({ limitPrice: 10 }), ['limitPrice']);
    assert.deepEqual(paths({ type: 'limit', limitPrice: 10, stopPrice: 9 }), ['stopPrice']);
    assert.deepEqual(paths({ trailPercent: 1 }), ['trailPercent']);
  });

  it('needs exactly one of trailPrice and trailPercent on a trailing stop', () => {
    assert.deepEqual(paths({ type: 'trailing_stop' }), ['trailPrice']);
    assert.deepEqual(paths({ type: 'trailing_stop', trailPrice: 1, trailPercent: 1 }), ['trailPrice']);
  });
});

describe('validateOrderIntent: quantities and numbers', () => {
  it('needs exactly one of qty and notional', () => {
    assert.deepEqual(paths({ qty: undefined }), ['qty']);
    assert.deepEqual(paths({ notional: 500 }), ['qty']);
    valid({ qty: undefined, notional: 500.25 });
  });

  it('rejects zero, negative and non-finite numbers', () => {
    assert.deepEqual(paths({ qty: 0 }), ['qty']);
    assert.deepEqual(paths({ qty: -1 }), ['qty']);
    assert.deepEqual(paths({ qty: Number.POSITIVE_INFINITY }), ['qty']);
    assert.deepEqual(paths({ type: 'limit', limitPrice: -1 }), ['limitPrice']);
    assert.deepEqual(paths({ qty: undefined, notional: 10.005 }), ['notional']);
  });

  it('enforces the sub-penny rule: 2 decimals at or above $1, 4 below', () => {
    valid({ type: 'limit', limitPrice: 1 });
    valid({ type: 'limit', limitPrice: 0.9999 });
    assert.deepEqual(paths({ type: 'limit', limitPrice: 1.001 }), ['limitPrice']);
    assert.deepEqual(paths({ type: 'limit', limitPrice: 0.12345 }), ['limitPrice']);
    assert.deepEqual(paths({ type: 'stop', stopPrice: 100.123 }), ['stopPrice']);
  });

  it('allows 9 decimals of fractional qty, only as simple day orders', () => {
    valid({ qty: 0.123456789 });
    assert.deepEqual(paths({ qty: 0.1234567891 }), ['qty']);
    assert.deepEqual(paths({ qty: 1.5, timeInForce: 'gtc' }), ['qty']);
    assert.deepEqual(paths({ qty: undefined, notional: 100, type: 'trailing_stop', trailPercent: 1 }), ['notional', 'notional']);
  });

  it('bounds clientOrderId to 1-128 characters and rejects unknown fields', () => {
    assert.deepEqual(paths({ clientOrderId: '' }), ['clientOrderId']);
    assert.deepEqual(paths({ clientOrderId: 'x'.repeat(129) }), ['clientOrderId']);
    valid({ clientOrderId: 'x'.repeat(128) });
    assert.deepEqual(paths({ extra: 1 }), ['']);
  });

  it('rejects non-objects and bad enums with a path', () => {
    assert.equal(validateOrderIntent(null).ok, false);
    assert.deepEqual(paths({ side: 'hold' as never }), ['side']);
    assert.deepEqual(paths({ symbol: 'aapl' }), ['symbol']);
  });
});

describe('validateOrderIntent: bracket, oco, oto', () => {
  const bracketBuy: Partial<OrderIntent> = {
    type: 'limit', limitPrice: 100, orderClass: 'bracket', takeProfit: { limitPrice: 110 }, stopLoss: { stopPrice: 95, limitPrice: 94.5 },
  };

  it('accepts a correctly ordered bracket for each side', () => {
    valid(bracketBuy);
    valid({ side: 'sell', type: 'limit', limitPrice: 100, orderClass: 'bracket', takeProfit: { limitPrice: 90 }, stopLoss: { stopPrice: 105, limitPrice: 105.5 } });
    valid({ orderClass: 'bracket', takeProfit: { limitPrice: 110 }, stopLoss: { stopPrice: 95 } });
  });

  it('needs both legs', () => {
    assert.deepEqual(paths({ orderClass: 'bracket', takeProfit: { limitPrice: 110 } }), ['stopLoss']);
    assert.deepEqual(paths({ orderClass: 'bracket' }), ['takeProfit', 'stopLoss']);
  });

  it('rejects legs in the wrong order for the side', () => {
    assert.deepEqual(paths({ ...bracketBuy, takeProfit: { limitPrice: 90 } }), ['takeProfit.limitPrice', 'takeProfit.limitPrice']);
    assert.deepEqual(paths({ ...bracketBuy, stopLoss: { stopPrice: 101 } }), ['stopLoss.stopPrice']);
    assert.deepEqual(paths({ ...bracketBuy, side: 'sell' }).sort(), ['stopLoss.limitPrice', 'stopLoss.stopPrice', 'takeProfit.limitPrice', 'takeProfit.limitPrice'].sort());
    assert.deepEqual(paths({ ...bracketBuy, stopLoss: { stopPrice: 95, limitPrice: 96 } }), ['stopLoss.limitPrice']);
  });

  it('forbids legs on simple orders and brackets outside day/gtc', () => {
    assert.deepEqual(paths({ takeProfit: { limitPrice: 110 } }), ['takeProfit']);
    assert.deepEqual(paths({ ...bracketBuy, timeInForce: 'ioc' }), ['timeInForce']);
  });

  it('oto needs exactly one leg; oco needs both', () => {
    valid({ orderClass: 'oto', stopLoss: { stopPrice: 95 } });
    assert.deepEqual(paths({ orderClass: 'oto', takeProfit: { limitPrice: 110 }, stopLoss: { stopPrice: 95 } }), ['takeProfit']);
    assert.deepEqual(paths({ orderClass: 'oco', type: 'limit', limitPrice: 110, takeProfit: { limitPrice: 110 } }), ['stopLoss']);
  });

  it('takes an oco only as a limit order, its legs ordered as exits of the side it closes, and a notional only as a market order', () => {
    valid({ side: 'sell', orderClass: 'oco', type: 'limit', limitPrice: 110, timeInForce: 'gtc', takeProfit: { limitPrice: 110 }, stopLoss: { stopPrice: 95 } });
    valid({ side: 'buy', orderClass: 'oco', type: 'limit', limitPrice: 90, timeInForce: 'gtc', takeProfit: { limitPrice: 90 }, stopLoss: { stopPrice: 105 } });
    assert.deepEqual(paths({ side: 'sell', orderClass: 'oco', type: 'limit', limitPrice: 90, takeProfit: { limitPrice: 90 }, stopLoss: { stopPrice: 95 } }), ['takeProfit.limitPrice']);
    assert.deepEqual(paths({ side: 'sell', orderClass: 'oco', takeProfit: { limitPrice: 110 }, stopLoss: { stopPrice: 95 } }), ['type']);
    valid({ qty: undefined, notional: 250.5 });
    assert.deepEqual(errorsFor({ qty: undefined, notional: 250.5, type: 'limit', limitPrice: 100 }),
      [{ path: 'notional', message: 'notional orders must be market orders, not limit' }]);
  });

  it('names the field and the rule for every issue at once', () => {
    const errors = errorsFor({ type: 'stop_limit', trailPercent: 1, orderClass: 'oco' });
    assert.deepEqual(errors.map((e) => e.path).sort(), ['limitPrice', 'stopLoss', 'stopPrice', 'takeProfit', 'trailPercent', 'type'].sort());
    for (const error of errors) assert.ok(error.message.length > 5, `${error.path}: "${error.message}"`);
  });

  it('reports a leg price with too many decimals', () => {
    assert.deepEqual(paths({ ...bracketBuy, takeProfit: { limitPrice: 110.001 } }), ['takeProfit.limitPrice']);
  });
});

describe('order status', () => {
  const all: OrderStatus[] = ['new', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired', 'replaced', 'pending_cancel',
    'pending_replace', 'accepted', 'pending_new', 'accepted_for_bidding', 'stopped', 'rejected', 'suspended', 'calculated', 'held'];

  it('treats exactly filled, canceled, expired, rejected and replaced as terminal', () => {
    assert.deepEqual(all.filter(isTerminalStatus), ['filled', 'canceled', 'expired', 'replaced', 'rejected']);
  });

  it('keeps done_for_day open and makes open the complement of terminal', () => {
    assert.equal(isTerminalStatus('done_for_day'), false);
    assert.equal(isOpenStatus('done_for_day'), true);
    for (const status of all) assert.equal(isOpenStatus(status), !isTerminalStatus(status));
  });
});

describe('money', () => {
  it('rounds cents half away from zero without float artifacts', () => {
    assert.equal(roundToCents(1.005), 1.01);
    assert.equal(roundToCents(-1.005), -1.01);
    assert.equal(roundToCents(0.1 + 0.2), 0.3);
  });

  it('rounds to the price tick and stays valid across $1', () => {
    assert.equal(roundToTick(150.155), 150.16);
    assert.equal(roundToTick(150.159, 'down'), 150.15);
    assert.equal(roundToTick(0.12345), 0.1235);
    assert.equal(roundToTick(0.99996, 'up'), 1);
    assert.ok(isValidPriceIncrement(roundToTick(0.99996)));
  });

  it('floors shares toward zero, whole or to 9 decimals', () => {
    assert.equal(floorShares(10.9, false), 10);
    assert.equal(floorShares(-10.9, false), -10);
    assert.equal(floorShares(0.1234567899, true), 0.123456789);
    assert.equal(floorShares(-0.4, false), 0);
    assert.equal(Object.is(floorShares(-0.4, false), -0), false);
    assert.equal(sharesWithin(1000, 333, false), 3);
    assert.equal(sharesWithin(1000, 0, false), 0);
  });
});
