/**
 * Cancels and replaces in flight, and orders done for the day (NOTES.md §2.7): `pending_cancel`, `pending_replace`,
 * a cancel or replace that loses the race to a fill, `order_cancel_rejected` and `order_replace_rejected`, the
 * 422s Alpaca answers, and GTC orders `done_for_day` from the close to the open. Every status and the exact
 * sequence of trade_updates events are checked. The pending phase here is a minute long and fills wait a minute,
 * so nothing settles by itself: `POST /admin/tick` runs the matcher, which is where the races are decided.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startSimulator, type RunningSimulator } from '../../src';
import { call, until } from '../support/http';

type Json = Record<string, unknown>;
interface Order extends Json { id: string; status: string }

let sim: RunningSimulator;

before(async () => {
  sim = await startSimulator({ port: 0, seed: 21, partialFillRate: 0, fillLatencyMs: 60_000, cancelLatencyMs: 60_000 });
});

after(async () => {
  await sim.close();
});


async function admin(base: string, path: string, body: unknown = {}): Promise<Json> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.status < 300, `${path} answered ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as Json) : {};
}


/** One key's REST calls and its trade_updates, as `[event, order id, order status]`. */
async function account(key: string, base = () => sim.url) {
  const ws = new WebSocket(`${base().replace(/^http/, 'ws')}/stream`);
  const frames: Json[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Json));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: key, secret_key: `s-${key}` } }));
  ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
  await until(() => frames.some((f) => f.stream === 'listening'), 'listening');
  const updates = () => frames.filter((f) => f.stream === 'trade_updates').map((f) => {
    const d = f.data as { event: string; order: Order };
    return [d.event, d.order.id, d.order.status] as const;
  });
  const ok = async <T = Order>(method: string, path: string, body?: unknown, expect = 200): Promise<T> => {
    const r = await call(base(), key, method, path, body);
    assert.equal(r.status, expect, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body as T;
  };
  return {
    ok,
    order: (body: Json) => ok('POST', '/v2/orders', body),
    get: (id: string) => ok('GET', `/v2/orders/${id}`),
    cancel: (id: string) => ok<null>('DELETE', `/v2/orders/${id}`, undefined, 204),
    /** A refused request: the status, and Alpaca's {code, message}. */
    fails: async (method: string, path: string, body: unknown, status: number, message: RegExp) => {
      const r = await call(base(), key, method, path, body);
      assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
      const b = r.body as Json;
      assert.equal(b.code, 42210000);
      assert.match(String(b.message), message);
    },
    /** Every event heard so far, once `count` have arrived (and a moment more, to catch an extra one). */
    events: async (count: number) => {
      await until(() => updates().length >= count, `${count} trade updates (have ${JSON.stringify(updates())})`);
      await new Promise((r) => setTimeout(r, 50));
      return updates();
    },
    close: () => ws.close(),
  };
}

const tick = (base = sim.url) => admin(base, '/admin/tick');
const price = (symbol: string, p: number | null, base = sim.url) => admin(base, '/admin/prices', { symbol, price: p });
const limitBuy = (symbol: string, qty: string, limit: string, tif = 'gtc'): Json => ({ symbol, side: 'buy', qty, type: 'limit', limit_price: limit, time_in_force: tif });

describe('pending_cancel', () => {
  test('DELETE answers 204, the order is pending_cancel until the next step, then canceled; a final order is a 422', async () => {
    const c = await account('pc-1');
    try {
      await price('KO', 60);
      const o = await c.order(limitBuy('KO', '5', '50'));
      assert.equal(o.status, 'new');
      await c.cancel(o.id);
      const pending = await c.get(o.id);
      assert.deepEqual([pending.status, pending.canceled_at], ['pending_cancel', null]);
      // Still open: listed as open, and a second DELETE is accepted and changes nothing.
      assert.deepEqual((await c.ok<Order[]>('GET', '/v2/orders?status=open')).map((x) => x.id), [o.id]);
      await c.cancel(o.id);
      await c.fails('PATCH', `/v2/orders/${o.id}`, { limit_price: '51' }, 422, /already in "pending_cancel" state/);
      await tick();
      const canceled = await c.get(o.id);
      assert.equal(canceled.status, 'canceled');
      assert.ok(canceled.canceled_at);
      await c.fails('DELETE', `/v2/orders/${o.id}`, undefined, 422, /order is already in "canceled" state/);
      assert.deepEqual(await c.events(3), [['new', o.id, 'new'], ['pending_cancel', o.id, 'pending_cancel'], ['canceled', o.id, 'canceled']]);
    } finally {
      c.close();
      await price('KO', null);
    }
  });

  test('a cancel loses the race when the order is marketable at that step: filled, then order_cancel_rejected', async () => {
    const c = await account('pc-2');
    try {
      await price('PEP', 60);
      const o = await c.order(limitBuy('PEP', '4', '50'));
      await c.cancel(o.id);
      await price('PEP', 40);
      await tick();
      const filled = await c.get(o.id);
      assert.deepEqual([filled.status, filled.filled_qty, filled.canceled_at], ['filled', '4', null]);
      await c.fails('DELETE', `/v2/orders/${o.id}`, undefined, 422, /order is already in "filled" state/);
      assert.deepEqual(await c.events(4), [
        ['new', o.id, 'new'], ['pending_cancel', o.id, 'pending_cancel'], ['fill', o.id, 'filled'], ['order_cancel_rejected', o.id, 'filled'],
      ]);
      const positions = await c.ok<Json[]>('GET', '/v2/positions');
      assert.deepEqual(positions.map((p) => [p.symbol, p.qty]), [['PEP', '4']]);
    } finally {
      c.close();
      await price('PEP', null);
    }
  });

  test('a race that ends in a partial fill: partial_fill, then canceled with the filled part kept', async () => {
    const partial = await startSimulator({ port: 0, seed: 21, partialFillRate: 1, fillLatencyMs: 60_000, cancelLatencyMs: 60_000 });
    const c = await account('pc-3', () => partial.url);
    try {
      await price('MSFT', 500, partial.url);
      const o = await c.order(limitBuy('MSFT', '10', '400', 'day'));
      await c.cancel(o.id);
      await price('MSFT', 300, partial.url);
      await tick(partial.url);
      const canceled = await c.get(o.id);
      assert.equal(canceled.status, 'canceled');
      assert.ok(Number(canceled.filled_qty) >= 1 && Number(canceled.filled_qty) < 10, `filled ${String(canceled.filled_qty)}`);
      assert.deepEqual(await c.events(4), [
        ['new', o.id, 'new'], ['pending_cancel', o.id, 'pending_cancel'], ['partial_fill', o.id, 'partially_filled'], ['canceled', o.id, 'canceled'],
      ]);
    } finally {
      c.close();
      await partial.close();
    }
  });

  test('nothing to race: a held account, an order not yet at the venue and cancelLatencyMs 0 cancel at once', async () => {
    const c = await account('pc-4');
    await admin(sim.url, '/admin/fill-mode', { mode: 'hold', account: 'pc-4' });
    try {
      const held = await c.order(limitBuy('JPM', '1', '1'));
      await c.cancel(held.id);
      assert.equal((await c.get(held.id)).status, 'canceled');
      // A bracket's exits wait in `held` (not at the venue): canceled at once, with their entry.
      await admin(sim.url, '/admin/fill-mode', { mode: 'auto', account: 'pc-4' });
      await price('JPM', 300);
      const entry = await c.order({ ...limitBuy('JPM', '2', '200'), order_class: 'bracket', take_profit: { limit_price: '260' }, stop_loss: { stop_price: '190' } });
      const legs = (await c.ok<Order & { legs: Order[] }>('GET', `/v2/orders/${entry.id}?nested=true`)).legs;
      await c.cancel(legs[0]!.id);
      // Canceling an exit cancels the group: the entry races, and the held exits go when its cancel settles.
      assert.deepEqual([(await c.get(entry.id)).status, (await c.get(legs[0]!.id)).status, (await c.get(legs[1]!.id)).status],
        ['pending_cancel', 'held', 'held']);
      await tick();
      assert.deepEqual([(await c.get(entry.id)).status, (await c.get(legs[0]!.id)).status, (await c.get(legs[1]!.id)).status],
        ['canceled', 'canceled', 'canceled']);
      assert.deepEqual(await c.events(7), [
        ['new', held.id, 'new'],
        ['canceled', held.id, 'canceled'],
        ['new', entry.id, 'new'],
        ['pending_cancel', entry.id, 'pending_cancel'],
        ['canceled', entry.id, 'canceled'],
        ['canceled', legs[0]!.id, 'canceled'],
        ['canceled', legs[1]!.id, 'canceled'],
      ]);
    } finally {
      c.close();
      await admin(sim.url, '/admin/fill-mode', { mode: 'auto', account: 'pc-4' });
      await price('JPM', null);
    }

    const sync = await startSimulator({ port: 0, seed: 21, partialFillRate: 0, fillLatencyMs: 60_000, cancelLatencyMs: 0 });
    const s = await account('pc-5', () => sync.url);
    try {
      const o = await s.order(limitBuy('KO', '2', '1'));
      const fresh = await s.ok('PATCH', `/v2/orders/${o.id}`, { limit_price: '1.01' });
      assert.equal(fresh.status, 'new');
      assert.equal((await s.get(o.id)).status, 'replaced');
      await s.cancel(fresh.id);
      assert.equal((await s.get(fresh.id)).status, 'canceled');
      assert.deepEqual(await s.events(4), [
        ['new', o.id, 'new'], ['replaced', o.id, 'replaced'], ['new', fresh.id, 'new'], ['canceled', fresh.id, 'canceled'],
      ]);
    } finally {
      s.close();
      await sync.close();
    }
  });

  test('cancel-all: 207 with the orders pending_cancel, none listed twice; they settle at the next step', async () => {
    const c = await account('pc-6');
    try {
      const a = await c.order(limitBuy('XOM', '1', '1'));
      const b = await c.order(limitBuy('XOM', '2', '1'));
      const all = await c.ok<Array<{ id: string; status: number; body: Order }>>('DELETE', '/v2/orders', undefined, 207);
      assert.deepEqual(all.map((r) => [r.id, r.status, r.body.status]), [[a.id, 200, 'pending_cancel'], [b.id, 200, 'pending_cancel']]);
      assert.deepEqual(await c.ok('DELETE', '/v2/orders', undefined, 207), []);
      await tick();
      assert.deepEqual(await c.ok('GET', '/v2/orders?status=open'), []);
    } finally {
      c.close();
    }
  });
});

describe('pending_replace', () => {
  test('PATCH: old pending_replace and new pending_new, cancel and replace of either refused, then replaced and new', async () => {
    const c = await account('pr-1');
    try {
      await price('KO', 60);
      const o = await c.order(limitBuy('KO', '3', '50'));
      const fresh = await c.ok('PATCH', `/v2/orders/${o.id}`, { limit_price: '51', client_order_id: 'pr-1-b' });
      assert.deepEqual([fresh.status, fresh.replaces, fresh.limit_price, fresh.qty], ['pending_new', o.id, '51', '3']);
      const old = await c.get(o.id);
      assert.deepEqual([old.status, old.replaced_by], ['pending_replace', null]);
      // Alpaca: no replace while pending_replace or before the new order reached the venue; pending_replace rejects cancels.
      await c.fails('PATCH', `/v2/orders/${o.id}`, { limit_price: '52' }, 422, /already in "pending_replace" state/);
      await c.fails('PATCH', `/v2/orders/${fresh.id}`, { limit_price: '52' }, 422, /isn't sent to exchange yet/);
      await c.fails('DELETE', `/v2/orders/${o.id}`, undefined, 422, /order is already in "pending_replace" state/);
      await tick();
      const replaced = await c.get(o.id);
      assert.deepEqual([replaced.status, replaced.replaced_by], ['replaced', fresh.id]);
      assert.ok(replaced.replaced_at);
      assert.equal((await c.get(fresh.id)).status, 'new');
      assert.deepEqual(await c.events(5), [
        ['new', o.id, 'new'],
        ['pending_replace', o.id, 'pending_replace'],
        ['order_cancel_rejected', o.id, 'pending_replace'],
        ['replaced', o.id, 'replaced'],
        ['new', fresh.id, 'new'],
      ]);
    } finally {
      c.close();
      await price('KO', null);
    }
  });

  test('the old order fills first: the replacement is rejected and order_replace_rejected sent', async () => {
    const c = await account('pr-2');
    try {
      await price('PEP', 60);
      const o = await c.order(limitBuy('PEP', '2', '50'));
      const fresh = await c.ok('PATCH', `/v2/orders/${o.id}`, { qty: '5' });
      await price('PEP', 45);
      await tick();
      const filled = await c.get(o.id);
      assert.deepEqual([filled.status, filled.filled_qty, filled.replaced_by], ['filled', '2', null]);
      const rejected = await c.get(fresh.id);
      assert.deepEqual([rejected.status, rejected.filled_qty, rejected.replaces], ['rejected', '0', o.id]);
      assert.ok(rejected.failed_at);
      assert.deepEqual(await c.events(5), [
        ['new', o.id, 'new'],
        ['pending_replace', o.id, 'pending_replace'],
        ['fill', o.id, 'filled'],
        ['rejected', fresh.id, 'rejected'],
        ['order_replace_rejected', o.id, 'filled'],
      ]);
    } finally {
      c.close();
      await price('PEP', null);
    }
  });

  test('a partial fill in the race: the replace goes through, less what executed', async () => {
    const partial = await startSimulator({ port: 0, seed: 21, partialFillRate: 1, fillLatencyMs: 60_000, cancelLatencyMs: 60_000 });
    const c = await account('pr-5', () => partial.url);
    try {
      await price('MSFT', 500, partial.url);
      const o = await c.order(limitBuy('MSFT', '10', '400'));
      // The old limit is marketable at $300 and the new one is not, so only the old order executes in this step.
      const fresh = await c.ok('PATCH', `/v2/orders/${o.id}`, { limit_price: '250' });
      assert.equal(fresh.qty, '10');
      await price('MSFT', 300, partial.url);
      await tick(partial.url);
      const old = await c.get(o.id);
      const executed = Number(old.filled_qty);
      assert.ok(executed >= 1 && executed < 10, `filled ${executed}`);
      assert.deepEqual([old.status, old.replaced_by], ['replaced', fresh.id]);
      const now = await c.get(fresh.id);
      assert.deepEqual([now.status, now.qty, now.filled_qty], ['new', String(10 - executed), '0']);
      assert.deepEqual(await c.events(5), [
        ['new', o.id, 'new'],
        ['pending_replace', o.id, 'pending_replace'],
        ['partial_fill', o.id, 'partially_filled'],
        ['replaced', o.id, 'replaced'],
        ['new', fresh.id, 'new'],
      ]);
    } finally {
      c.close();
      await partial.close();
    }
  });

  test('a cancel of the replacement waits for the replace: replaced, then the replacement canceled', async () => {
    const c = await account('pr-3');
    try {
      const o = await c.order(limitBuy('JPM', '1', '1'));
      const fresh = await c.ok('PATCH', `/v2/orders/${o.id}`, { limit_price: '1.05' });
      await c.cancel(fresh.id);
      assert.deepEqual([(await c.get(o.id)).status, (await c.get(fresh.id)).status], ['pending_replace', 'pending_cancel']);
      await tick();
      assert.deepEqual([(await c.get(o.id)).status, (await c.get(fresh.id)).status], ['replaced', 'canceled']);
      assert.deepEqual(await c.events(5), [
        ['new', o.id, 'new'],
        ['pending_replace', o.id, 'pending_replace'],
        ['pending_cancel', fresh.id, 'pending_cancel'],
        ['replaced', o.id, 'replaced'],
        ['canceled', fresh.id, 'canceled'],
      ]);
    } finally {
      c.close();
    }
  });

  test('while a replace is in flight, buying power is held for the larger of the two orders; cancel-all ends the pair', async () => {
    const c = await account('pr-4');
    try {
      await price('CVX', 200);
      // $200k of buying power: $100k held by the old order, $150k by its replacement, so $150k while pending.
      const o = await c.order(limitBuy('CVX', '1000', '100'));
      const fresh = await c.ok('PATCH', `/v2/orders/${o.id}`, { qty: '1500' });
      const r = await call(sim.url, 'pr-4', 'POST', '/v2/orders', limitBuy('CVX', '600', '100'));
      assert.equal(r.status, 403, JSON.stringify(r.body));
      const small = await c.order(limitBuy('CVX', '400', '100'));
      const all = await c.ok<Array<{ id: string; status: number; body: Order }>>('DELETE', '/v2/orders', undefined, 207);
      assert.deepEqual(all.map((x) => [x.id, x.body.status]), [[fresh.id, 'pending_cancel'], [small.id, 'pending_cancel']]);
      await tick();
      assert.deepEqual([(await c.get(o.id)).status, (await c.get(fresh.id)).status, (await c.get(small.id)).status],
        ['replaced', 'canceled', 'canceled']);
    } finally {
      c.close();
      await price('CVX', null);
    }
  });
});

describe('done_for_day', () => {
  test('at the close a partly filled GTC order is done_for_day and a day order expired; at the open the GTC order resumes', async () => {
    const real = await startSimulator({ port: 0, seed: 21, market: 'real', partialFillRate: 1, fillLatencyMs: 60_000, start: '2025-06-24T19:58:00Z' });
    const at = (time: string) => admin(real.url, '/admin/clock', { time, freeze: true });
    const c = await account('dfd-1', () => real.url);
    try {
      await at('2025-06-24T19:58:00Z'); // Tuesday 15:58 ET
      const gtc = await c.order({ symbol: 'AAPL', side: 'buy', qty: '10', type: 'market', time_in_force: 'gtc' });
      const resting = await c.order(limitBuy('AAPL', '1', '1'));
      const day = await c.order(limitBuy('AAPL', '1', '1', 'day'));
      await tick(real.url); // the first execution is partial (partialFillRate 1); the next waits a minute
      const part = await c.get(gtc.id);
      assert.equal(part.status, 'partially_filled');
      const filledBefore = part.filled_qty;

      await at('2025-06-24T20:00:00Z'); // the close
      const done = await c.get(gtc.id);
      assert.deepEqual([done.status, done.filled_qty], ['done_for_day', filledBefore]);
      assert.equal((await c.get(resting.id)).status, 'new'); // a GTC order with no fill just rests
      assert.equal((await c.get(day.id)).status, 'expired');
      assert.deepEqual((await c.ok<Order[]>('GET', '/v2/orders?status=open')).map((x) => x.id).sort(), [gtc.id, resting.id].sort());
      await c.fails('PATCH', `/v2/orders/${day.id}`, { limit_price: '2' }, 422, /already in "expired" state/);

      // Overnight the market is closed: a cancel is immediate (nothing can execute).
      await c.cancel(resting.id);
      assert.equal((await c.get(resting.id)).status, 'canceled');

      await admin(real.url, '/admin/fill-mode', { mode: 'hold', account: 'dfd-1' });
      await at('2025-06-25T13:30:00Z'); // Wednesday's open
      const resumed = await c.get(gtc.id);
      assert.deepEqual([resumed.status, resumed.filled_qty], ['partially_filled', filledBefore]);
      await admin(real.url, '/admin/fill-mode', { mode: 'auto', account: 'dfd-1' });
      await tick(real.url);
      assert.equal((await c.get(gtc.id)).status, 'filled');
      // No event when the order resumes at the open: Alpaca documents none.
      assert.deepEqual(await c.events(8), [
        ['new', gtc.id, 'new'],
        ['new', resting.id, 'new'],
        ['new', day.id, 'new'],
        ['partial_fill', gtc.id, 'partially_filled'],
        ['done_for_day', gtc.id, 'done_for_day'],
        ['expired', day.id, 'expired'],
        ['canceled', resting.id, 'canceled'],
        ['fill', gtc.id, 'filled'],
      ]);
    } finally {
      c.close();
      await real.close();
    }
  });
});
