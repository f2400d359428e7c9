import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromOrderTable, toOrderTable } from '../../src/domain/order-table';
import type { OrderIntent } from '../../src/domain/types';

const run = 'trading-acct-2026-12-01';
const orders: OrderIntent[] = [
  { clientOrderId: `${run}.AAPL.sell.rebalance`, symbol: 'AAPL', side: 'sell', type: 'market', timeInForce: 'day', qty: 12.5 },
  { clientOrderId: `${run}.MSFT.buy.rebalance`, symbol: 'MSFT', side: 'buy', type: 'limit', timeInForce: 'day', qty: 3, limitPrice: 410.12 },
  {
    clientOrderId: `${run}.JPM.buy.rebalance`, symbol: 'JPM', side: 'buy', type: 'market', timeInForce: 'day', notional: 1500,
    orderClass: 'bracket', takeProfit: { limitPrice: 260 }, stopLoss: { stopPrice: 230, limitPrice: 229.5 },
  },
];

describe('the order table', () => {
  it('gives back the very orders it was made from', () => {
    assert.deepEqual(fromOrderTable(toOrderTable(orders, `${run}.`)), orders);
  });

  it('writes the run id once and a row of values per order', () => {
    const table = toOrderTable(orders, `${run}.`);
    assert.equal(table.prefix, `${run}.`);
    assert.equal(table.rows[0]![table.columns.indexOf('clientOrderId')], 'AAPL.sell.rebalance');
    const day = Array.from({ length: 100 }, (_, i) => ({ ...orders[0]!, clientOrderId: `${run}.S${i}.sell.rebalance`, symbol: `S${i}` }));
    const size = JSON.stringify(toOrderTable(day, `${run}.`)).length;
    assert.ok(size < JSON.stringify(day).length * 0.5, `${size} bytes for 100 orders`);
    assert.deepEqual(fromOrderTable(toOrderTable(day, `${run}.`)), day, 'dictionaries and prefixes read back');
  });

  it('keeps whole ids when one does not share the prefix', () => {
    const mixed = [...orders, { ...orders[0]!, clientOrderId: 'stop-acct-1.AAPL.sell.flatten' }];
    const table = toOrderTable(mixed, `${run}.`);
    assert.equal(table.prefix, '');
    assert.deepEqual(fromOrderTable(table), mixed);
  });

  it('an empty plan is an empty table', () => {
    assert.deepEqual(fromOrderTable(toOrderTable([], `${run}.`)), []);
  });
});
