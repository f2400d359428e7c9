/**
 * The simulator driven by the real SDK through createAlpacaBroker (and raw HTTP where the wire itself is the
 * point). One simulator for the file; each test uses its own key id, hence its own account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { trading } from '@alpacahq/alpaca-trade-api';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import {
  BrokerRejected, BrokerUnauthorized, BrokerUnavailable, DuplicateClientOrderId, OrderNotCancelable, RateLimited,
} from '../../src/broker/errors';
import type { BrokerPort } from '../../src/broker/port';
import type { BrokerOrder, OrderIntent } from '../../src/domain/types';

let sim: RunningSimulator;

function brokerFor(keyId: string, secretKey = `secret-${keyId}`): BrokerPort {
  return createAlpacaBroker({ keyId, secretKey, tradingUrl: sim.url, dataUrl: sim.url, timeoutMs: 5000 });
}

async function admin(method: string, path: string, body?: unknown, base = sim.url): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  assert.ok(res.status < 300, `${method} ${path} answered ${res.status}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

const market = (clientOrderId: string, symbol: string, side: 'buy' | 'sell', qty: number): OrderIntent => ({
  clientOrderId, symbol, side, type: 'market', timeInForce: 'day', qty,
});

async function filled(broker: BrokerPort, id: string): Promise<BrokerOrder> {
  return waitFor(async () => {
    const o = await broker.getOrder(id);
    return o && o.status === 'filled' ? o : null;
  }, `order ${id} filled`);
}

before(async () => {
  sim = await startSimulator({ port: 0, seed: 7, partialFillRate: 0, fillLatencyMs: 20 });
});

after(async () => {
  await sim.close();
});

describe('simulator via the Alpaca adapter', () => {
  test('a new account has the configured equity and 2x buying power', async () => {
    const account = await brokerFor('acct-1').getAccount();
    assert.equal(account.equity, 100_000);
    assert.equal(account.cash, 100_000);
    assert.equal(account.lastEquity, 100_000);
    assert.equal(account.buyingPower, 200_000);
    assert.equal(account.tradingBlocked, false);
    assert.match(account.id, /^[0-9a-f-]{36}$/);
  });

  test('a market buy is accepted, fills at the ask and shows up as a position', async () => {
    const broker = brokerFor('acct-2');
    await admin('POST', '/admin/prices', { symbol: 'AAPL', price: 200 });
    const quote = (await broker.getLatestQuotes(['AAPL'])).AAPL;
    assert.ok(quote);
    assert.ok(quote.ask > quote.bid);
    const submitted = await broker.submitOrder(market('acct-2-buy', 'AAPL', 'buy', 10));
    assert.equal(submitted.clientOrderId, 'acct-2-buy');
    assert.ok(['new', 'accepted'].includes(submitted.status));
    assert.equal(submitted.qty, 10);
    const done = await filled(broker, submitted.id);
    assert.equal(done.filledQty, 10);
    assert.equal(done.filledAvgPrice, quote.ask);
    const positions = await broker.getPositions();
    assert.deepEqual(positions.map((p) => [p.symbol, p.qty, p.avgEntryPrice]), [['AAPL', 10, quote.ask]]);
    const account = await broker.getAccount();
    assert.equal(Math.round(account.cash * 100) / 100, Math.round((100_000 - 10 * quote.ask) * 100) / 100);
    await admin('POST', '/admin/prices', { symbol: 'AAPL', price: null });
  });

  test('a reused client_order_id is DuplicateClientOrderId, even after a cancel', async () => {
    const broker = brokerFor('acct-3');
    await broker.submitOrder(market('dup-1', 'MSFT', 'buy', 1));
    await assert.rejects(broker.submitOrder(market('dup-1', 'MSFT', 'buy', 1)), (e: unknown) => {
      assert.ok(e instanceof DuplicateClientOrderId);
      assert.equal(e.status, 422);
      assert.equal(e.code, 40010001);
      return true;
    });
  });

  test('orders are found by client order id; unknown ids are null', async () => {
    const broker = brokerFor('acct-4');
    const o = await broker.submitOrder(market('lookup-1', 'JPM', 'buy', 2));
    const byClient = await broker.getOrderByClientOrderId('lookup-1');
    assert.equal(byClient?.id, o.id);
    assert.equal(await broker.getOrderByClientOrderId('never-sent'), null);
    assert.equal(await broker.getOrder('00000000-0000-4000-8000-000000000000'), null);
    const listed = await broker.listOrders({ status: 'all', symbols: ['JPM'] });
    assert.deepEqual(listed.map((x) => x.id), [o.id]);
  });

  test('a held order can be canceled once; the client id stays taken', async () => {
    const broker = brokerFor('acct-5');
    await admin('POST', '/admin/fill-mode', { mode: 'hold' });
    try {
      const o = await broker.submitOrder(market('hold-1', 'KO', 'buy', 5));
      await new Promise((r) => setTimeout(r, 60));
      assert.equal((await broker.getOrder(o.id))?.status, 'new');
      assert.deepEqual((await broker.listOrders({ status: 'open' })).map((x) => x.id), [o.id]);
      await broker.cancelOrder(o.id);
      const canceled = await broker.getOrder(o.id);
      assert.equal(canceled?.status, 'canceled');
      assert.ok(canceled?.canceledAt);
      await assert.rejects(broker.cancelOrder(o.id), OrderNotCancelable);
      await assert.rejects(broker.submitOrder(market('hold-1', 'KO', 'buy', 5)), DuplicateClientOrderId);
    } finally {
      await admin('POST', '/admin/fill-mode', { mode: 'auto' });
    }
  });

  test('cancel-all answers 207 with one line per open order', async () => {
    const broker = brokerFor('acct-6');
    await admin('POST', '/admin/fill-mode', { mode: 'hold', account: 'acct-6' });
    try {
      const a = await broker.submitOrder(market('ca-1', 'PEP', 'buy', 1));
      const b = await broker.submitOrder({ ...market('ca-2', 'PEP', 'buy', 1), type: 'limit', limitPrice: 1 });
      const results = await broker.cancelAllOrders();
      assert.deepEqual(results.map((r) => r.orderId).sort(), [a.id, b.id].sort());
      assert.ok(results.every((r) => r.status === 200));
      const raw = await fetch(`${sim.url}/v2/orders`, {
        method: 'DELETE', headers: { 'APCA-API-KEY-ID': 'acct-6', 'APCA-API-SECRET-KEY': 'secret-acct-6' },
      });
      assert.equal(raw.status, 207);
      assert.deepEqual(await raw.json(), []);
      // Holding one key leaves the others filling.
      const other = brokerFor('acct-6b');
      await filled(other, (await other.submitOrder(market('ca-other', 'PEP', 'buy', 1))).id);
    } finally {
      await admin('POST', '/admin/fill-mode', { mode: 'auto', account: 'acct-6' });
    }
  });

  test('an order beyond buying power is BrokerRejected 403 40310000', async () => {
    const broker = brokerFor('acct-7');
    await assert.rejects(broker.submitOrder(market('big-1', 'AAPL', 'buy', 1_000_000)), (e: unknown) => {
      assert.ok(e instanceof BrokerRejected);
      assert.equal(e.status, 403);
      assert.equal(e.code, 40310000);
      assert.match(e.message, /insufficient buying power/);
      return true;
    });
  });

  test('validation errors are BrokerRejected 422 naming the field', async () => {
    const broker = brokerFor('acct-8');
    await assert.rejects(broker.submitOrder({ ...market('v-1', 'AAPL', 'buy', 1), type: 'limit', limitPrice: 150.123 }),
      (e: unknown) => e instanceof BrokerRejected && e.status === 422 && /limit_price/.test(e.message));
    await assert.rejects(broker.submitOrder(market('v-2', 'NOPE', 'buy', 1)),
      (e: unknown) => e instanceof BrokerRejected && e.status === 422 && /NOPE/.test(e.message));
  });

  test('a lost response leaves the order committed and findable by client order id', async () => {
    const broker = brokerFor('acct-9');
    await admin('POST', '/admin/faults', { route: 'POST /v2/orders', kind: 'lose-response' });
    await assert.rejects(broker.submitOrder(market('lost-1', 'XOM', 'buy', 3)), BrokerUnavailable);
    const found = await broker.getOrderByClientOrderId('lost-1');
    assert.ok(found);
    assert.equal(found.symbol, 'XOM');
    const ledger = await admin('GET', '/admin/orders?account=acct-9') as Array<{ client_order_id: string }>;
    assert.deepEqual(ledger.map((o) => o.client_order_id), ['lost-1']);
    // The fault fired once: the next submit goes through.
    await broker.submitOrder(market('lost-2', 'XOM', 'buy', 1));
  });

  test('a passing 5xx on a read is retried by the client; 5xx, 429 and bad keys that persist map to their classes', async () => {
    const broker = brokerFor('acct-10');
    await admin('POST', '/admin/faults', { route: 'GET /v2/account', kind: 'error-503', count: 1 });
    assert.ok((await broker.getAccount()).equity > 0, 'one 503 on a GET is absorbed');
    await admin('POST', '/admin/faults', { route: 'GET /v2/account', kind: 'error-503', count: 0 });
    await assert.rejects(broker.getAccount(), BrokerUnavailable);
    await admin('POST', '/admin/faults', { route: 'GET /v2/positions', kind: 'rate-limit', count: 0 });
    await assert.rejects(broker.getPositions(), RateLimited);
    await admin('DELETE', '/admin/faults');
    await assert.rejects(brokerFor('acct-10', 'wrong-secret').getAccount(), (e: unknown) => {
      assert.ok(e instanceof BrokerUnauthorized);
      assert.ok(!e.message.includes('wrong-secret'));
      return true;
    });
  });

  test('closing a position submits a market order that flattens it', async () => {
    const broker = brokerFor('acct-11');
    await filled(broker, (await broker.submitOrder(market('cp-1', 'CVX', 'buy', 4))).id);
    const close = await broker.closePosition('CVX');
    assert.equal(close.side, 'sell');
    assert.equal(close.qty, 4);
    await filled(broker, close.id);
    assert.deepEqual(await broker.getPositions(), []);
  });

  test('clock, assets and quotes', async () => {
    const broker = brokerFor('acct-12');
    const clock = await broker.getClock();
    assert.equal(clock.isOpen, true);
    assert.ok(Date.parse(clock.nextClose) > Date.parse(clock.timestamp));
    const assets = await broker.getAssets(['AAPL', 'NOPE']);
    assert.deepEqual(Object.keys(assets), ['AAPL']);
    assert.equal(assets.AAPL?.tradable, true);
    const quotes = await broker.getLatestQuotes(['MSFT', 'NOPE']);
    assert.deepEqual(Object.keys(quotes), ['MSFT']);
    assert.ok((quotes.MSFT?.last ?? 0) >= 20 * 0.5);
  });
});

describe('simulator wire contract', () => {
  const auth = { 'APCA-API-KEY-ID': 'wire-1', 'APCA-API-SECRET-KEY': 'secret-wire-1' };

  test('missing auth is 401 with Alpaca headers and envelope', async () => {
    const res = await fetch(`${sim.url}/v2/account`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.ok(res.headers.get('x-request-id'));
    assert.deepEqual(await res.json(), { code: 40110000, message: 'request is not authorized' });
  });

  test('an unknown route is 404 endpoint not found', async () => {
    const res = await fetch(`${sim.url}/v2/nothing/here`, { headers: auth });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { code: 40410000, message: 'endpoint not found' });
  });

  test('every response carries the rate-limit headers', async () => {
    const res = await fetch(`${sim.url}/v2/clock`, { headers: auth });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-ratelimit-limit'), '200');
    assert.ok(Number(res.headers.get('x-ratelimit-remaining')) < 200);
    assert.ok(Number(res.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
    const body = await res.json() as Record<string, unknown>;
    assert.match(String(body.next_close), /T16:00:00-0[45]:00$/);
  });

  test('the literal-colon route /v2/orders:by_client_order_id is routed, with the raw SDK too', async () => {
    const post = await fetch(`${sim.url}/v2/orders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'IBM', qty: '1', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'colon-1' }),
    });
    assert.equal(post.status, 200);
    const order = await post.json() as Record<string, unknown>;
    for (const field of ['filled_at', 'canceled_at', 'limit_price', 'stop_price', 'notional', 'legs', 'replaced_by']) {
      assert.ok(field in order, `order has ${field}`);
    }
    const res = await fetch(`${sim.url}/v2/orders:by_client_order_id?client_order_id=colon-1`, { headers: auth });
    assert.equal(res.status, 200);
    assert.equal((await res.json() as { id: string }).id, order.id);
    const missing = await fetch(`${sim.url}/v2/orders:by_client_order_id?client_order_id=nope`, { headers: auth });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json() as { code: number }).code, 40410000);

    const api = new trading.OrdersApi(new trading.Configuration({ basePath: sim.url, keyId: 'wire-1', secret: 'secret-wire-1' }));
    const viaSdk = await api.getOrderByClientOrderId({ clientOrderId: 'colon-1' });
    assert.equal(viaSdk.id, order.id);
  });

  test('an account reset starts the key afresh', async () => {
    const broker = brokerFor('reset-1');
    await filled(broker, (await broker.submitOrder(market('reset-buy', 'AAPL', 'buy', 1))).id);
    assert.equal((await broker.getPositions()).length, 1);
    await admin('POST', '/admin/accounts/reset', { account: 'reset-1' });
    assert.deepEqual(await broker.getPositions(), []);
    assert.equal((await broker.getAccount()).equity, 100_000);
    assert.equal(await broker.getOrderByClientOrderId('reset-buy'), null);
  });

  test('malformed bodies get an Alpaca error, not a crash', async () => {
    const res = await fetch(`${sim.url}/v2/orders`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{not json',
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json() as { code: number }).code, 40010000);
    const empty = await fetch(`${sim.url}/v2/orders`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } });
    assert.equal(empty.status, 422);
  });
});

describe('partial fills', () => {
  test('with partialFillRate 1 an order fills in two steps', async () => {
    const partial = await startSimulator({ port: 0, seed: 3, partialFillRate: 1, fillLatencyMs: 30 });
    try {
      const broker = createAlpacaBroker({ keyId: 'p-1', secretKey: 's', tradingUrl: partial.url, dataUrl: partial.url });
      const o = await broker.submitOrder(market('part-1', 'AAPL', 'buy', 10));
      const seen = new Set<string>();
      const done = await waitFor(async () => {
        const cur = await broker.getOrder(o.id);
        if (cur) seen.add(cur.status);
        return cur?.status === 'filled' ? cur : null;
      }, 'partial then full fill');
      assert.ok(seen.has('partially_filled'), `statuses seen: ${[...seen].join(',')}`);
      assert.equal(done.filledQty, 10);
    } finally {
      await partial.close();
    }
  });
});

describe('market: real', () => {
  test('orders wait for the open, fill in session, day orders expire at the close, last_equity rolls', async () => {
    const real = await startSimulator({ port: 0, market: 'real', partialFillRate: 0, fillLatencyMs: 0 });
    const at = (time: string) => admin('POST', '/admin/clock', { time, freeze: true }, real.url);
    try {
      const broker = createAlpacaBroker({ keyId: 'r-1', secretKey: 's', tradingUrl: real.url, dataUrl: real.url });
      await at('2025-06-21T15:00:00Z'); // a Saturday
      const closed = await broker.getClock();
      assert.equal(closed.isOpen, false);
      assert.equal(closed.nextOpen, '2025-06-23T13:30:00.000Z');
      assert.equal(closed.nextClose, '2025-06-23T20:00:00.000Z');
      const o = await broker.submitOrder(market('wk-1', 'MSFT', 'buy', 2));
      assert.equal(o.status, 'accepted');
      const lim = await broker.submitOrder({ ...market('wk-2', 'MSFT', 'buy', 1), type: 'limit', limitPrice: 1 });
      await admin('POST', '/admin/tick', {}, real.url);
      assert.equal((await broker.getOrder(o.id))?.status, 'accepted');

      await at('2025-06-23T14:00:00Z'); // Monday 10:00 ET
      assert.equal((await broker.getClock()).isOpen, true);
      const done = await broker.getOrder(o.id);
      assert.equal(done?.status, 'filled');
      assert.equal(done?.filledAt, '2025-06-23T14:00:00.000Z');
      assert.equal((await broker.getOrder(lim.id))?.status, 'new');

      await at('2025-06-23T20:00:01Z'); // 16:00:01 ET
      const expired = await broker.getOrder(lim.id);
      assert.equal(expired?.status, 'expired');
      assert.ok(expired?.expiredAt);

      await at('2025-06-24T14:00:00Z');
      const [position] = await broker.getPositions();
      const account = await broker.getAccount();
      assert.ok(position && position.lastdayPrice !== null);
      assert.equal(
        Math.round(account.lastEquity * 100),
        Math.round((account.cash + position.qty * position.lastdayPrice) * 100),
      );
      assert.notEqual(account.lastEquity, 100_000);
    } finally {
      await real.close();
    }
  });
});
