import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderRecord } from '../../src/contracts/day';
import { orderCounts } from '../../src/domain/order-counts';

const order = (status: OrderRecord['status'], brokerOrderId: string | null = 'b'): OrderRecord => ({
  clientOrderId: `c-${Math.random()}`, brokerOrderId, symbol: 'AAPL', side: 'buy', type: 'market', qty: 1, notional: null,
  status, filledQty: status === 'filled' ? 1 : 0, filledAvgPrice: status === 'filled' ? 100 : null,
});

describe('order counts', () => {
  it('tells what reached the broker apart from what never did', () => {
    const orders = [order('filled'), order('filled'), order('new'), order('canceled'), order('unsubmitted', null), order('submit_failed', null)];
    assert.equal(orderCounts(orders), '6 orders: 4 sent (2 filled, 1 open), 2 never sent');
  });

  it('names orders whose outcome is still being looked up', () => {
    assert.equal(orderCounts([order('unknown', null), order('filled')]), '2 orders: 1 sent (1 filled, 0 open), 0 never sent, 1 outcome unknown (being looked up)');
  });
});
