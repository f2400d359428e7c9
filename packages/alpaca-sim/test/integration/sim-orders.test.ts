/**
 * Order semantics of the simulator as Alpaca documents them (NOTES.md §2): order classes, time in force,
 * replace, fractional and notional rules, buying power, short sales, statuses with their timestamps, fills and
 * FILL activities. Raw HTTP, so the status codes and `{code, message}` bodies are what is checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type RunningSimulator } from '../../src';
import { call } from '../support/http';

type Json = Record<string, unknown>;
interface Order extends Json { id: string; status: string; client_order_id: string; legs: Order[] | null }

let sim: RunningSimulator;


async function admin(base: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(res.status < 300, `${path} answered ${res.status}: ${await res.text()}`);
}

/** A client for one key on one simulator. */
function client(key: string, base = () => sim.url) {
  const ok = async <T>(method: string, path: string, body?: unknown, expect = 200): Promise<T> => {
    const r = await call(base(), key, method, path, body);
    assert.equal(r.status, expect, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body as T;
  };
  const fails = async (method: string, path: string, body: unknown, status: number, message?: RegExp): Promise<Json> => {
    const r = await call(base(), key, method, path, body);
    assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
    const b = r.body as Json;
    assert.equal(typeof b.code, 'number');
    if (message) assert.match(String(b.message), message);
    return b;
  };
  return {
    ok, fails,
    order: (body: Json) => ok<Order>('POST', '/v2/orders', body),
    get: (id: string, nested = false) => ok<Order>('GET', `/v2/orders/${id}${nested ? '?nested=true' : ''}`),
    until: async (id: string, statuses: string[], nested = false): Promise<Order> => {
      const deadline = Date.now() + 3000;
      for (;;) {
        const o = await ok<Order>('GET', `/v2/orders/${id}${nested ? '?nested=true' : ''}`);
        if (statuses.includes(o.status)) return o;
        if (Date.now() > deadline) throw new Error(`order ${id} is ${o.status}, not ${statuses.join('|')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

const price = (symbol: string, p: number | null, base = sim.url) => admin(base, '/admin/prices', { symbol, price: p });
const mkt = (symbol: string, side: string, qty: string, extra: Json = {}): Json => ({ symbol, side, qty, type: 'market', time_in_force: 'day', ...extra });

before(async () => {
  sim = await startSimulator({ port: 0, seed: 5, partialFillRate: 0, fillLatencyMs: 5 });
});

after(async () => {
  await sim.close();
});

describe('order classes', () => {
  test('bracket: exits held until the entry fills, take-profit fills and cancels the stop-loss', async () => {
    const c = client('bracket-1');
    await price('AAPL', 100);
    const entry = await c.order(mkt('AAPL', 'buy', '5', { time_in_force: 'gtc', order_class: 'bracket', take_profit: { limit_price: '110' }, stop_loss: { stop_price: '90' } }));
    assert.equal(entry.order_class, 'bracket');
    assert.equal(entry.legs?.length, 2);
    const filled = await c.until(entry.id, ['filled'], true);
    const [tp, sl] = filled.legs ?? [];
    assert.ok(tp && sl);
    assert.deepEqual([tp.type, tp.side, tp.limit_price, sl.type, sl.stop_price], ['limit', 'sell', '110', 'stop', '90']);
    assert.equal((await c.get(tp.id)).status, 'new');
    // Not nested: legs are listed on their own; nested: only the parent, with its legs.
    const flat = await c.ok<Order[]>('GET', '/v2/orders?status=all&symbols=AAPL');
    assert.equal(flat.length, 3);
    const nested = await c.ok<Order[]>('GET', '/v2/orders?status=all&symbols=AAPL&nested=true');
    assert.deepEqual(nested.map((o) => [o.id, o.legs?.length]), [[entry.id, 2]]);
    await price('AAPL', 111);
    const done = await c.until(tp.id, ['filled']);
    assert.ok(done.filled_at);
    const canceled = await c.until(sl.id, ['canceled']);
    assert.ok(canceled.canceled_at);
    assert.deepEqual(await c.ok('GET', '/v2/positions'), []);
    await price('AAPL', null);
  });

  test('bracket: canceling the entry cancels its held exits; bad exit prices are 422', async () => {
    const c = client('bracket-2');
    await admin(sim.url, '/admin/fill-mode', { mode: 'hold', account: 'bracket-2' });
    try {
      const entry = await c.order({ symbol: 'MSFT', side: 'buy', qty: '2', type: 'limit', limit_price: '10', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '12' }, stop_loss: { stop_price: '9', limit_price: '8.9' } });
      const legs = entry.legs ?? [];
      assert.deepEqual(legs.map((l) => [l.status, l.type]), [['held', 'limit'], ['held', 'stop_limit']]);
      await c.ok('DELETE', `/v2/orders/${entry.id}`, undefined, 204);
      for (const l of legs) assert.equal((await c.get(l.id)).status, 'canceled');
      await c.fails('POST', '/v2/orders', { symbol: 'MSFT', side: 'buy', qty: '1', type: 'limit', limit_price: '10', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '9' }, stop_loss: { stop_price: '8' } }, 422, /take_profit/);
      await c.fails('POST', '/v2/orders', { symbol: 'MSFT', side: 'buy', qty: '1', type: 'limit', limit_price: '10', time_in_force: 'day', order_class: 'bracket', take_profit: { limit_price: '12' } }, 422, /stop_loss/);
      await c.fails('POST', '/v2/orders', { symbol: 'MSFT', side: 'buy', qty: '1', type: 'limit', limit_price: '10', time_in_force: 'ioc', order_class: 'bracket', take_profit: { limit_price: '12' }, stop_loss: { stop_price: '9' } }, 422, /DAY or GTC/);
    } finally {
      await admin(sim.url, '/admin/fill-mode', { mode: 'auto', account: 'bracket-2' });
    }
  });

  test('oco closes a position: the stop-loss fills and cancels the take-profit; oto has one exit', async () => {
    const c = client('oco-1');
    await price('JPM', 100);
    await c.fails('POST', '/v2/orders', { symbol: 'JPM', side: 'sell', qty: '3', type: 'limit', time_in_force: 'gtc', order_class: 'oco', take_profit: { limit_price: '110' }, stop_loss: { stop_price: '90' } }, 422, /exit/);
    const buy = await c.order(mkt('JPM', 'buy', '3'));
    await c.until(buy.id, ['filled']);
    const oco = await c.order({ symbol: 'JPM', side: 'sell', qty: '3', type: 'limit', time_in_force: 'gtc', order_class: 'oco', take_profit: { limit_price: '110' }, stop_loss: { stop_price: '90' } });
    assert.equal(oco.limit_price, '110');
    const [stop] = oco.legs ?? [];
    assert.ok(stop);
    assert.equal(stop.stop_price, '90');
    await price('JPM', 89);
    await c.until(stop.id, ['filled']);
    assert.equal((await c.until(oco.id, ['canceled'])).status, 'canceled');
    assert.deepEqual(await c.ok('GET', '/v2/positions'), []);

    const oto = await c.order(mkt('JPM', 'buy', '1', { order_class: 'oto', stop_loss: { stop_price: '80' } }));
    assert.equal(oto.legs?.length, 1);
    assert.equal(oto.legs?.[0]?.status, 'held');
    await c.until(oto.legs?.[0]?.id ?? '', ['new']);
    await c.fails('POST', '/v2/orders', mkt('JPM', 'buy', '1', { order_class: 'oto', stop_loss: { stop_price: '80' }, take_profit: { limit_price: '95' } }), 422, /exactly one/);
    await price('JPM', null);
  });
});

describe('replace, cancel, statuses', () => {
  test('PATCH gives a new order linked both ways; the old one is replaced with replaced_at', async () => {
    const c = client('replace-1');
    const o = await c.order({ symbol: 'KO', side: 'buy', qty: '2', type: 'limit', limit_price: '1.50', time_in_force: 'gtc', client_order_id: 'r-1' });
    await c.until(o.id, ['new']);
    await c.fails('PATCH', `/v2/orders/${o.id}`, { limit_price: '1.5' }, 403, /not changed/);
    const fresh = await c.ok<Order>('PATCH', `/v2/orders/${o.id}`, { qty: '3', limit_price: '1.55', client_order_id: 'r-2' });
    assert.notEqual(fresh.id, o.id);
    assert.deepEqual([fresh.replaces, fresh.qty, fresh.limit_price, fresh.client_order_id], [o.id, '3', '1.55', 'r-2']);
    // A working order's replace settles at the matcher's next step; the cancel of the new one too.
    const old = await c.until(o.id, ['replaced']);
    assert.deepEqual([old.status, old.replaced_by], ['replaced', fresh.id]);
    assert.ok(old.replaced_at);
    await c.fails('PATCH', `/v2/orders/${o.id}`, { qty: '1' }, 422, /replaced/);
    await c.fails('PATCH', `/v2/orders/${fresh.id}`, { stop_price: '1.2' }, 422, /stop_price/);
    await c.fails('PATCH', `/v2/orders/${fresh.id}`, { limit_price: '1.555' }, 422, /sub-penny/);
    await c.ok('DELETE', `/v2/orders/${fresh.id}`, undefined, 204);
    const canceled = await c.until(fresh.id, ['canceled']);
    assert.ok(canceled.canceled_at);
    await c.fails('DELETE', `/v2/orders/${fresh.id}`, undefined, 422, /already in "canceled" state/);
    await c.fails('POST', '/v2/orders', { ...mkt('KO', 'buy', '1'), client_order_id: 'r-1' }, 422);
    const dup = await c.fails('POST', '/v2/orders', { ...mkt('KO', 'buy', '1'), client_order_id: 'r-2' }, 422);
    assert.equal(dup.code, 40010001);
    await c.fails('POST', '/v2/orders', { ...mkt('KO', 'buy', '1'), client_order_id: 'x'.repeat(129) }, 422, /128/);
  });

  test('ioc and fok that cannot execute are canceled; trailing stops derive their stop from the hwm', async () => {
    const c = client('tif-1');
    await price('PEP', 100);
    const ioc = await c.order({ symbol: 'PEP', side: 'buy', qty: '1', type: 'limit', limit_price: '90', time_in_force: 'ioc' });
    assert.ok((await c.until(ioc.id, ['canceled'])).canceled_at);
    const fok = await c.order({ symbol: 'PEP', side: 'buy', qty: '1', type: 'limit', limit_price: '90', time_in_force: 'fok' });
    await c.until(fok.id, ['canceled']);
    const buy = await c.order(mkt('PEP', 'buy', '4'));
    await c.until(buy.id, ['filled']);
    const trail = await c.order({ symbol: 'PEP', side: 'sell', qty: '4', type: 'trailing_stop', trail_percent: '5', time_in_force: 'gtc' });
    assert.deepEqual([trail.hwm, trail.stop_price, trail.trail_percent], ['100', '95', '5']);
    await price('PEP', 110);
    const risen = await c.until(trail.id, ['new']);
    await new Promise((r) => setTimeout(r, 30));
    const tracked = await c.get(risen.id);
    assert.deepEqual([tracked.hwm, tracked.stop_price], ['110', '104.5']);
    await price('PEP', 104);
    await c.until(trail.id, ['filled']);
    await c.fails('POST', '/v2/orders', { symbol: 'PEP', side: 'sell', qty: '1', type: 'trailing_stop', trail_percent: '5', trail_price: '2', time_in_force: 'gtc' }, 422, /exactly one/);
    await c.fails('POST', '/v2/orders', { symbol: 'PEP', side: 'sell', qty: '1', type: 'trailing_stop', trail_price: '2', time_in_force: 'ioc' }, 422, /day or gtc/);
    await price('PEP', null);
  });

  test('qty and notional, fractional, sub-penny, buying power counting open orders, short sales', async () => {
    const c = client('rules-1');
    const assets = await c.ok<Array<{ symbol: string; fractionable: boolean; easy_to_borrow: boolean; shortable: boolean }>>('GET', '/v2/assets');
    const whole = assets.find((a) => !a.fractionable);
    const htb = assets.find((a) => !a.easy_to_borrow);
    assert.ok(whole && htb, 'the universe has non-fractionable and hard-to-borrow names');
    await c.fails('POST', '/v2/orders', mkt(whole.symbol, 'buy', '0.5'), 422, /not fractionable/);
    await c.fails('POST', '/v2/orders', { symbol: 'AAPL', side: 'buy', notional: '100', type: 'limit', limit_price: '10', time_in_force: 'day' }, 422, /market/);
    await c.fails('POST', '/v2/orders', { symbol: 'AAPL', side: 'buy', notional: '100', type: 'market', time_in_force: 'gtc' }, 422, /DAY/);
    await c.fails('POST', '/v2/orders', { ...mkt('AAPL', 'buy', '1'), notional: '100' }, 422, /mutually exclusive/);
    await c.fails('POST', '/v2/orders', mkt('AAPL', 'sell', '0.5'), 422, /fractional orders cannot be sold short/);
    await c.fails('POST', '/v2/orders', mkt(htb.symbol, 'sell', '1'), 422, /cannot be sold short/);
    await c.fails('POST', '/v2/orders', { symbol: 'AAPL', side: 'buy', qty: '1', type: 'limit', limit_price: '10.001', time_in_force: 'day' }, 422, /sub-penny/);
    await c.fails('POST', '/v2/orders', { symbol: 'AAPL', side: 'buy', qty: '1', type: 'limit', limit_price: '0.12345', time_in_force: 'day' }, 422, /sub-penny/);
    await c.fails('POST', '/v2/orders', { symbol: 'AAPL', side: 'buy', qty: '1', type: 'bogus', time_in_force: 'day' }, 422, /type/);
    await c.fails('POST', '/v2/orders', 'AAPL', 422, /JSON object/);
    const notional = await c.order({ symbol: 'AAPL', side: 'buy', notional: '150.25', type: 'market', time_in_force: 'day' });
    assert.deepEqual([notional.notional, notional.qty], ['150.25', null]);
    await c.until(notional.id, ['filled']);

    await admin(sim.url, '/admin/fill-mode', { mode: 'hold', account: 'rules-1' });
    try {
      await price('XOM', 100);
      const sub = await c.order({ symbol: 'XOM', side: 'buy', qty: '1', type: 'limit', limit_price: '0.1234', time_in_force: 'day' });
      assert.equal(sub.limit_price, '0.1234');
      // $200k of buying power: $150k held by an open order leaves too little for $60k more.
      await c.order({ symbol: 'XOM', side: 'buy', qty: '1500', type: 'limit', limit_price: '100', time_in_force: 'day' });
      await c.fails('POST', '/v2/orders', { symbol: 'XOM', side: 'buy', qty: '600', type: 'limit', limit_price: '100', time_in_force: 'day' }, 403, /insufficient buying power/);
      await c.order({ symbol: 'XOM', side: 'buy', qty: '400', type: 'limit', limit_price: '100', time_in_force: 'day' });
      const all = await c.ok<Array<{ id: string; status: number }>>('DELETE', '/v2/orders', undefined, 207);
      assert.equal(all.length, 3);
    } finally {
      await admin(sim.url, '/admin/fill-mode', { mode: 'auto', account: 'rules-1' });
      await price('XOM', null);
    }
  });
});

describe('fills', () => {
  test('partial fills: FILL activities per execution, cumulative totals on the order', async () => {
    const partial = await startSimulator({ port: 0, seed: 9, partialFillRate: 1, fillLatencyMs: 5 });
    try {
      const c = client('fills-1', () => partial.url);
      await price('CVX', 50, partial.url);
      const o = await c.order(mkt('CVX', 'buy', '10'));
      const done = await c.until(o.id, ['filled']);
      const fills = await c.ok<Json[]>('GET', '/v2/account/activities/FILL?direction=asc');
      assert.deepEqual(fills.map((f) => f.type), ['partial_fill', 'fill']);
      const [first, second] = fills;
      assert.ok(first && second);
      assert.equal(Number(first.qty) + Number(second.qty), 10);
      assert.deepEqual([first.cum_qty, first.leaves_qty, first.order_status], [first.qty, String(10 - Number(first.qty)), 'partially_filled']);
      assert.deepEqual([second.cum_qty, second.leaves_qty, second.order_status], ['10', '0', 'filled']);
      assert.match(String(first.id), /^\d{17}::[0-9a-f-]{36}$/);
      assert.equal(done.filled_qty, '10');
      // Paging: page_token is the last id seen.
      const page = await c.ok<Json[]>('GET', `/v2/account/activities?direction=asc&page_size=1&page_token=${encodeURIComponent(String(first.id))}`);
      assert.deepEqual(page.map((f) => f.id), [second.id]);
      const history = await c.ok<{ equity: number[]; timestamp: number[] }>('GET', '/v2/account/portfolio/history?period=1W&timeframe=1D');
      assert.equal(history.equity.length, history.timestamp.length);
    } finally {
      await partial.close();
    }
  });
});

describe('market: real — opg, cls, queued orders', () => {
  test('opg/cls blackout windows, auctions at the open and the close, async rejection at the open', async () => {
    const real = await startSimulator({ port: 0, seed: 5, market: 'real', partialFillRate: 0, fillLatencyMs: 0 });
    const at = (time: string) => admin(real.url, '/admin/clock', { time, freeze: true });
    try {
      const c = client('real-1', () => real.url);
      await at('2025-06-24T14:00:00Z'); // Tuesday 10:00 ET
      await c.fails('POST', '/v2/orders', mkt('MSFT', 'buy', '1', { time_in_force: 'opg' }), 422, /opg/);
      const cls = await c.order(mkt('MSFT', 'buy', '1', { time_in_force: 'cls' }));
      await at('2025-06-24T19:55:00Z'); // 15:55 ET
      await c.fails('POST', '/v2/orders', mkt('MSFT', 'buy', '1', { time_in_force: 'cls' }), 422, /cls/);
      assert.equal((await c.get(cls.id)).status, 'new');
      await at('2025-06-24T20:00:30Z');
      const closed = await c.until(cls.id, ['filled']);
      assert.equal(closed.filled_at, '2025-06-24T20:00:00.000Z');

      await at('2025-06-24T23:30:00Z'); // 19:30 ET: opg queues for tomorrow's open
      const c2 = client('real-2', () => real.url);
      const opg = await c2.order(mkt('MSFT', 'buy', '1', { time_in_force: 'opg' }));
      assert.equal(opg.status, 'accepted');
      const queued = await c.order(mkt('KO', 'buy', '1', { client_order_id: 'queued-1' }));
      await c.ok('PATCH', '/v2/account/configurations', { suspend_trade: true });
      await c.fails('POST', '/v2/orders', mkt('KO', 'buy', '1'), 403, /suspended/);
      await at('2025-06-25T13:30:30Z'); // 09:30:30 ET
      const rejected = await c.until(queued.id, ['rejected']);
      assert.ok(rejected.failed_at);
      await c.ok('PATCH', '/v2/account/configurations', { suspend_trade: false });
      const opened = await c2.until(opg.id, ['filled']);
      assert.equal(opened.filled_at, '2025-06-25T13:30:00.000Z');
    } finally {
      await real.close();
    }
  });
});
