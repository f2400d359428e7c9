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
  test('a rolling window per key and API: a slot frees when the oldest counted request is 60 s old', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ limit: 2, enforce: true, wall: () => now });
    assert.equal(limiter.hit('k', 'trading').limited, false);
    now += 30_000;
    const second = limiter.hit('k', 'trading');
    assert.deepEqual([second.limited, second.remaining, second.reset], [false, 0, 1060]);
    assert.equal(limiter.hit('k', 'data').limited, false, 'the data API has a budget of its own');
    assert.equal(limiter.hit('other', 'trading').limited, false, 'so has every key');
    now += 10_000;
    const refused = limiter.hit('k', 'trading');
    // Refused at 1 040 s: the request of 1 000 s leaves the window at 1 060 s, in 20 s.
    assert.deepEqual([refused.limited, refused.remaining, refused.reset, refused.retryAfter], [true, 0, 1060, 20]);
    now = 1_059_999;
    assert.equal(limiter.hit('k', 'trading').limited, true, 'refusals do not count, but the window has not moved');
    now = 1_060_000;
    const again = limiter.hit('k', 'trading');
    // Admitted: the window holds 1 030 s and 1 060 s now, so the next slot frees at 1 090 s.
    assert.deepEqual([again.limited, again.remaining, again.reset], [false, 0, 1090]);
    now = 1_061_000;
    assert.deepEqual([limiter.hit('k', 'trading').retryAfter], [29]);
    assert.deepEqual(limiter.usage(), { 'trading|k': 2, 'data|k': 1, 'trading|other': 1 });
    limiter.clear();
    assert.equal(limiter.hit('k', 'trading').remaining, 1);
  });

  test('not a fixed window: a burst at the end of one minute still counts at the start of the next', () => {
    let now = 59_000;
    const limiter = new RateLimiter({ limit: 3, enforce: true, wall: () => now });
    assert.deepEqual([1, 2, 3].map(() => limiter.hit('k', 'trading').limited), [false, false, false]);
    now = 61_000;
    assert.equal(limiter.hit('k', 'trading').limited, true);
    now = 119_000;
    assert.deepEqual([1, 2, 3, 4].map(() => limiter.hit('k', 'trading').limited), [false, false, false, true]);
  });

  test('unenforced, the headers still count down, and Reset is when a slot frees', () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 2, wall: () => now });
    const verdicts = [0, 10_000, 20_000, 30_000].map((t) => {
      now = t;
      return limiter.hit('k', 'trading');
    });
    assert.deepEqual(verdicts.map((v) => [v.limited, v.remaining, v.reset]), [[false, 1, 60], [false, 0, 60], [false, 0, 70], [false, 0, 80]]);
    limiter.enforce = true;
    now = 35_000;
    assert.deepEqual([limiter.hit('k', 'trading').limited], [true]);
    // A lowered limit and a shorter window apply at once.
    limiter.limit = 1;
    limiter.windowMs = 1_000;
    now = 36_000;
    assert.deepEqual([limiter.hit('k', 'trading').limited, limiter.hit('k', 'trading').limited], [false, true]);
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
