/**
 * BrokerPort.watchOrders over the SDK's TradingStream against a real simulator's `trade_updates` stream: ready,
 * `new` then `fill` mapped to BrokerOrder, close, a refused key, a broker that is not there, and a reconnect
 * (through a TCP proxy the test cuts, since the simulator has no fault that drops streams).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import { BrokerUnauthorized, BrokerUnavailable } from '../../src/broker/errors';
import type { BrokerPort, OrderUpdate, OrderUpdateHandlers } from '../../src/broker/port';
import type { OrderIntent } from '../../src/domain/types';

let sim: RunningSimulator;

function brokerFor(keyId: string, tradingUrl = sim.url, secretKey = `secret-${keyId}`): BrokerPort {
  return createAlpacaBroker({ keyId, secretKey, tradingUrl, dataUrl: sim.url, timeoutMs: 5000 });
}

async function waitFor<T>(fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const market = (clientOrderId: string, qty: number): OrderIntent => ({
  clientOrderId, symbol: 'AAPL', side: 'buy', type: 'market', timeInForce: 'day', qty,
});

/** Records everything the handlers hear, in order. */
function recorder(): OrderUpdateHandlers & { updates: OrderUpdate[]; log: string[]; errors: Error[] } {
  const updates: OrderUpdate[] = [];
  const log: string[] = [];
  const errors: Error[] = [];
  return {
    updates, log, errors,
    onOrder(order, event, update) {
      assert.equal(update.order, order);
      assert.equal(update.event, event);
      updates.push(update);
      log.push(`${event}:${order.clientOrderId}`);
    },
    onConnection(state) {
      log.push(state);
    },
    onError(error) {
      errors.push(error);
    },
  };
}

const eventsOf = (updates: OrderUpdate[], clientOrderId: string): string[] =>
  updates.filter((u) => u.order.clientOrderId === clientOrderId).map((u) => u.event);

const finalFill = (updates: OrderUpdate[], clientOrderId: string): OrderUpdate | undefined =>
  updates.find((u) => u.order.clientOrderId === clientOrderId && u.event === 'fill');

/** A TCP proxy to the simulator whose connections the test can cut. */
async function startProxy(targetPort: number): Promise<{ url: string; cut(): number; close(): Promise<void> }> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const cut = (): number => {
    const n = pairs.size;
    for (const [a, b] of [...pairs]) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
    return n;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    cut,
    close: () => new Promise<void>((resolve) => {
      cut();
      server.close(() => resolve());
    }),
  };
}

before(async () => {
  sim = await startSimulator({ port: 0, seed: 1 });
});

after(async () => {
  await sim.close();
});

describe('watchOrders: the trade_updates stream through the Alpaca adapter', { timeout: 30_000 }, () => {
  test('ready, then new and fill for a market order, mapped to BrokerOrder; nothing after close', async () => {
    const broker = brokerFor('tu-1');
    assert.ok(broker.watchOrders);
    const seen = recorder();
    const updates = broker.watchOrders(seen);
    try {
      await updates.ready;
      assert.deepEqual(seen.log, ['connected']);

      const submitted = await broker.submitOrder(market('tu-1-buy', 7));
      const fill = await waitFor(() => finalFill(seen.updates, 'tu-1-buy'), 'the fill event');
      const events = eventsOf(seen.updates, 'tu-1-buy');
      // The simulator may split a fill (partialFillRate); `new` comes first and `fill` last either way.
      assert.equal(events[0], 'new');
      assert.equal(events.at(-1), 'fill');
      assert.ok(events.slice(1, -1).every((e) => e === 'partial_fill'), events.join(','));
      console.log(`events seen: ${events.join(', ')}`);

      const first = seen.updates.find((u) => u.order.clientOrderId === 'tu-1-buy')!;
      assert.equal(first.order.id, submitted.id);
      assert.equal(first.order.status, 'new');
      assert.equal(first.order.filledQty, 0);

      assert.equal(fill.order.id, submitted.id);
      assert.equal(fill.order.clientOrderId, 'tu-1-buy');
      assert.equal(fill.order.symbol, 'AAPL');
      assert.equal(fill.order.side, 'buy');
      assert.equal(fill.order.type, 'market');
      assert.equal(fill.order.timeInForce, 'day');
      assert.equal(fill.order.status, 'filled');
      assert.equal(fill.order.qty, 7);
      assert.equal(fill.order.filledQty, 7);
      assert.ok(fill.order.filledAvgPrice && fill.order.filledAvgPrice > 0);
      assert.ok(fill.order.filledAt);
      assert.ok(fill.executionId);
      assert.ok(fill.timestamp && !Number.isNaN(Date.parse(fill.timestamp)));
      assert.ok(fill.price && fill.price > 0);
      assert.ok(fill.qty && fill.qty > 0);
      assert.equal(fill.positionQty, 7);

      // The stream's order is the REST order, mapped the same way.
      assert.deepEqual(fill.order, await broker.getOrder(submitted.id));
      assert.deepEqual(seen.errors, []);
    } finally {
      await updates.close();
    }

    const before = seen.updates.length;
    const other = await broker.submitOrder(market('tu-1-after-close', 1));
    await waitFor(async () => (await broker.getOrder(other.id))?.status === 'filled', 'the second order filled');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.updates.length, before);
    assert.deepEqual(seen.log.filter((l) => !l.includes(':')), ['connected']);
    await updates.close(); // idempotent
  });

  test('only the own account\'s orders arrive', async () => {
    const mine = brokerFor('tu-2');
    const theirs = brokerFor('tu-2-other');
    const seen = recorder();
    const updates = mine.watchOrders!(seen);
    try {
      await updates.ready;
      await theirs.submitOrder(market('tu-2-theirs', 1));
      await mine.submitOrder(market('tu-2-mine', 1));
      await waitFor(() => finalFill(seen.updates, 'tu-2-mine'), 'my fill');
      assert.deepEqual(eventsOf(seen.updates, 'tu-2-theirs'), []);
    } finally {
      await updates.close();
    }
  });

  test('a refused key rejects ready with BrokerUnauthorized, without the secret', async () => {
    await brokerFor('tu-3').getAccount(); // registers tu-3 with its secret
    const wrongSecret = 'wrong-secret-tu-3-XYZ';
    const seen = recorder();
    const updates = brokerFor('tu-3', sim.url, wrongSecret).watchOrders!(seen);
    try {
      await assert.rejects(updates.ready, (e: unknown) => {
        assert.ok(e instanceof BrokerUnauthorized, String(e));
        assert.ok(!e.message.includes(wrongSecret));
        return true;
      });
      assert.deepEqual(seen.log, []);
      assert.equal(seen.errors.length, 1);
      assert.ok(seen.errors[0] instanceof BrokerUnauthorized);
      for (const e of seen.errors) assert.ok(!e.message.includes(wrongSecret));
    } finally {
      await updates.close();
    }
  });

  test('a broker that is not there: ready waits while the SDK retries; close rejects it', async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const { port } = free.address() as net.AddressInfo;
    await new Promise<void>((resolve) => free.close(() => resolve()));

    const seen = recorder();
    const updates = brokerFor('tu-4', `http://127.0.0.1:${port}`).watchOrders!(seen);
    let settled = false;
    updates.ready.then(() => { settled = true; }, () => { settled = true; });
    await waitFor(() => seen.errors.length > 0, 'a connect error');
    assert.equal(settled, false);
    assert.ok(seen.errors.every((e) => e instanceof BrokerUnavailable), seen.errors.map(String).join('; '));
    await updates.close();
    await assert.rejects(updates.ready, BrokerUnavailable);
    const errorsAtClose = seen.errors.length;
    await new Promise((r) => setTimeout(r, 1500)); // past the first reconnect delay: nothing more happens
    assert.equal(seen.errors.length, errorsAtClose);
    assert.deepEqual(seen.log, []);
  });

  test('a dropped stream reconnects by itself: disconnected, then connected, and updates flow again', async () => {
    const proxy = await startProxy(sim.port);
    const direct = brokerFor('tu-5');
    const seen = recorder();
    const updates = brokerFor('tu-5', proxy.url).watchOrders!(seen);
    try {
      await updates.ready;
      await direct.submitOrder(market('tu-5-before', 1));
      await waitFor(() => finalFill(seen.updates, 'tu-5-before'), 'the fill before the drop');

      assert.equal(proxy.cut(), 1);
      await waitFor(() => seen.log.includes('disconnected'), 'disconnected');
      await waitFor(() => seen.log.filter((l) => l === 'connected').length === 2, 'connected again', 10_000);

      await direct.submitOrder(market('tu-5-after', 2));
      const fill = await waitFor(() => finalFill(seen.updates, 'tu-5-after'), 'the fill after the reconnect');
      assert.equal(fill.order.filledQty, 2);
      assert.equal(fill.positionQty, 3);
      assert.deepEqual(seen.log.filter((l) => !l.includes(':')), ['connected', 'disconnected', 'connected']);
      assert.ok(seen.errors.every((e) => e instanceof BrokerUnavailable));
    } finally {
      await updates.close();
      await proxy.close();
    }
  });
});
