/**
 * A `trade_updates` stream that lies or talks nonsense: frames that are not JSON, updates with no client order id,
 * an unknown status, a fill with no quantity, a quantity above the order's, a `__proto__` key. Heard through the real
 * SDK over a real WebSocket (a local server speaking Alpaca's stream protocol), then through the fill watch: nothing
 * unreadable is taken as an order's state, the connection holds, and the REST reads decide.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { WebSocketServer, type WebSocket } from 'ws';
import { unreadableOrderUpdate } from '../../src/broker/alpaca-mapping';
import { tradingStreamUrl, watchTradeUpdates } from '../../src/broker/order-updates';
import type { BrokerPort, OrderUpdate, OrderUpdateHandlers } from '../../src/broker/port';
import { createFillActivities } from '../../src/activities/fills';
import type { ActivityDeps } from '../../src/activities/deps';
import type { AwaitFillsResult } from '../../src/contracts/day';
import type { BrokerOrder } from '../../src/domain/types';

const SECRET = 'hostile-stream-secret-9f2c';

/** A trade update's `order` as Alpaca sends it (snake_case, decimal strings). */
function wireOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'b1f2c3d4-0000-4000-8000-000000000001', client_order_id: 'day-1.AAPL.buy', symbol: 'AAPL', side: 'buy',
    type: 'market', order_type: 'market', time_in_force: 'day', qty: '10', filled_qty: '10', filled_avg_price: '201.25',
    status: 'filled', created_at: '2026-12-01T15:00:00Z', submitted_at: '2026-12-01T15:00:00Z', updated_at: '2026-12-01T15:00:01Z',
    filled_at: '2026-12-01T15:00:01Z', ...overrides,
  };
}

const tradeUpdate = (event: string, order: unknown): string => JSON.stringify({ stream: 'trade_updates', data: { event, order, timestamp: '2026-12-01T15:00:01Z' } });

/** What a hostile broker sends once the client listens, in this order; the last frame is the one honest fill. */
const HOSTILE_FRAMES: Array<string | Buffer> = [
  'not json {',
  Buffer.from([0x00, 0xff, 0x13, 0x37]),
  tradeUpdate('fill', wireOrder({ client_order_id: undefined })),
  tradeUpdate('fill', wireOrder({ status: 'definitely_filled' })),
  tradeUpdate('fill', wireOrder({ filled_qty: 'abc' })),
  tradeUpdate('fill', wireOrder({ filled_qty: '1e400' })),
  tradeUpdate('fill', wireOrder({ filled_avg_price: null })),
  tradeUpdate('fill', wireOrder({ filled_qty: '1000' })),
  `{"stream":"trade_updates","data":{"event":"fill","order":{"__proto__":{"polluted":true},"client_order_id":"day-1.X.buy","status":"new","qty":"1","filled_qty":"0"}}}`,
  tradeUpdate('fill', wireOrder()),
];

/** A local server speaking Alpaca's stream protocol: authenticates the one key, answers `listen`, then sends `frames`. */
async function startHostileStream(frames: Array<string | Buffer>): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/stream' });
  let connections = 0;
  server.on('connection', (ws: WebSocket) => {
    connections += 1;
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { action?: string; data?: { key_id?: string; secret_key?: string } };
      if (message.action === 'auth' || message.action === 'authenticate') {
        const ok = message.data?.secret_key === SECRET;
        ws.send(JSON.stringify({ stream: 'authorization', data: { status: ok ? 'authorized' : 'unauthorized', action: 'authenticate' } }));
      } else if (message.action === 'listen') {
        ws.send(JSON.stringify({ stream: 'listening', data: { streams: ['trade_updates'] } }));
        for (const frame of frames) ws.send(frame, { binary: typeof frame !== 'string' });
      }
    });
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: tradingStreamUrl(`http://127.0.0.1:${port}`),
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('unreadableOrderUpdate', () => {
  const update = (order: Partial<BrokerOrder>): OrderUpdate => ({
    event: 'fill', executionId: null, timestamp: null, price: null, qty: null, positionQty: null,
    order: {
      id: 'o-1', clientOrderId: 'day-1.AAPL.buy', symbol: 'AAPL', side: 'buy', type: 'market', timeInForce: 'day', qty: 10,
      notional: null, filledQty: 10, filledAvgPrice: 201.25, limitPrice: null, stopPrice: null, status: 'filled',
      submittedAt: null, filledAt: null, canceledAt: null, expiredAt: null, updatedAt: null, ...order,
    },
  });

  it('takes an order with its client order id, a known status and, when filled, its quantity and price', () => {
    assert.equal(unreadableOrderUpdate(update({})), null);
    assert.equal(unreadableOrderUpdate(update({ status: 'new', filledQty: 0, filledAvgPrice: null })), null);
    assert.equal(unreadableOrderUpdate(update({ status: 'partially_filled', filledQty: 4 })), null);
    assert.equal(unreadableOrderUpdate(update({ qty: null, notional: 500, filledQty: 2.48 })), null);
  });

  it('names what is missing or impossible', () => {
    assert.equal(unreadableOrderUpdate(update({ clientOrderId: '' })), 'no client_order_id');
    assert.match(unreadableOrderUpdate(update({ status: 'bogus' as never })) ?? '', /unknown order status "bogus"/);
    assert.equal(unreadableOrderUpdate(update({ filledQty: 0 })), 'filled with no filled_qty');
    assert.equal(unreadableOrderUpdate(update({ status: 'partially_filled', filledAvgPrice: null })), 'partially_filled with no filled_avg_price');
    assert.equal(unreadableOrderUpdate(update({ filledQty: 11 })), 'a filled_qty above the qty');
  });
});

describe('watchTradeUpdates against a hostile stream (real SDK, real WebSocket)', () => {
  let hostile: Awaited<ReturnType<typeof startHostileStream>>;
  before(async () => {
    hostile = await startHostileStream(HOSTILE_FRAMES);
  });
  after(async () => {
    await hostile?.close();
  });

  it('hands over only the honest update; each unreadable one is named, the connection holds, no secret leaks', async () => {
    const orders: BrokerOrder[] = [];
    const unreadable: string[] = [];
    const errors: Error[] = [];
    const connection: string[] = [];
    const handlers: OrderUpdateHandlers = {
      onOrder: (order) => orders.push(order),
      onUnreadable: (reason) => unreadable.push(reason),
      onError: (error) => errors.push(error),
      onConnection: (state) => connection.push(state),
    };
    const stream = watchTradeUpdates({ keyId: 'PKHOSTILE', secretKey: SECRET, url: hostile.url }, handlers);
    try {
      await stream.ready;
      await waitFor(() => orders.some((order) => order.clientOrderId === 'day-1.AAPL.buy'), 'the honest fill');
      // The order with a `__proto__` key is readable otherwise (a new order), so it is handed over, as plain data.
      assert.deepEqual(orders.map((order) => [order.clientOrderId, order.status, order.filledQty, order.filledAvgPrice]),
        [['day-1.X.buy', 'new', 0, null], ['day-1.AAPL.buy', 'filled', 10, 201.25]]);
      const all = unreadable.join('\n');
      for (const expected of [/frame that cannot be read/, /no client_order_id/, /unknown order status "definitely_filled"/,
        /filled with no filled_qty/, /filled with no filled_avg_price/, /a filled_qty above the qty/]) {
        assert.match(all, expected);
      }
      assert.equal(unreadable.filter((reason) => /no filled_qty/.test(reason)).length, 2, 'abc and 1e400 are no quantity');
      assert.deepEqual(connection, ['connected'], 'garbage never drops or reconnects the stream');
      assert.equal(hostile.connections(), 1);
      assert.ok(errors.length >= unreadable.length, 'each unreadable frame is also reported as stream trouble');
      assert.ok(errors.every((error) => !error.message.includes(SECRET)));
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'a __proto__ key pollutes nothing');
    } finally {
      await stream.close();
    }
  });
});

describe('awaitFills with a stream that cannot be read', () => {
  // The fill watch's own timers are unref'd (a worker has other handles); here nothing else holds the process up.
  let keepAlive: NodeJS.Timeout;
  before(() => {
    keepAlive = setInterval(() => undefined, 1_000);
  });
  after(() => clearInterval(keepAlive));

  /** A broker whose REST reads show `restOrders`, and whose stream the test drives through the handlers it is given. */
  function scriptedBroker(restOrders: () => BrokerOrder[]) {
    let handlers: OrderUpdateHandlers | null = null;
    let reads = 0;
    const broker = {
      async listOrders() {
        reads += 1;
        return restOrders();
      },
      async getOrderByClientOrderId() {
        return null;
      },
      watchOrders(given: OrderUpdateHandlers) {
        handlers = given;
        queueMicrotask(() => given.onConnection?.('connected'));
        return { ready: Promise.resolve(), close: async () => undefined };
      },
    } as unknown as BrokerPort;
    return { broker, stream: () => handlers!, reads: () => reads };
  }

  const order = (status: BrokerOrder['status'], filledQty: number): BrokerOrder => ({
    id: 'o-1', clientOrderId: 'day-1.AAPL.buy', symbol: 'AAPL', side: 'buy', type: 'market', timeInForce: 'day', qty: 10,
    notional: null, filledQty, filledAvgPrice: filledQty > 0 ? 201.25 : null, limitPrice: null, stopPrice: null, status,
    submittedAt: '2026-12-01T15:00:00Z', filledAt: null, canceledAt: null, expiredAt: null, updatedAt: null,
  });

  const request = (deadlineMs: number) => ({
    clientOrderIds: ['day-1.AAPL.buy'], submittedAfter: '2026-12-01T14:59:00Z',
    deadline: new Date(Date.now() + deadlineMs).toISOString(), safetyPollMs: 60_000, riskCheckMs: 60_000,
  });

  it('reads the broker over REST at once when an update cannot be read, and answers what REST shows', async () => {
    let rest = order('new', 0);
    const { broker, stream, reads } = scriptedBroker(() => [rest]);
    const { awaitFills } = createFillActivities({ brokerFor: () => broker } as unknown as ActivityDeps);
    const started = Date.now();
    const watching = new MockActivityEnvironment().run(awaitFills, 'acct', request(20_000)) as Promise<AwaitFillsResult>;
    await waitFor(() => reads() >= 1, 'the first REST read');
    // The fill happened at the broker; the stream's word for it arrives garbled.
    rest = order('filled', 10);
    stream().onUnreadable?.('an update with filled with no filled_qty');
    const result = await watching;
    assert.equal(result.ended, 'final');
    assert.ok(Date.now() - started < 10_000, 'answered long before the 60 s safety poll');
    assert.equal(reads(), 2);
    assert.ok(JSON.stringify(result.orders).includes('filled'), 'the order as REST shows it: filled');
  });

  it('a flood of unreadable updates costs a few REST reads, not one each', async () => {
    const { broker, stream, reads } = scriptedBroker(() => [order('new', 0)]);
    const { awaitFills } = createFillActivities({ brokerFor: () => broker } as unknown as ActivityDeps);
    const watching = new MockActivityEnvironment().run(awaitFills, 'acct', request(1_500)) as Promise<AwaitFillsResult>;
    await waitFor(() => reads() >= 1, 'the first REST read');
    const flood = setInterval(() => {
      for (let i = 0; i < 100; i++) stream().onUnreadable?.('garbage');
    }, 5);
    try {
      const result = await watching;
      assert.equal(result.ended, 'deadline');
    } finally {
      clearInterval(flood);
    }
    // About 1.5 s at one read per 250 ms at most, whatever the stream sends (tens of thousands of frames here).
    assert.ok(reads() <= 8, `${reads()} REST reads`);
  });
});
