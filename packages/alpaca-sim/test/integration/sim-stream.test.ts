/**
 * The `trade_updates` stream at /stream, heard through the SDK's own trading stream client, plus the raw
 * protocol (binary frames, listen before authenticate, a wrong secret).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Alpaca, trading } from '@alpacahq/alpaca-trade-api';
import WebSocket from 'ws';
import { startSimulator, type RunningSimulator } from '../../src';
import { until } from '../support/http';

type TradeUpdate = Parameters<Parameters<ReturnType<Alpaca['trading']['stream']>['onTradeUpdate']>[0]>[0];

let sim: RunningSimulator;

before(async () => {
  sim = await startSimulator({ port: 0, seed: 13, partialFillRate: 0, fillLatencyMs: 20 });
});

after(async () => {
  await sim.close();
});

const wsUrl = () => `${sim.url.replace(/^http/, 'ws')}/stream`;


test('the SDK trading stream hears new and fill for an order, with per-execution price and qty', async () => {
  const key = 'stream-1';
  const alpaca = new Alpaca({ keyId: key, secret: `s-${key}` });
  const stream = alpaca.trading.stream({ url: wsUrl(), reconnect: false, pingIntervalMs: 0 });
  const updates: TradeUpdate[] = [];
  stream.onTradeUpdate((u) => updates.push(u));
  stream.subscribeTradeUpdates();
  stream.connect();
  try {
    assert.equal(await stream.waitForAuthentication(3000), true);
    const listening = new Promise<unknown>((resolve) => stream.once('subscription', resolve));
    assert.deepEqual(await listening, ['trade_updates']);

    const orders = new trading.OrdersApi(new trading.Configuration({ basePath: sim.url, keyId: key, secret: `s-${key}`, timeoutMs: 2000 }));
    const placed = await orders.postOrder({ postOrderRequest: { symbol: 'AAPL', qty: '3', side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'st-1' } });
    const fill = await until(() => updates.find((u) => u.event === 'fill'), 'fill event');
    const events = updates.filter((u) => u.order.id === placed.id).map((u) => u.event);
    assert.deepEqual(events, ['new', 'fill']);
    assert.equal(fill.order.clientOrderId, 'st-1');
    assert.equal(fill.order.status, 'filled');
    assert.equal(fill.order.filledQty, '3');
    assert.equal(fill.qty, '3');
    assert.equal(Number(fill.price), Number(fill.order.filledAvgPrice));
    assert.equal(fill.positionQty, '3');
    assert.match(String(fill.executionId), /^[0-9a-f-]{36}$/);
    assert.ok(fill.timestamp instanceof Date);

    // A cancel is heard too; another key's orders are not.
    const other = new trading.OrdersApi(new trading.Configuration({ basePath: sim.url, keyId: 'stream-2', secret: 's', timeoutMs: 2000 }));
    await other.postOrder({ postOrderRequest: { symbol: 'MSFT', qty: '1', side: 'buy', type: 'market', timeInForce: 'day' } });
    const resting = await orders.postOrder({ postOrderRequest: { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limitPrice: '1', timeInForce: 'day' } });
    await orders.deleteOrderByOrderID({ orderId: resting.id ?? '' });
    await until(() => updates.find((u) => u.event === 'canceled'), 'canceled event');
    assert.ok(updates.every((u) => u.order.symbol === 'AAPL'));
  } finally {
    stream.disconnect();
  }
});

/** A raw client: every frame as parsed JSON, with whether it came binary. */
async function rawClient(): Promise<{ ws: WebSocket; frames: Array<{ binary: boolean; msg: Record<string, unknown> }> }> {
  const ws = new WebSocket(wsUrl());
  const frames: Array<{ binary: boolean; msg: Record<string, unknown> }> = [];
  ws.on('message', (data: Buffer, binary: boolean) => frames.push({ binary, msg: JSON.parse(data.toString('utf8')) as Record<string, unknown> }));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  return { ws, frames };
}

test('raw protocol: binary frames, listen before authenticate, wrong secret, unknown path', async () => {
  const { ws, frames } = await rawClient();
  try {
    ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
    await until(() => frames.length >= 1, 'listen answer');
    assert.deepEqual(frames[0], { binary: true, msg: { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } } });
    ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: 'raw-1', secret_key: 'one' } }));
    ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates', 'nonsense'] } }));
    await until(() => frames.length >= 3, 'auth and listen answers');
    assert.deepEqual(frames[1]?.msg, { stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } });
    assert.deepEqual(frames[2]?.msg, { stream: 'listening', data: { streams: ['trade_updates'] } });
    ws.send('not json');
    await until(() => frames.length >= 4, 'error answer');
    assert.equal(frames[3]?.msg.action, 'error');
  } finally {
    ws.close();
  }

  const second = await rawClient();
  const closed = new Promise<void>((resolve) => second.ws.once('close', () => resolve()));
  second.ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: 'raw-1', secret_key: 'two' } }));
  await closed;
  assert.deepEqual(second.frames.map((f) => f.msg), [{ stream: 'authorization', data: { status: 'unauthorized', action: 'authenticate' } }]);

  const wrongPath = new WebSocket(`${sim.url.replace(/^http/, 'ws')}/nope`);
  wrongPath.on('error', () => undefined); // the refused handshake; the status is what is checked
  const status = await new Promise<number>((resolve) => wrongPath.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  assert.equal(status, 404);
  wrongPath.terminate();
});
