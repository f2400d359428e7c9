/** The request counters behind GET /admin/stats, without a server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DROPPED, isAdminPath, RequestStats, routeName } from '../../src/request-stats';

test('route names: the method and fastify pattern, a literal colon as Alpaca writes it, unmatched paths', () => {
  assert.equal(routeName('get', '/v2/orders::by_client_order_id'), 'GET /v2/orders:by_client_order_id');
  assert.equal(routeName('DELETE', '/v2/orders/:id'), 'DELETE /v2/orders/:id');
  assert.equal(routeName('GET', undefined), 'GET (unmatched)');
  assert.deepEqual(['/admin', '/admin/stats?x=1', '/administer', '/v2/admin'].map(isAdminPath), [true, true, false, false]);
});

test('counts by route, status and key; a reset answers the counters before it', () => {
  let now = Date.parse('2026-06-01T12:00:00Z');
  const stats = new RequestStats(() => now);
  stats.request('POST /v2/orders', 'k1');
  stats.request('POST /v2/orders', 'k2');
  stats.request('GET /v2/orders', 'k1');
  stats.request('GET /v3/clock', '');
  stats.request('GET /v2/account', '__proto__');
  for (const s of [200, 200, 429, 200] as const) stats.answered(s);
  stats.answered(DROPPED);
  const snap = stats.snapshot();
  assert.deepEqual(snap, {
    since: '2026-06-01T12:00:00.000Z',
    total: 5,
    routes: { 'GET /v2/account': 1, 'GET /v2/orders': 1, 'GET /v3/clock': 1, 'POST /v2/orders': 2 },
    statuses: { 200: 3, 429: 1, dropped: 1 },
    byAccount: {
      ['__proto__']: { total: 1, routes: { 'GET /v2/account': 1 } },
      k1: { total: 2, routes: { 'GET /v2/orders': 1, 'POST /v2/orders': 1 } },
      k2: { total: 1, routes: { 'POST /v2/orders': 1 } },
    },
  });
  assert.equal(Object.getPrototypeOf(snap.byAccount), Object.prototype, 'a key id named __proto__ is an own key');
  assert.deepEqual(Object.keys(snap.byAccount), ['__proto__', 'k1', 'k2']);
  now += 5_000;
  assert.deepEqual(stats.reset(), snap);
  assert.deepEqual(stats.snapshot(), { since: '2026-06-01T12:00:05.000Z', total: 0, routes: {}, statuses: {}, byAccount: {} });
});
