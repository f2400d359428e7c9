/**
 * A whole trading day in simulated time, a few seconds of real time: orders queue before the open, fill at the
 * open, day orders expire at the close, and the calendar and clocks agree with the NYSE's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startSimulator } from 'alpaca-sim';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import type { OrderIntent } from '../../src/domain/types';

const headers = { 'APCA-API-KEY-ID': 'clk', 'APCA-API-SECRET-KEY': 's' };

async function until<T>(probe: () => Promise<T | null>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('simulated time', () => {
  test('at 7200x a session plays in about 3 s (8 simulated hours in 4 s): fill at the open, expiry at the close', async () => {
    const sim = await startSimulator({
      port: 0, market: 'real', clockSpeed: 7200, start: '2025-06-24T12:00:00Z', partialFillRate: 0, fillLatencyMs: 0,
    });
    try {
      const broker = createAlpacaBroker({ keyId: 'clk', secretKey: 's', tradingUrl: sim.url, dataUrl: sim.url });
      const base: OrderIntent = { clientOrderId: 'clk-mkt', symbol: 'AAPL', side: 'buy', type: 'market', timeInForce: 'day', qty: 3 };
      const early = await broker.submitOrder(base);
      assert.equal(early.status, 'accepted', 'before the open the order waits');
      const resting = await broker.submitOrder({ ...base, clientOrderId: 'clk-lim', type: 'limit', limitPrice: 1 });

      const opened = await until(async () => {
        const o = await broker.getOrder(early.id);
        return o?.status === 'filled' ? o : null;
      }, 'the fill at the open');
      assert.equal(opened.filledAt, '2025-06-24T13:30:00.000Z', 'filled at 09:30:00 ET exactly');

      const expired = await until(async () => {
        const o = await broker.getOrder(resting.id);
        return o?.status === 'expired' ? o : null;
      }, 'the expiry at the close');
      assert.equal(expired.expiredAt, '2025-06-24T20:00:00.000Z', 'expired at 16:00:00 ET');
      const clock = await broker.getClock();
      assert.equal(clock.isOpen, false);
      assert.equal(Date.parse(clock.nextOpen), Date.parse('2025-06-25T13:30:00Z'));

      // The admin API changes the speed and freezes.
      const frozen = await fetch(`${sim.url}/admin/clock`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ speed: 1, freeze: true }),
      });
      const state = await frozen.json() as { speed: number; frozen: boolean };
      assert.deepEqual([state.speed, state.frozen], [1, true]);
    } finally {
      await sim.close();
    }
  });

  test('calendar and clocks over a holiday and an early close', async () => {
    const sim = await startSimulator({ port: 0, market: 'real', start: '2025-11-28T17:00:00Z' });
    try {
      const cal = await (await fetch(`${sim.url}/v2/calendar?start=2025-11-26&end=2025-12-01`, { headers })).json() as Array<{ date: string; close: string }>;
      assert.deepEqual(cal.map((d) => [d.date, d.close]), [['2025-11-26', '16:00'], ['2025-11-28', '13:00'], ['2025-12-01', '16:00']]);
      const clock = await (await fetch(`${sim.url}/v2/clock`, { headers })).json() as Record<string, unknown>;
      assert.equal(clock.is_open, true);
      assert.equal(clock.next_close, '2025-11-28T13:00:00-05:00');
      const v3 = await (await fetch(`${sim.url}/v3/clock?markets=NYSE`)).json() as { clocks: Array<Record<string, unknown>> };
      assert.equal(v3.clocks[0]?.phase, 'core');
      assert.equal(v3.clocks[0]?.phase_until, '2025-11-28T13:00:00-05:00');
      const at = await (await fetch(`${sim.url}/v3/clock?time=2025-12-25T15:00:00Z`)).json() as { clocks: Array<Record<string, unknown>> };
      assert.equal(at.clocks[0]?.is_market_day, false);
    } finally {
      await sim.close();
    }
  });
});
