import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import { todayInNewYork } from '../../src/cli/dates';
import { dayResult, startDay } from '../../src/operations/start-day';
import {
  keyIdFor, simAdmin, simOrderLog, startHarness, testConfig, uniqueAccount, withWorker, type Harness,
} from '../support/trading-harness';

const SIGNALS = ['AAPL', 'MSFT', 'JPM', 'XOM', 'JNJ', 'KO', 'PEP', 'UNH', 'WMT', 'HD', 'PG', 'CVX'].map((symbol) => ({ symbol, strength: 0.6 }));
const BUDGET = 30;

/**
 * The broker answers 429 past 30 requests a rolling minute per key (the simulator enforcing its budget, as Alpaca
 * does); the worker paces the account to the same budget, so a day that needs more than 30 requests completes with
 * no 429 at all, and its report says how long requests waited.
 */
describe('pacing: a day under the broker\'s request budget', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
    await simAdmin(harness, 'POST', '/admin/rate-limit', { limit: BUDGET, enforce: true });
  });
  after(async () => {
    await simAdmin(harness, 'POST', '/admin/rate-limit', { enforce: false }).catch(() => undefined);
    await harness?.close();
  });

  it('completes with zero 429 answers and reports its pacing', async () => {
    const account = uniqueAccount('pace');
    const taskQueue = `q-${account}`;
    await simAdmin(harness, 'DELETE', '/admin/stats');
    const broker = createAlpacaBroker({
      keyId: keyIdFor(account), secretKey: 'test-secret', tradingUrl: harness.sim.url, dataUrl: harness.sim.url, requestsPerMinute: BUDGET,
    });
    const report = await withWorker(harness, testConfig(account, { timing: { max_fill_wait_minutes: 3 } }), taskQueue, async () => dayResult(await startDay(harness.client, {
      account, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue, source: 'pacing',
    })), broker);

    assert.equal(report.status, 'completed');
    const stats = (await (await fetch(`${harness.sim.url}/admin/stats`)).json()) as { statuses: Record<string, number>; byAccount: Record<string, { total: number }> };
    const requests = stats.byAccount[keyIdFor(account)]?.total ?? 0;
    assert.ok(requests > BUDGET, `the day needed more than the budget: ${requests} requests`);
    assert.equal(stats.statuses['429'] ?? 0, 0, 'the broker never answered 429');
    const orders = await simOrderLog(harness, account);
    assert.equal(orders.length, report.orders.length, 'every order of the report is at the broker, once');
    assert.ok(report.pacing, 'the report carries the pacing');
    assert.equal(report.pacing.perMinute, BUDGET);
    assert.ok(report.pacing.delayed > 0, 'some requests waited for the budget');
    console.log(`pacing: ${requests} requests at ${BUDGET}/min, ${report.orders.length} orders, ${report.pacing.delayed} waited `
      + `${(report.pacing.waitedMs / 1000).toFixed(1)} s in all, 0 answered 429`);
  });
});
