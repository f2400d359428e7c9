import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporalAccountStateStore } from '../../src/operations/account-state';
import {
  createTradingSchedule, deleteTradingSchedule, describeTradingSchedule, pauseTradingSchedule,
} from '../../src/operations/schedule';
import { dayResult, startDay } from '../../src/operations/start-day';
import { todayInNewYork } from '../../src/cli/dates';
import { SCHEDULED_DAY_WORKFLOW, scheduleId } from '../../src/names';
import type { ScheduledDayResult } from '../../src/contracts/scheduled-day';
import {
  HARNESS_SECRET, harnessLogs, simOrderLog, startHarness, testConfig, uniqueAccount, withWorker, type Harness,
} from '../support/trading-harness';
import type { scheduledTradingDay } from '../../src/workflows';
import { tempDir } from '../support/temp-dir';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tradeflow.cjs');

describe('schedules', () => {
  let harness: Harness;
  let dir: string;
  before(async () => {
    harness = await startHarness();
    dir = tempDir('tradeflow-schedule-');
  });
  after(async () => {
    await harness?.close();
  });

  async function triggerAndWait(account: string): Promise<ScheduledDayResult> {
    const handle = harness.client.schedule.getHandle(scheduleId(account));
    await handle.trigger();
    for (let attempt = 0; attempt < 100; attempt++) {
      const run = (await handle.describe()).info.recentActions[0];
      if (run) return harness.client.workflow.getHandle<typeof scheduledTradingDay>(run.action.workflow.workflowId).result();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the schedule did not start a run');
  }

  it('a scheduled day reads the signal file ({date} filled in) and trades under the day\'s business id', async () => {
    const account = uniqueAccount('s');
    const taskQueue = `q-${account}`;
    writeFileSync(path.join(dir, `${account}-${todayInNewYork()}.json`), JSON.stringify({ AAPL: 0.5, MSFT: 0.3 }));
    await createTradingSchedule(harness.client, {
      account, mode: 'paper', cron: '35 9 * * 1-5', timezone: 'America/New_York', taskQueue, source: 'xgb',
    });
    try {
      const config = testConfig(account, { signal_sources: { xgb: { file: path.join(dir, `${account}-{date}.json`) } } });
      const result = await withWorker(harness, config, taskQueue, () => triggerAndWait(account));
      assert.equal(result.outcome, 'traded');
      assert.equal(result.status, 'completed');
      assert.equal((await simOrderLog(harness, account)).length, 2);
    } finally {
      await deleteTradingSchedule(harness.client, account);
    }
  });

  it('never trades a day twice: a day the signal job started is left alone by the schedule', async () => {
    const account = uniqueAccount('s');
    const taskQueue = `q-${account}`;
    const file = path.join(dir, `${account}.json`);
    writeFileSync(file, JSON.stringify({ JPM: 0.4 }));
    await createTradingSchedule(harness.client, {
      account, mode: 'paper', cron: '35 9 * * 1-5', timezone: 'America/New_York', taskQueue, source: 'xgb',
    });
    try {
      const result = await withWorker(harness, testConfig(account, { signal_sources: { xgb: { file } } }), taskQueue, async () => {
        await dayResult(await startDay(harness.client, { account, tradingDate: todayInNewYork(), signals: [{ symbol: 'JPM', strength: 0.4 }], mode: 'paper', taskQueue }));
        return triggerAndWait(account);
      });
      assert.equal(result.outcome, 'already_started');
      assert.equal((await simOrderLog(harness, account)).length, 1, 'one order, from the signal job\'s run');
    } finally {
      await deleteTradingSchedule(harness.client, account);
    }
  });

  it('a halt pauses the schedule and a resume lifts that pause, not an operator\'s own', async () => {
    const account = uniqueAccount('s');
    const taskQueue = `q-${account}`;
    await createTradingSchedule(harness.client, {
      account, mode: 'paper', cron: '35 9 * * 1-5', timezone: 'America/New_York', taskQueue, source: 'xgb',
    });
    try {
      const store = temporalAccountStateStore(harness.client, taskQueue);
      await withWorker(harness, testConfig(account), taskQueue, async () => {
        await store.halt(account, 'stop everything', 'test');
        assert.equal((await describeTradingSchedule(harness.client, account)).state.paused, true);
        await store.resume(account, 'test');
        assert.equal((await describeTradingSchedule(harness.client, account)).state.paused, false);
        await pauseTradingSchedule(harness.client, account, 'maintenance window');
        await store.halt(account, 'again', 'test');
        await store.resume(account, 'test');
        assert.equal((await describeTradingSchedule(harness.client, account)).state.paused, true, 'an operator\'s own pause stays');
      });
    } finally {
      await deleteTradingSchedule(harness.client, account);
    }
  });

  it('workflow input never runs a command or reads a path, and no worker secret reaches history, result or logs', async () => {
    const account = uniqueAccount('s');
    const taskQueue = `q-${account}`;
    const marker = path.join(dir, `${account}-pwned`);
    process.env.TRADEFLOW_TEST_LEAK = HARNESS_SECRET;
    const config = testConfig(account, {
      signal_sources: {
        // A configured command that misbehaves: it prints the worker's secret where signals belong.
        leaky: { command: [process.execPath, '-e', 'process.stdout.write(`{"AAPL": 0.5, "${process.env.TRADEFLOW_TEST_LEAK}": 1}`); process.stderr.write(process.env.TRADEFLOW_TEST_LEAK)'] },
        crashing: { command: [process.execPath, '-e', 'process.stderr.write(`boom ${process.env.TRADEFLOW_TEST_LEAK}`); process.exit(3)'] },
      },
    });
    const attempts: unknown[] = [
      { kind: 'command', command: `touch ${marker}` },
      `$(touch ${marker})`,
      { kind: 'file', path: '/etc/passwd' },
      'leaky',
      'crashing',
    ];
    const failures = await withWorker(harness, config, taskQueue, async () => {
      const messages: string[] = [];
      for (const [index, source] of attempts.entries()) {
        const handle = await harness.client.workflow.start(SCHEDULED_DAY_WORKFLOW, {
          workflowId: `inject-${account}-${index}`, taskQueue, args: [{ account, mode: 'paper', source }],
        });
        const error = await handle.result().then(() => null, (caught: unknown) => caught as Error);
        assert.ok(error, `attempt ${index} fails`);
        const history = JSON.stringify(await handle.fetchHistory());
        assert.ok(!history.includes(HARNESS_SECRET), `attempt ${index}: the secret is not in the history`);
        messages.push(failureChain(error));
      }
      return messages;
    });
    assert.equal(existsSync(marker), false, 'nothing ran');
    assert.match(failures[0]!, /names a signal source by its key/);
    assert.match(failures[1]!, /names a signal source by its key/);
    assert.match(failures[2]!, /names a signal source by its key/);
    assert.match(failures[3]!, /\[redacted\]/);
    assert.match(failures[4]!, /exited with 3/);
    assert.equal(harnessLogs().filter((line) => line.includes(HARNESS_SECRET)).length, 0, 'the secret is not in the worker\'s log');
    assert.ok(failures.every((message) => !message.includes(HARNESS_SECRET)));
    assert.equal((await simOrderLog(harness, account)).length, 0);
  });

  it('refuses an invalid cron with exit 2 and creates nothing', async () => {
    const account = uniqueAccount('s');
    const env = { ...process.env, TEMPORAL_ADDRESS: harness.temporal.address, TRADEFLOW_ACCOUNT: account };
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'schedule', 'create', '--cron', 'every morning', '--source', 'xgb'], { env, timeout: 60_000 }, (error, _out, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stderr });
      });
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--cron/);
    await assert.rejects(describeTradingSchedule(harness.client, account));
  });
});

function failureChain(error: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) messages.push(current.message);
  return messages.join(' <- ');
}
