import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streaming, trading } from '@alpacahq/alpaca-trade-api';
import { orderFromWire, orderUpdateFromWire } from '../../src/broker/alpaca-mapping';
import { tradingStreamUrl } from '../../src/broker/order-updates';

describe('tradingStreamUrl', () => {
  it('turns the trading base URL into the stream URL: http → ws, https → wss, path /stream', () => {
    assert.equal(tradingStreamUrl('https://paper-api.alpaca.markets'), 'wss://paper-api.alpaca.markets/stream');
    assert.equal(tradingStreamUrl('https://api.alpaca.markets/'), 'wss://api.alpaca.markets/stream');
    assert.equal(tradingStreamUrl('http://127.0.0.1:8900'), 'ws://127.0.0.1:8900/stream');
    assert.equal(tradingStreamUrl('http://127.0.0.1:8900/v2/'), 'ws://127.0.0.1:8900/stream');
    assert.equal(tradingStreamUrl(' http://localhost:8900/alpaca// '), 'ws://localhost:8900/alpaca/stream');
    assert.equal(tradingStreamUrl('https://proxy.example/broker?x=1#y'), 'wss://proxy.example/broker/stream');
    assert.equal(tradingStreamUrl('ws://127.0.0.1:8900'), 'ws://127.0.0.1:8900/stream');
  });

  it('refuses what is not an http(s) URL, without echoing it', () => {
    assert.throws(() => tradingStreamUrl('ftp://user:hunter2@host'), (e: unknown) => e instanceof TypeError && !e.message.includes('hunter2'));
    assert.throws(() => tradingStreamUrl('not a url hunter2'), (e: unknown) => e instanceof TypeError && !e.message.includes('hunter2'));
  });
});

/** A `trade_updates` frame's data as Alpaca sends it (NOTES.md §2.15): snake_case, decimal strings. */
const wireOrder = {
  id: '61e69015-8549-4bfd-b9c3-01e75843f47d',
  client_order_id: 'run-1.AAPL.buy',
  created_at: '2026-12-01T15:00:00.100Z',
  updated_at: '2026-12-01T15:00:00.300Z',
  submitted_at: '2026-12-01T15:00:00.120Z',
  filled_at: '2026-12-01T15:00:00.300Z',
  expired_at: null,
  canceled_at: null,
  failed_at: null,
  asset_id: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
  symbol: 'AAPL',
  asset_class: 'us_equity',
  notional: null,
  qty: '10',
  filled_qty: '10',
  filled_avg_price: '201.255',
  order_class: '',
  order_type: 'market',
  type: 'market',
  side: 'buy',
  time_in_force: 'day',
  limit_price: null,
  stop_price: null,
  status: 'filled',
  extended_hours: false,
};

describe('orderUpdateFromWire', () => {
  it('maps the SDK-mapped trade update like a REST order, plus the execution facts', () => {
    const update = orderUpdateFromWire(streaming.mapTradeUpdate({
      event: 'fill',
      execution_id: '7f3d0c1e-2b1a-4c5d-9e8f-0a1b2c3d4e5f',
      order: wireOrder,
      timestamp: '2026-12-01T15:00:00.300Z',
      price: '201.26',
      qty: '4',
      position_qty: '-6',
    }));
    assert.equal(update.event, 'fill');
    assert.equal(update.executionId, '7f3d0c1e-2b1a-4c5d-9e8f-0a1b2c3d4e5f');
    assert.equal(update.timestamp, '2026-12-01T15:00:00.300Z');
    assert.equal(update.price, 201.26);
    assert.equal(update.qty, 4);
    assert.equal(update.positionQty, -6);
    assert.deepEqual(update.order, {
      id: '61e69015-8549-4bfd-b9c3-01e75843f47d',
      clientOrderId: 'run-1.AAPL.buy',
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      timeInForce: 'day',
      qty: 10,
      notional: null,
      filledQty: 10,
      filledAvgPrice: 201.255,
      limitPrice: null,
      stopPrice: null,
      status: 'filled',
      submittedAt: '2026-12-01T15:00:00.120Z',
      filledAt: '2026-12-01T15:00:00.300Z',
      canceledAt: null,
      expiredAt: null,
      updatedAt: '2026-12-01T15:00:00.300Z',
    });
  });

  it('leaves absent execution facts null (a `new` or `canceled` event)', () => {
    const update = orderUpdateFromWire(streaming.mapTradeUpdate({
      event: 'new',
      order: { ...wireOrder, status: 'new', filled_qty: '0', filled_avg_price: null, filled_at: null },
    }));
    assert.equal(update.event, 'new');
    assert.deepEqual([update.executionId, update.timestamp, update.price, update.qty, update.positionQty], [null, null, null, null, null]);
    assert.equal(update.order.status, 'new');
    assert.equal(update.order.filledQty, 0);
    assert.equal(update.order.filledAvgPrice, null);
  });

  it('is the REST mapping of the same order', () => {
    const update = orderUpdateFromWire(streaming.mapTradeUpdate({ event: 'fill', order: wireOrder }));
    // The generated REST client's deserializer of the same JSON, as OrdersApi uses it.
    const rest = orderFromWire(trading.OrderFromJSON(wireOrder));
    assert.deepEqual(update.order, rest);
  });
});
