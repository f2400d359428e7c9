import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderRecord } from '../../src/contracts/day';
import { fillLatency, nearestRank, shortDuration } from '../../src/domain/fill-latency';
import { ordersTable } from '../../src/cli/report';

const FROM = '2026-12-01T14:30:00.000Z';
const at = (seconds: number) => new Date(Date.parse(FROM) + seconds * 1000).toISOString();

describe('signal-to-fill latency', () => {
  it('takes p50 and p95 by nearest rank over the fills that carry a time', () => {
    const orders = [...Array.from({ length: 20 }, (_, i) => ({ filledAt: at(i + 1) })), { filledAt: null }, {}];
    assert.deepEqual(fillLatency(orders, FROM), { from: FROM, fills: 20, p50Seconds: 10, p95Seconds: 19, maxSeconds: 20 });
  });

  it('is absent without a start or a fill, and never negative (a fill stamped before the start counts as 0)', () => {
    assert.equal(fillLatency([{ filledAt: at(1) }], null), null);
    assert.equal(fillLatency([{ filledAt: null }], FROM), null);
    assert.equal(fillLatency([{ filledAt: at(1) }], 'not a time'), null);
    assert.equal(fillLatency([{ filledAt: at(-2) }], FROM)!.p50Seconds, 0);
  });

  it('nearest rank: one value is every percentile; the top rank is the maximum', () => {
    assert.equal(nearestRank([7], 0.5), 7);
    assert.equal(nearestRank([1, 2, 3, 4], 0.5), 2);
    assert.equal(nearestRank([1, 2, 3, 4], 0.95), 4);
  });

  it('writes ages for a terminal', () => {
    assert.equal(shortDuration(42_400), '42 s');
    assert.equal(shortDuration(185_000), '3 min 5 s');
    assert.equal(shortDuration(8_040_000), '2 h 14 min');
    assert.equal(shortDuration(-5), '0 s');
  });
});

describe('the status table of orders', () => {
  const order = (overrides: Partial<OrderRecord>): OrderRecord => ({
    clientOrderId: 'c', brokerOrderId: 'b', symbol: 'AAPL', side: 'buy', type: 'market', qty: 10, notional: null,
    status: 'new', filledQty: 0, filledAvgPrice: null, ...overrides,
  });

  it('shows state, filled, average price and age; a filled order\'s age stops at its fill', () => {
    const lines = ordersTable([
      order({ status: 'filled', filledQty: 10, filledAvgPrice: 101.5, submittedAt: at(0), filledAt: at(2) }),
      order({ symbol: 'MSFT', submittedAt: at(0) }),
      order({ symbol: 'XOM', brokerOrderId: null, status: 'unsubmitted' }),
    ], new Date(Date.parse(FROM) + 95_000));
    assert.deepEqual(lines.map((line) => line.trimEnd()), [
      '  SIDE  SIZE  SYMBOL  TYPE    STATE        FILLED  AVG PRICE  AGE',
      '  BUY     10  AAPL    market  filled           10    $101.50  2 s',
      '  BUY     10  MSFT    market  new                             1 min 35 s',
      '  BUY     10  XOM     market  unsubmitted',
    ]);
  });

  it('has no lines for a day without orders', () => {
    assert.deepEqual(ordersTable([]), []);
  });
});
