/** Fault specs and the registry's draws, the request budget, and the simulated clock, without a server. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FaultRegistry, parseFaultSpec } from '../../src/faults';
import { RateLimiter } from '../../src/rate-limit';
import { TimeSource } from '../../src/time-source';
import { simOptionsFromFlags } from '../../src/cli-options';

describe('fault specs', () => {
  test('route, kind and options; routes may contain colons', () => {
    assert.deepEqual(parseFaultSpec('POST /v2/orders:error-503:rate=0.2'), { route: 'POST /v2/orders', kind: 'error-503', rate: 0.2 });
    assert.deepEqual(parseFaultSpec('GET /v2/orders:by_client_order_id:latency:ms=300'),
      { route: 'GET /v2/orders:by_client_order_id', kind: 'latency', latencyMs: 300 });
    assert.deepEqual(parseFaultSpec('DELETE /v2/orders/:id:lose-response:count=1'),
      { route: 'DELETE /v2/orders/:id', kind: 'lose-response', count: 1 });
    assert.deepEqual(parseFaultSpec('*:429:rate=0.01'), { route: '*', kind: 'rate-limit', rate: 0.01 });
    assert.deepEqual(parseFaultSpec('reset'), { route: '*', kind: 'reset' });
  });

  test('bad specs name the problem', () => {
    assert.throws(() => parseFaultSpec('POST /v2/orders:explode'), /no kind/);
    assert.throws(() => parseFaultSpec('POST /v2/orders:error-500:rate=2'), /rate/);
    assert.throws(() => parseFaultSpec('POST /v2/orders:error-500:when=now'), /must be a number|unknown option/);
  });

  test('the CLI flags collect every problem at once', () => {
    assert.throws(() => simOptionsFromFlags({ port: 0, host: '127.0.0.1', seed: 1, equity: 1, market: 'weird', speed: '-2', fault: ['x'] }),
      (e: unknown) => /--market/.test(String(e)) && /--speed/.test(String(e)) && /--fault/.test(String(e)));
    const ok = simOptionsFromFlags({ port: 0, host: '127.0.0.1', seed: 1, equity: 1, market: 'real', speed: '60', rateLimit: false });
    assert.equal(ok.enforceRateLimit, false);
    assert.equal(ok.clockSpeed, 60);
    assert.equal(simOptionsFromFlags({ port: 0, host: 'h', seed: 1, equity: 1, market: 'real' }).enforceRateLimit, true);
  });
});

describe('fault registry', () => {
  test('a rate draws from the seed; a count disarms', () => {
    const draw = (seed: number) => {
      const r = new FaultRegistry(seed, [{ route: 'GET /v2/account', kind: 'error-500', rate: 0.25 }]);
      return Array.from({ length: 400 }, () => r.take('GET', '/v2/account', '/v2/account').failStatus);
    };
    const a = draw(1);
    assert.deepEqual(draw(1), a);
    const hits = a.filter((s) => s === 500).length;
    assert.ok(hits > 70 && hits < 130, `${hits} of 400`);
    const r = new FaultRegistry(1);
    r.add({ route: 'POST /v2/*', kind: 'reset', count: 2 });
    const plans = [1, 2, 3].map(() => r.take('POST', '/v2/orders', '/v2/orders').reset);
    assert.deepEqual(plans, [true, true, false]);
    assert.equal(r.take('GET', '/v2/orders', '/v2/orders').reset, false);
  });

  test('latency adds to a failing fault; only one failing kind applies', () => {
    const r = new FaultRegistry(1, [
      { route: '*', kind: 'latency', latencyMs: 100 }, { route: 'GET *', kind: 'error-503' }, { route: '*', kind: 'lose-response' },
    ]);
    assert.deepEqual(r.take('GET', '/v2/clock', '/v2/clock'), { latencyMs: 100, failStatus: 503, reset: false, loseResponse: false });
  });
});

describe('request budget', () => {
  test('a fixed window per key and API', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ limit: 2, enforce: true, wall: () => now });
    assert.deepEqual([1, 2, 3].map(() => limiter.hit('k', 'trading').limited), [false, false, true]);
    assert.equal(limiter.hit('k', 'data').limited, false);
    const v = limiter.hit('k', 'trading');
    assert.deepEqual([v.remaining, v.reset, v.retryAfter], [0, 1060, 60]);
    now += 60_000;
    assert.equal(limiter.hit('k', 'trading').limited, false);
  });
});

describe('time source', () => {
  test('speed, freeze, advance and reset', () => {
    let wall = 0;
    const t = new TimeSource({ start: 1_000, speed: 60, wall: () => wall });
    wall = 1_000;
    assert.equal(t.now(), 61_000);
    t.freeze(t.now());
    wall = 5_000;
    assert.equal(t.now(), 61_000);
    t.advance(9_000);
    assert.equal(t.now(), 70_000);
    t.freeze(null);
    wall = 6_000;
    assert.equal(t.now(), 130_000);
    t.setSpeed(1);
    wall = 7_000;
    assert.equal(t.now(), 131_000);
    t.reset();
    assert.equal(t.now(), 1_000);
    assert.equal(t.speed, 60);
    assert.throws(() => new TimeSource({ speed: 0 }));
  });
});
