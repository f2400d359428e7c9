/**
 * Over HTTP: the request counters (GET/DELETE /admin/stats and the JS API), the rolling per-key request budget
 * with Alpaca's X-RateLimit-* headers, and a simulator with 2,000 synthetic symbols.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startSimulator, type RunningSimulator, type SimStats } from '../../src';

let sim: RunningSimulator;
const SYNTHETIC = 2000;

before(async () => {
  sim = await startSimulator({ port: 0, seed: 11, syntheticSymbols: SYNTHETIC, fillLatencyMs: 20, partialFillRate: 0 });
});
after(async () => {
  await sim.close();
});

const auth = (key: string) => ({ 'APCA-API-KEY-ID': key, 'APCA-API-SECRET-KEY': `s-${key}` });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function call(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { ...auth(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}${path}`, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('request counters', () => {
  test('every non-admin request by route pattern, status and key, the stream upgrade included; admin is not counted', async () => {
    await admin('DELETE', '/admin/stats');
    const order = await call('st-1', 'POST', '/v2/orders', { symbol: 'SYAAB', qty: '1', side: 'buy', type: 'limit', limit_price: '1', time_in_force: 'day', client_order_id: 'stats-1' });
    assert.equal(order.status, 200);
    const id = (order.body as { id: string }).id;
    assert.equal((await call('st-1', 'GET', '/v2/orders?status=all')).status, 200);
    assert.equal((await call('st-1', 'GET', '/v2/orders:by_client_order_id?client_order_id=stats-1')).status, 200);
    assert.equal((await call('st-1', 'DELETE', `/v2/orders/${id}`)).status, 204);
    assert.equal((await call('st-1', 'GET', '/v2/orders/not-an-order')).status, 404);
    assert.equal((await call('st-2', 'GET', '/v2/no/such/route')).status, 404);
    assert.equal((await call('st-2', 'GET', '/v2/account')).status, 200);
    const wrongSecret = await fetch(`${sim.url}/v2/account`, { headers: { 'APCA-API-KEY-ID': 'st-2', 'APCA-API-SECRET-KEY': 'wrong' } });
    assert.equal(wrongSecret.status, 401);
    assert.equal((await fetch(`${sim.url}/v3/clock`)).status, 200);
    // A connection dropped by a fault has no status: it is counted as dropped.
    await admin('POST', '/admin/faults', { spec: 'GET /v2/clock:reset:count=1' });
    await assert.rejects(fetch(`${sim.url}/v2/clock`, { headers: auth('st-2') }));
    // The trade_updates stream: its upgrade is a GET /stream answered 101.
    const ws = new WebSocket(`${sim.url.replace(/^http/, 'ws')}/stream`);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    ws.close();
    const stray = new WebSocket(`${sim.url.replace(/^http/, 'ws')}/elsewhere`);
    await new Promise<void>((resolve) => { stray.once('error', () => resolve()); stray.once('close', () => resolve()); });
    // None of these count.
    await admin('GET', '/admin/state');
    await admin('GET', '/admin/no-such-admin-route');

    const res = await admin('GET', '/admin/stats');
    assert.equal(res.status, 200);
    const stats = res.body as SimStats;
    assert.ok(Date.parse(stats.since) <= Date.now());
    assert.deepEqual(stats.routes, {
      'DELETE /v2/orders/:id': 1,
      'GET (unmatched)': 2,
      'GET /stream': 1,
      'GET /v2/account': 2,
      'GET /v2/clock': 1,
      'GET /v2/orders': 1,
      'GET /v2/orders/:id': 1,
      'GET /v2/orders:by_client_order_id': 1,
      'GET /v3/clock': 1,
      'POST /v2/orders': 1,
    });
    assert.equal(stats.total, 12);
    assert.deepEqual(stats.statuses, { 101: 1, 200: 5, 204: 1, 401: 1, 404: 3, dropped: 1 });
    assert.deepEqual(stats.byAccount, {
      'st-1': {
        total: 5,
        routes: { 'DELETE /v2/orders/:id': 1, 'GET /v2/orders': 1, 'GET /v2/orders/:id': 1, 'GET /v2/orders:by_client_order_id': 1, 'POST /v2/orders': 1 },
      },
      'st-2': { total: 4, routes: { 'GET (unmatched)': 1, 'GET /v2/account': 2, 'GET /v2/clock': 1 } },
    });
    assert.deepEqual(sim.stats(), stats);

    // DELETE answers the counters before the reset; so does the JS API.
    const cleared = await admin('DELETE', '/admin/stats');
    assert.deepEqual({ ...(cleared.body as SimStats) }, stats);
    const fresh = sim.stats();
    assert.deepEqual([fresh.total, fresh.routes, fresh.statuses, fresh.byAccount], [0, {}, {}, {}]);
    assert.ok(fresh.since >= stats.since);
    await call('st-1', 'GET', '/v2/clock');
    assert.equal(sim.resetStats().routes['GET /v2/clock'], 1);
    assert.equal(sim.stats().total, 0);
  });

  test('a 429 of the request budget is counted by status', async () => {
    await admin('POST', '/admin/rate-limit', { limit: 1, enforce: true, reset: true });
    try {
      sim.resetStats();
      assert.deepEqual([(await call('st-3', 'GET', '/v2/clock')).status, (await call('st-3', 'GET', '/v2/clock')).status], [200, 429]);
      assert.deepEqual(sim.stats().statuses, { 200: 1, 429: 1 });
      assert.deepEqual(sim.stats().byAccount['st-3'], { total: 2, routes: { 'GET /v2/clock': 2 } });
    } finally {
      await admin('POST', '/admin/rate-limit', { limit: 200, enforce: false, reset: true });
    }
  });
});

describe('the request budget', () => {
  test('a rolling window per key: Limit, Remaining and Reset on every answer; 429 with Retry-After past it', async () => {
    const set = await admin('POST', '/admin/rate-limit', { limit: 3, enforce: true, windowMs: 2000, reset: true });
    assert.deepEqual(set.body, { limit: 3, enforce: true, windowMs: 2000 });
    try {
      const sent = Date.now();
      const first = await call('rl-1', 'GET', '/v2/account');
      const answered = Date.now();
      assert.equal(first.status, 200);
      assert.deepEqual(['limit', 'remaining'].map((h) => first.headers.get(`x-ratelimit-${h}`)), ['3', '2']);
      const reset = Number(first.headers.get('x-ratelimit-reset'));
      // Reset: the epoch second at which the first request leaves the window.
      assert.ok(reset >= Math.ceil((sent + 2000) / 1000) && reset <= Math.ceil((answered + 2000) / 1000), `reset ${reset}`);
      await sleep(1000);
      const second = await call('rl-1', 'POST', '/v2/orders', { symbol: 'SYAAA', qty: '1', side: 'buy', type: 'limit', limit_price: '1', time_in_force: 'day' });
      const third = await call('rl-1', 'GET', '/v2/orders');
      assert.deepEqual([second.status, third.status], [200, 200]);
      assert.deepEqual([second, third].map((r) => r.headers.get('x-ratelimit-remaining')), ['1', '0']);
      assert.equal(third.headers.get('x-ratelimit-reset'), String(reset), 'the oldest counted request is still the first');
      const refused = await call('rl-1', 'GET', '/v2/account');
      assert.equal(refused.status, 429);
      assert.deepEqual(refused.body, { code: 42910000, message: 'rate limit exceeded' });
      assert.deepEqual(['limit', 'remaining', 'reset'].map((h) => refused.headers.get(`x-ratelimit-${h}`)), ['3', '0', String(reset)]);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1 && Number(refused.headers.get('retry-after')) <= 2);
      // Other keys, and the data API, have budgets of their own.
      assert.equal((await call('rl-2', 'GET', '/v2/account')).status, 200);
      assert.equal((await call('rl-1', 'GET', '/v2/stocks/SYAAA/quotes/latest')).status, 200);
      const used = (await admin('GET', '/admin/rate-limit')).body as { used: Record<string, number> };
      assert.deepEqual(used.used, { 'trading|rl-1': 3, 'trading|rl-2': 1, 'data|rl-1': 1 });

      // Rolling, not fixed: once the first request is 2 s old one slot frees, the two later ones still count.
      await sleep(Math.max(0, answered + 2050 - Date.now()));
      const freed = await call('rl-1', 'GET', '/v2/account');
      assert.equal(freed.status, 200);
      assert.equal(freed.headers.get('x-ratelimit-remaining'), '0');
      assert.ok(Number(freed.headers.get('x-ratelimit-reset')) > reset);
      assert.equal((await call('rl-1', 'GET', '/v2/account')).status, 429);
    } finally {
      await admin('POST', '/admin/rate-limit', { limit: 200, enforce: false, windowMs: 60_000, reset: true });
    }
  });

  test('bad admin values are refused', async () => {
    assert.equal((await admin('POST', '/admin/rate-limit', { windowMs: 0 })).status, 422);
    assert.equal((await admin('POST', '/admin/rate-limit', { limit: 'many' })).status, 422);
    assert.deepEqual((await admin('GET', '/admin/rate-limit')).body, { limit: 200, enforce: false, windowMs: 60_000, used: {} });
  });
});

describe('synthetic symbols over HTTP', () => {
  test('assets, quotes, a year of daily bars, and orders: fractional, short', async () => {
    const assets = (await call('syn-1', 'GET', '/v2/assets')).body as Array<Record<string, unknown>>;
    const synthetic = assets.filter((a) => /^SY[A-Z]{3}$/.test(String(a.symbol)));
    assert.equal(synthetic.length, SYNTHETIC);
    assert.ok(assets.length >= 500 + SYNTHETIC);
    const one = (await call('syn-1', 'GET', '/v2/assets/SYCYX')).body as Record<string, unknown>;
    assert.deepEqual(
      [one.symbol, one.class, one.status, one.tradable, one.marginable, one.shortable, one.easy_to_borrow, one.fractionable],
      ['SYCYX', 'us_equity', 'active', true, true, true, true, true],
    );
    assert.equal((await call('syn-1', 'GET', '/v2/assets/SYCYY')).status, 404, 'only the first 2000');

    const bars = (await call('syn-1', 'GET', `/v2/stocks/bars?symbols=SYAAA,SYBCD&timeframe=1Day&start=${new Date(Date.now() - 366 * 86_400_000).toISOString()}&limit=10000`)).body as { bars: Record<string, Array<{ c: number }>> };
    for (const s of ['SYAAA', 'SYBCD']) {
      const closes = (bars.bars[s] ?? []).map((b) => b.c);
      assert.ok(closes.length >= 248, `${s}: ${closes.length} daily bars`);
      assert.ok(closes.every((c) => c >= 15 && c <= 330), `${s} closes from ${Math.min(...closes)} to ${Math.max(...closes)}`);
    }
    const quote = (await call('syn-1', 'GET', '/v2/stocks/SYAAA/quotes/latest')).body as { quote: { bp: number; ap: number } };
    assert.ok(quote.quote.bp > 0 && quote.quote.ap > quote.quote.bp);

    const buy = await call('syn-1', 'POST', '/v2/orders', { symbol: 'SYAAC', notional: '250.50', side: 'buy', type: 'market', time_in_force: 'day' });
    assert.equal(buy.status, 200, JSON.stringify(buy.body));
    const short = await call('syn-1', 'POST', '/v2/orders', { symbol: 'SYAAD', qty: '3', side: 'sell', type: 'market', time_in_force: 'day' });
    assert.equal(short.status, 200, JSON.stringify(short.body));
    const deadline = Date.now() + 3000;
    let positions: Array<{ symbol: string; qty: string }> = [];
    while (positions.length < 2 && Date.now() < deadline) {
      await sleep(20);
      positions = (await call('syn-1', 'GET', '/v2/positions')).body as typeof positions;
    }
    assert.deepEqual(positions.map((p) => p.symbol).sort(), ['SYAAC', 'SYAAD']);
    assert.equal(positions.find((p) => p.symbol === 'SYAAD')?.qty, '-3');
    assert.ok(Number(positions.find((p) => p.symbol === 'SYAAC')?.qty) % 1 !== 0, 'a fractional position');
  });
});
