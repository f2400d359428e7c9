import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secondWaveOrders, symbolsAwaitingSales, type WavePlan } from '../../src/domain/waves';
import type { OrderIntent, SymbolDecision } from '../../src/domain/types';

const order = (symbol: string, side: 'buy' | 'sell'): OrderIntent => ({
  clientOrderId: `d.${symbol}.${side}.rebalance`, symbol, side, type: 'market', timeInForce: 'day', qty: 1,
});
const decision = (symbol: string, outcome: 'approve' | 'resize' | 'reject'): SymbolDecision => ({
  symbol, signal: 1, price: 100, currentQty: 0, targetWeight: 0.1, targetQty: 100, intendedQty: 100,
  checks: [{ check: 'buying_power', outcome, code: 'BUYING_POWER', detail: '' }],
  clientOrderId: null, finalQty: 0, outcome: outcome === 'reject' ? 'rejected' : 'order', reason: '',
});

describe('symbolsAwaitingSales', () => {
  it('names the buys cut or refused for buying power when the plan also sells', () => {
    const plan: WavePlan = {
      orders: [order('XOM', 'sell'), order('AAPL', 'buy')],
      rejected: [{ symbol: 'MSFT', code: 'BUYING_POWER', detail: '' }, { symbol: 'KO', code: 'SECTOR_EXPOSURE_EXCEEDED', detail: '' }],
      decisions: [decision('AAPL', 'resize'), decision('JNJ', 'approve'), decision('MSFT', 'reject')],
    };
    assert.deepEqual(symbolsAwaitingSales(plan), ['AAPL', 'MSFT']);
  });

  it('is empty when nothing is sold: no sale will free buying power', () => {
    const plan: WavePlan = { orders: [order('AAPL', 'buy')], rejected: [{ symbol: 'MSFT', code: 'BUYING_POWER', detail: '' }], decisions: [] };
    assert.deepEqual(symbolsAwaitingSales(plan), []);
  });
});

describe('secondWaveOrders', () => {
  it('keeps only the buys of the symbols that waited', () => {
    const plan: WavePlan = { orders: [order('AAPL', 'buy'), order('JNJ', 'buy'), order('MSFT', 'sell')], rejected: [], decisions: [] };
    assert.deepEqual(secondWaveOrders(plan, ['AAPL', 'MSFT']).map((o) => o.symbol), ['AAPL']);
  });
});
