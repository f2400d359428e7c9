import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { dayResult, startDay } from '../../src/operations/start-day';
import { todayInNewYork } from '../../src/cli/dates';
import { parseSectorCsv } from '../../src/domain/sectors';
import type { Signal } from '../../src/domain/types';
import { loadSectors } from '../../src/worker';
import { simOrderLog, startHarness, testConfig, uniqueAccount, withWorker, type Harness } from '../support/trading-harness';

/** Every S&P 500 symbol the simulator knows, then made-up tickers it does not, to 5,000 signals. */
function universe(size: number): Signal[] {
  const known = Object.keys(loadSectors());
  const signals: Signal[] = known.map((symbol, i) => ({ symbol, strength: Math.round(((i % 200) / 100 - 1) * 1000) / 1000 }));
  for (let i = 0; signals.length < size; i++) {
    const symbol = `Q${letters(i)}`;
    if (!known.includes(symbol)) signals.push({ symbol, strength: 0.5 });
  }
  return signals;
}

/** 0 → A, 25 → Z, 26 → BA: a distinct run of letters for each number. */
function letters(n: number): string {
  let text = '';
  do {
    text = String.fromCharCode(65 + (n % 26)) + text;
    n = Math.floor(n / 26);
  } while (n > 0);
  return text;
}

describe('a Russell-3000-size day and beyond', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('5,000 signals: the day completes, unknown symbols are rejected with a reason, and the history stays small', async () => {
    const account = uniqueAccount('big');
    const taskQueue = `q-${account}`;
    const signals = universe(5000);
    const known = new Set(Object.keys(parseSectorCsv(readFileSync('data/sp500-constituents.csv', 'utf8'))));
    const started = Date.now();
    const { report, historyBytes, largestPayload } = await withWorker(harness, testConfig(account), taskQueue, async () => {
      const handle = await startDay(harness.client, { account, tradingDate: todayInNewYork(), signals, mode: 'paper', taskQueue, source: 'russell-plus' });
      const result = await dayResult(handle);
      const history = await handle.fetchHistory();
      const sizes = (history.events ?? []).map((event) => JSON.stringify(event).length);
      return { report: result, historyBytes: JSON.stringify(history).length, largestPayload: Math.max(...sizes) };
    });
    console.log(`5,000 signals: ${report.status} in ${((Date.now() - started) / 1000).toFixed(1)} s, ${report.orders.length} orders, `
      + `${report.rejected.length} rejections, history ${(historyBytes / 1e6).toFixed(2)} MB (largest event ${(largestPayload / 1e6).toFixed(2)} MB)`);
    assert.equal(report.status, 'completed');
    assert.ok(report.orders.length > 0);
    assert.equal((await simOrderLog(harness, account)).length, report.orders.length, 'every planned order reached the broker');
    assert.deepEqual(report.rejected.filter((rejection) => /buying power/i.test(rejection.detail) && rejection.code === 'BROKER_REJECTED'), [],
      'the broker refused nothing for buying power: the plan never counts on a sale\'s proceeds');
    const unknown = signals.filter((signal) => !known.has(signal.symbol));
    const unknownRejected = report.rejected.filter((rejection) => !known.has(rejection.symbol));
    assert.equal(unknownRejected.length, unknown.length, 'every unknown symbol is rejected');
    assert.ok(unknownRejected.every((rejection) => rejection.code && rejection.detail), 'each with a reason');
    assert.equal(Object.values(report.decisionCounts ?? {}).reduce((a, b) => a + b, 0), 5000);
    assert.ok(report.trail && existsSync(report.trail.path), 'the full trail is on the worker');
    const trail = JSON.parse(readFileSync(report.trail.path, 'utf8')) as { decisions: Array<{ checks: unknown[] }> };
    assert.equal(trail.decisions.length, 5000);
    assert.ok(historyBytes < 5e6, `history ${historyBytes} bytes`);
    assert.ok(largestPayload < 1e6, `largest event ${largestPayload} bytes`);
  });
});
