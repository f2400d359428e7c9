import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactLists, expandLists, LARGE_LIST } from '../../src/domain/large-lists';

const row = (i: number) => ({ symbol: `S${i}`, qty: i, price: i % 3 === 0 ? null : i * 1.5 });

describe('large lists as tables', () => {
  it('a list longer than LARGE_LIST travels as a table and comes back the same', () => {
    const value = { orders: Array.from({ length: LARGE_LIST + 1 }, (_, i) => row(i)), portfolio: { equity: 1, positions: [row(1)] } };
    const compact = compactLists(value, ['orders', 'portfolio.positions']);
    assert.deepEqual(compact.orders, []);
    assert.deepEqual(Object.keys(compact.tables ?? {}), ['orders'], 'short lists stay as they are');
    assert.ok(JSON.stringify(compact).length < JSON.stringify(value).length * 0.7);
    assert.deepEqual(expandLists(compact), value);
  });

  it('nested paths, and paths that are absent or null, are handled', () => {
    const value = { slippage: { fills: Array.from({ length: 150 }, (_, i) => row(i)) }, pnl: null };
    const compact = compactLists(value, ['slippage.fills', 'pnl.realized', 'missing.list']);
    assert.deepEqual(Object.keys(compact.tables ?? {}), ['slippage.fills']);
    assert.deepEqual(expandLists(compact), value);
  });

  it('a value without tables is returned as it is', () => {
    const value = { orders: [row(1)] };
    assert.equal(expandLists(value), value);
  });
});
