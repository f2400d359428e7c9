/**
 * Fault injection on the simulator: seeded error rates configured at start-up, Alpaca's request budget with its
 * headers, connection resets, latency, and the admin API that arms and clears faults at run time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from 'alpaca-sim';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import { RateLimited } from '../../src/broker/errors';

const auth = (key: string) => ({ 'APCA-API-KEY-ID': key, 'APCA-API-SECRET-KEY': `secret-${key}` });

async function statuses(url: string, path: string, key: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}${path}`, { headers: auth(key) });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

async function admin(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function withSim<T>(options: SimulatorOptions, run: (sim: RunningSimulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ port: 0, ...options });
  try {
    return await run(sim);
  } finally {
    await sim.close();
  }
}

describe('faults configured at start-up', () => {
  const faults: SimulatorOptions['faults'] = [{ route: 'GET /v2/account', kind: 'error-503', rate: 0.3 }];

  test('an error rate hits about that share of one route, the same requests for the same seed', async () => {
    const first = await withSim({ seed: 9, faults }, (sim) => statuses(sim.url, '/v2/account', 'f-1', 200));
    const failed = first.filter((s) => s === 503).length;
    assert.ok(failed > 30 && failed < 95, `${failed} of 200 failed at rate 0.3`);
    assert.deepEqual(new Set(first), new Set([200, 503]));
    const again = await withSim({ seed: 9, faults }, (sim) => statuses(sim.url, '/v2/account', 'f-1', 200));
    assert.deepEqual(again, first, 'seeded: the same requests fail');
    const other = await withSim({ seed: 9, faults }, (sim) => statuses(sim.url, '/v2/positions', 'f-1', 50));
    assert.ok(other.every((s) => s === 200), 'other routes are untouched');
  });
});

describe('the request budget', () => {
  test('past the limit: 429 with X-RateLimit-* and Retry-After, per key, per API', async () => {
    await withSim({ rateLimitPerMinute: 5, enforceRateLimit: true }, async (sim) => {
      const seen: Array<{ status: number; remaining: string | null }> = [];
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${sim.url}/v2/account`, { headers: auth('rl-1') });
        await res.arrayBuffer();
        seen.push({ status: res.status, remaining: res.headers.get('x-ratelimit-remaining') });
        if (i === 5) {
          assert.equal(res.headers.get('x-ratelimit-limit'), '5');
          const reset = Number(res.headers.get('x-ratelimit-reset'));
          assert.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 61);
          assert.ok(Number(res.headers.get('retry-after')) >= 1);
        }
      }
      assert.deepEqual(seen.map((s) => s.status), [200, 200, 200, 200, 200, 429]);
      assert.deepEqual(seen.map((s) => s.remaining), ['4', '3', '2', '1', '0', '0']);
      // Another key, and the data API of the same key, have budgets of their own.
      assert.deepEqual(await statuses(sim.url, '/v2/account', 'rl-2', 1), [200]);
      assert.deepEqual(await statuses(sim.url, '/v2/stocks/AAPL/quotes/latest', 'rl-1', 1), [200]);
      const broker = createAlpacaBroker({ keyId: 'rl-1', secretKey: 'secret-rl-1', tradingUrl: sim.url, dataUrl: sim.url });
      await assert.rejects(broker.getPositions(), RateLimited);
      // Lifted at run time.
      await admin(sim.url, 'POST', '/admin/rate-limit', { enforce: false });
      assert.deepEqual(await statuses(sim.url, '/v2/account', 'rl-1', 1), [200]);
      await admin(sim.url, 'POST', '/admin/rate-limit', { enforce: true, limit: 1000, reset: true });
      assert.deepEqual(await statuses(sim.url, '/v2/account', 'rl-1', 3), [200, 200, 200]);
    });
  });

  test('off by default for the library, so test suites can make many requests', async () => {
    await withSim({}, async (sim) => {
      const many = await statuses(sim.url, '/v2/clock', 'rl-3', 210);
      assert.ok(many.every((s) => s === 200));
    });
  });
});

describe('faults armed at run time', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ port: 0, fillLatencyMs: 0 });
  });
  after(async () => {
    await sim.close();
  });

  test('a connection reset: the client sees ECONNRESET and nothing happened', async () => {
    const armed = await admin(sim.url, 'POST', '/admin/faults', { spec: 'POST /v2/orders:reset' });
    assert.equal(armed.status, 201);
    await assert.rejects(fetch(`${sim.url}/v2/orders`, {
      method: 'POST', headers: { ...auth('rst-1'), 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'rst-a' }),
    }), (e: unknown) => {
      const code = (e as { cause?: { code?: string } }).cause?.code;
      assert.ok(code === 'ECONNRESET' || code === 'UND_ERR_SOCKET', `cause ${String(code)}`);
      return true;
    });
    const ledger = await admin(sim.url, 'GET', '/admin/orders?account=rst-1');
    assert.deepEqual(ledger.body, []);
  });

  test('latency delays one route by the configured time', async () => {
    // A latency far above a loopback request's, so a busy machine cannot blur the two.
    await admin(sim.url, 'POST', '/admin/faults', { route: 'GET /v2/clock', kind: 'latency', latencyMs: 1000, count: 2 });
    const t0 = Date.now();
    await statuses(sim.url, '/v2/clock', 'lat-1', 2);
    assert.ok(Date.now() - t0 >= 2000, `took ${Date.now() - t0} ms`);
    const t1 = Date.now();
    await statuses(sim.url, '/v2/clock', 'lat-1', 1);
    assert.ok(Date.now() - t1 < 1000, `the fault is used up, yet the request took ${Date.now() - t1} ms`);
  });

  test('faults are listed with ids and hits, and removed one by one', async () => {
    await admin(sim.url, 'DELETE', '/admin/faults');
    const a = await admin(sim.url, 'POST', '/admin/faults', { spec: 'GET /v2/positions:error-500:rate=1' });
    const b = await admin(sim.url, 'POST', '/admin/faults', { route: 'DELETE /v2/orders/:id', kind: '503', count: 3 });
    assert.equal(b.status, 201);
    assert.deepEqual(await statuses(sim.url, '/v2/positions', 'adm-1', 2), [500, 500]);
    const list = (await admin(sim.url, 'GET', '/admin/faults')).body as Array<{ id: number; kind: string; hits: number; remaining: number | null }>;
    assert.deepEqual(list.map((f) => [f.kind, f.hits, f.remaining]), [['error-500', 2, null], ['error-503', 0, 3]]);
    const id = (a.body as { id: number }).id;
    assert.equal((await admin(sim.url, 'DELETE', `/admin/faults/${id}`)).status, 204);
    assert.deepEqual(await statuses(sim.url, '/v2/positions', 'adm-1', 1), [200]);
    assert.equal((await admin(sim.url, 'DELETE', `/admin/faults/${id}`)).status, 404);
    const bad = await admin(sim.url, 'POST', '/admin/faults', { spec: 'GET /v2/positions:explode' });
    assert.equal(bad.status, 422);
    await admin(sim.url, 'DELETE', '/admin/faults');
  });
});
