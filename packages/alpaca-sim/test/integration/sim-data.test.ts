/** Market data over HTTP: a year of daily bars for several symbols, paged by next_page_token with a total limit. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type RunningSimulator } from '../../src';

const headers = { 'APCA-API-KEY-ID': 'data-1', 'APCA-API-SECRET-KEY': 's' };
let sim: RunningSimulator;

before(async () => {
  sim = await startSimulator({ port: 0, market: 'real', start: '2026-06-15T20:30:00Z' });
});
after(async () => {
  await sim.close();
});

interface Page { bars: Record<string, Array<{ t: string; o: number; h: number; l: number; c: number; v: number }>>; next_page_token: string | null }

describe('bars', () => {
  test('multi-symbol daily bars: limit counts all points, pages follow symbol then time, and join up', async () => {
    const symbols = ['XOM', 'AAPL', 'MSFT'];
    const all: Record<string, string[]> = {};
    let token: string | null = null;
    let pages = 0;
    do {
      const q = new URLSearchParams({ symbols: symbols.join(','), timeframe: '1Day', start: '2025-06-15', end: '2026-06-15', limit: '200' });
      if (token) q.set('page_token', token);
      const res = await fetch(`${sim.url}/v2/stocks/bars?${q}`, { headers });
      assert.equal(res.status, 200);
      const page = await res.json() as Page;
      const count = Object.values(page.bars).reduce((n, b) => n + b.length, 0);
      assert.ok(count <= 200);
      if (page.next_page_token) assert.equal(count, 200, 'a full page before the last');
      for (const [s, bars] of Object.entries(page.bars)) all[s] = [...(all[s] ?? []), ...bars.map((b) => b.t)];
      token = page.next_page_token;
      pages++;
    } while (token && pages < 20);
    assert.deepEqual(Object.keys(all), ['AAPL', 'MSFT', 'XOM'], 'sorted by symbol');
    for (const [s, times] of Object.entries(all)) {
      assert.ok(times.length >= 248 && times.length <= 254, `${s}: ${times.length} sessions`);
      assert.deepEqual([...times].sort(), times, `${s} in time order`);
      assert.equal(new Set(times).size, times.length, `${s}: no bar twice across pages`);
    }
    assert.equal(pages, 4);
  });

  test('single-symbol bars and the latest quote agree with the last bar', async () => {
    const res = await fetch(`${sim.url}/v2/stocks/JPM/bars?timeframe=1Day&start=2026-06-01&end=2026-06-15&limit=5`, { headers });
    const page = await res.json() as { symbol: string; bars: Array<{ c: number }>; next_page_token: string | null };
    assert.equal(page.symbol, 'JPM');
    assert.equal(page.bars.length, 5);
    assert.ok(page.next_page_token);
    const all = await (await fetch(`${sim.url}/v2/stocks/JPM/bars?timeframe=1Day&start=2026-06-01`, { headers })).json() as { bars: Array<{ c: number }> };
    const trade = await (await fetch(`${sim.url}/v2/stocks/JPM/trades/latest`, { headers })).json() as { trade: { p: number } };
    assert.equal(trade.trade.p, all.bars[all.bars.length - 1]?.c, 'after the close the last trade is the close');
  });
});
