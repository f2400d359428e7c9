/** Fixes found by running alpaca-py against the simulator (issue 11, item 7), one focused check each. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type RunningSimulator } from '../../src';

const headers = { 'APCA-API-KEY-ID': 'compat-1', 'APCA-API-SECRET-KEY': 's', 'Content-Type': 'application/json' };
let sim: RunningSimulator;
/** Untyped response JSON: each test reads the few fields it checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

before(async () => {
  sim = await startSimulator({ port: 0, market: 'real', start: '2026-06-15T20:30:00Z' });
});
after(async () => {
  await sim.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${sim.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe('alpaca-py compatibility', () => {
  test('boolean query values are case-insensitive (Python sends True), others are a 422', async () => {
    assert.equal((await call('DELETE', '/v2/positions?cancel_orders=True')).status, 207);
    assert.equal((await call('GET', '/v2/orders?nested=FALSE')).status, 200);
    const bad = await call('DELETE', '/v2/positions?cancel_orders=yes');
    assert.equal(bad.status, 422);
    assert.equal(typeof bad.json.message, 'string');
  });

  test('week and month bars aggregate the daily bars; 5Month is refused', async () => {
    const days = (await call('GET', '/v2/stocks/AAPL/bars?timeframe=1Day&start=2026-01-05&end=2026-06-15&limit=10000')).json.bars;
    for (const tf of ['1Week', '1W']) {
      const weeks = (await call('GET', `/v2/stocks/AAPL/bars?timeframe=${tf}&start=2026-01-05&end=2026-06-15`)).json.bars;
      assert.ok(weeks.length >= 22 && weeks.length <= 24, `${weeks.length} weeks`);
      assert.equal(weeks.reduce((n: number, b: Json) => n + b.v, 0), days.reduce((n: number, b: Json) => n + b.v, 0));
    }
    const months = (await call('GET', '/v2/stocks/bars?symbols=AAPL&timeframe=1Month&start=2026-01-01&end=2026-06-15')).json.bars.AAPL;
    assert.equal(months.length, 6);
    const firstDay = (await call('GET', '/v2/stocks/AAPL/bars?timeframe=1Day&start=2026-01-01&limit=1')).json.bars[0];
    assert.equal(months[0].o, firstDay.o);
    assert.equal(months[0].t, firstDay.t);
    assert.equal(months[5].c, days[days.length - 1].c);
    assert.equal(Math.max(...months.map((b: Json) => b.h)), Math.max(...days.map((b: Json) => b.h)));
    assert.equal((await call('GET', '/v2/stocks/bars?symbols=AAPL&timeframe=1M&start=2025-01-01')).json.bars.AAPL.length, 18);
    assert.equal((await call('GET', '/v2/stocks/bars?symbols=AAPL&timeframe=3Month&start=2025-01-01')).json.bars.AAPL.length, 6);
    assert.equal((await call('GET', '/v2/stocks/bars?symbols=AAPL&timeframe=5Month')).status, 400);
  });

  test('the calendar answers ranges over ten years', async () => {
    const res = await call('GET', '/v2/calendar?start=2000-01-01&end=2025-12-31');
    assert.equal(res.status, 200);
    assert.ok(res.json.length > 6000);
  });

  test('currency USD is served, any other is a 422', async () => {
    assert.equal((await call('GET', '/v2/stocks/trades/latest?symbols=AAPL&currency=usd')).status, 200);
    const bad = await call('GET', '/v2/stocks/bars?symbols=AAPL&timeframe=1Day&currency=EUR');
    assert.equal(bad.status, 422);
    assert.match(bad.json.message, /currency/);
  });

  test('historical quotes and trades, multi and single symbol, paged', async () => {
    const q = await call('GET', '/v2/stocks/quotes?symbols=MSFT,AAPL&start=2026-06-15T13:30:00Z&limit=3');
    assert.equal(q.status, 200);
    assert.deepEqual(Object.keys(q.json.quotes), ['AAPL']);
    assert.equal(q.json.quotes.AAPL.length, 3);
    assert.equal(q.json.quotes.AAPL[0].t, '2026-06-15T13:30:00.000000000Z');
    assert.ok(q.json.quotes.AAPL[0].ap >= q.json.quotes.AAPL[0].bp);
    const next = await call('GET', `/v2/stocks/quotes?symbols=MSFT,AAPL&start=2026-06-15T13:30:00Z&limit=3&page_token=${q.json.next_page_token}`);
    assert.equal(next.json.quotes.AAPL[0].t, '2026-06-15T13:30:03.000000000Z');
    const t = await call('GET', '/v2/stocks/AAPL/trades?start=2026-06-15T19:59:58Z&end=2026-06-15T21:00:00Z');
    assert.equal(t.json.symbol, 'AAPL');
    assert.equal(t.json.trades.length, 2, 'only in session');
    assert.equal(t.json.next_page_token, null);
    assert.equal(typeof t.json.trades[0].p, 'number');
    assert.equal((await call('GET', '/v2/stocks/NOPE/quotes')).status, 404);
  });

  test('watchlists: create, get, update, add, remove, delete, by name, unique names', async () => {
    const w = (await call('POST', '/v2/watchlists', { name: 'tech', symbols: ['AAPL', 'MSFT'] })).json;
    assert.deepEqual(w.assets.map((a: Json) => a.symbol), ['AAPL', 'MSFT']);
    assert.equal((await call('POST', '/v2/watchlists', { name: 'tech' })).status, 422);
    assert.equal((await call('GET', `/v2/watchlists/${w.id}`)).json.name, 'tech');
    assert.equal((await call('PUT', `/v2/watchlists/${w.id}`, { name: 'tech2', symbols: ['KO'] })).json.name, 'tech2');
    assert.deepEqual((await call('POST', `/v2/watchlists/${w.id}`, { symbol: 'JPM' })).json.assets.map((a: Json) => a.symbol), ['KO', 'JPM']);
    assert.deepEqual((await call('DELETE', `/v2/watchlists/${w.id}/KO`)).json.assets.map((a: Json) => a.symbol), ['JPM']);
    assert.equal((await call('GET', '/v2/watchlists:by_name?name=tech2')).json.id, w.id);
    assert.equal((await call('GET', '/v2/watchlists')).json.length, 1);
    assert.equal((await call('DELETE', `/v2/watchlists/${w.id}`)).status, 204);
    assert.equal((await call('GET', `/v2/watchlists/${w.id}`)).status, 404);
    assert.equal((await call('POST', '/v2/watchlists', { name: 'x', symbols: ['NOSUCH'] })).status, 404);
  });

  test('option contracts and corporate announcements answer empty', async () => {
    assert.deepEqual((await call('GET', '/v2/options/contracts?underlying_symbols=AAPL')).json, { option_contracts: [], next_page_token: null });
    assert.equal((await call('GET', '/v2/options/contracts/AAPL250620C00100000')).status, 404);
    assert.deepEqual((await call('GET', '/v2/corporate_actions/announcements?ca_types=dividend&since=2026-01-01&until=2026-02-01')).json, []);
  });

  test('the assets attributes filter', async () => {
    const all = (await call('GET', '/v2/assets')).json;
    const eh = (await call('GET', '/v2/assets?attributes=fractional_eh_enabled,ipo')).json;
    assert.ok(eh.length > 0 && eh.length <= all.length);
    assert.ok(eh.every((a: Json) => a.attributes.includes('fractional_eh_enabled')));
    assert.deepEqual((await call('GET', '/v2/assets?attributes=ipo')).json, []);
    assert.equal((await call('GET', '/v2/assets?attributes=nonsense')).status, 422);
  });
});
