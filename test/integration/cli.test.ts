import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { todayInNewYork } from '../../src/cli/dates';
import { dailyWorkflowId } from '../../src/names';
import { startDay } from '../../src/operations/start-day';
import { statusQuery } from '../../src/workflows/messages';
import { keyIdFor, simAdmin, simOrderLog, startHarness, testConfig, uniqueAccount, withWorker, type Harness } from '../support/trading-harness';
import type { dailyTrading } from '../../src/workflows';
import { tempDir } from '../support/temp-dir';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tradeflow.cjs');

interface CliResult { code: number; stdout: string; stderr: string }

describe('the tradeflow CLI against a real server', () => {
  let harness: Harness;
  let dir: string;
  before(async () => {
    harness = await startHarness();
    dir = tempDir('tradeflow-cli-');
  });
  after(async () => {
    await harness?.close();
  });

  function cli(account: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    const env = {
      ...process.env, TEMPORAL_ADDRESS: harness.temporal.address, TEMPORAL_NAMESPACE: harness.temporal.namespace,
      TRADEFLOW_TASK_QUEUE: `q-${account}`, TRADEFLOW_ACCOUNT: account, ...extraEnv,
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
  }

  function file(name: string, content: string): string {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
  }

  it('status of a running day with no worker up answers within seconds from the recorded state, with a note', async () => {
    const account = uniqueAccount('c');
    // Started on a task queue no worker polls: the day is RUNNING and nothing can answer its queries.
    const handle = await startDay(harness.client, {
      account, tradingDate: todayInNewYork(), signals: [{ symbol: 'AAPL', strength: 0.5 }], mode: 'paper', taskQueue: `nobody-${account}`,
    });
    try {
      const started = Date.now();
      const result = await cli(account, ['status']);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /no worker answered within 5 s/);
      assert.match(result.stdout, /starting/);
      assert.ok(seconds < 15, `status took ${seconds} s`);
      assert.doesNotMatch(result.stdout + result.stderr, /\s+at .+\(.+:\d+:\d+\)/, 'no stack trace');
    } finally {
      await handle.terminate('test over');
    }
  });

  it('refuses an invalid signal file with exit 2, names the bad entry, and starts nothing', async () => {
    const account = uniqueAccount('c');
    const bad = file('bad.json', JSON.stringify([{ symbol: 'AAPL', strength: 0.5 }, { symbol: 'MSFT', strength: 7 }]));
    const result = await cli(account, ['run', '--signals', bad]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /MSFT/);
    await assert.rejects(
      harness.client.workflow.getHandle(dailyWorkflowId(account, todayInNewYork())).describe(),
      WorkflowNotFoundError,
    );
  });

  it('runs a day from a CSV file, prints the JSON report, and refuses a second run with exit 3', async () => {
    const account = uniqueAccount('c');
    const signals = file('signals.csv', 'symbol,strength\nAAPL,0.6\nXOM,0.4\n');
    const config = testConfig(account);
    const first = await withWorker(harness, config, `q-${account}`, () => cli(account, ['run', '--signals', signals, '--wait', '--json']));
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as Record<string, unknown> & { orders: Array<Record<string, unknown>>; portfolio: { positions: unknown[]; equity: number; cash: number } };
    assert.equal(report.workflowId, dailyWorkflowId(account, todayInNewYork()));
    assert.equal(report.status, 'completed');
    assert.equal(report.orders.length, 2);
    for (const key of ['clientOrderId', 'brokerOrderId', 'symbol', 'side', 'type', 'qty', 'notional', 'status', 'filledQty', 'filledAvgPrice']) {
      assert.ok(key in report.orders[0]!, `order has ${key}`);
    }
    assert.equal(report.portfolio.positions.length, 2);
    assert.ok(report.portfolio.equity > 0 && typeof report.portfolio.cash === 'number');

    const again = await cli(account, ['run', '--signals', signals]);
    assert.equal(again.code, 3, again.stderr);
    assert.match(again.stderr, new RegExp(dailyWorkflowId(account, todayInNewYork())));

    const status = await cli(account, ['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    // --watch on a day that has ended: one status in plain lines (not a terminal), then it returns.
    const watched = await cli(account, ['status', '--watch']);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, /: completed, trading state ACTIVE/);
    assert.match(watched.stdout, /2 orders: 2 sent \(2 filled, 0 open\), 0 never sent/);
    assert.equal((JSON.parse(status.stdout) as { phase: string }).phase, 'completed');

    const portfolio = await cli(account, ['portfolio', '--json']);
    assert.equal(portfolio.code, 0, portfolio.stderr);
    assert.equal((JSON.parse(portfolio.stdout) as { positions: unknown[] }).positions.length, 2);
  });

  it('stop with no worker up leaves a durable stop that runs when a worker comes', async () => {
    const account = uniqueAccount('c');
    const signals = file(`${account}.json`, JSON.stringify({ AAPL: 0.5 }));
    const started = await cli(account, ['run', '--signals', signals]);
    assert.equal(started.code, 0, started.stderr);
    const stop = await cli(account, ['stop', '--reason', 'no worker tonight', '--answer-timeout', '2']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /no worker answered within 2 s/);
    const handle = harness.client.workflow.getHandle<typeof dailyTrading>(dailyWorkflowId(account, todayInNewYork()));
    const report = await withWorker(harness, testConfig(account), `q-${account}`, () => handle.result());
    // The account's stop runs first: the day is either refused as halted or stopped, and trades nothing.
    assert.ok(['halted', 'stopped'].includes(report.status), report.status);
    assert.match(report.reason ?? '', /no worker tonight/);
    assert.equal((await simOrderLog(harness, account)).length, 0);
  });

  it('stop after the day ended still halts the account and exits 0; --flatten then closes the positions', async () => {
    const account = uniqueAccount('c');
    const signals = file(`${account}-late.json`, JSON.stringify({ AAPL: 0.5, MSFT: 0.4 }));
    const stop = await withWorker(harness, testConfig(account), `q-${account}`, async () => {
      const ran = await cli(account, ['run', '--signals', signals, '--wait', '--json']);
      assert.equal(ran.code, 0, ran.stderr);
      return cli(account, ['stop', '--reason', 'too late for the day', '--flatten', '--answer-timeout', '20s']);
    });
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /HALTED/);
    assert.match(stop.stdout, /no day was running/);
    assert.match(stop.stdout, /2 closing orders sent/);
    const log = await simOrderLog(harness, account);
    assert.equal(log.filter((order) => String(order.client_order_id).startsWith('stop-')).length, 2);
  });

  it('run --wait shows the day\'s progress as plain lines when stderr is not a terminal', async () => {
    const account = uniqueAccount('c');
    const signals = file(`${account}-progress.json`, JSON.stringify({ AAPL: 0.5 }));
    // The broker holds the order, so the day sits in awaiting_fills long enough to be seen there.
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
    const ran = await withWorker(harness, testConfig(account), `q-${account}`, async () => {
      const running = cli(account, ['run', '--signals', signals, '--wait']);
      const handle = harness.client.workflow.getHandle<typeof dailyTrading>(dailyWorkflowId(account, todayInNewYork()));
      for (let i = 0; i < 60; i++) {
        const phase = await handle.query(statusQuery).then((status) => status.phase).catch(() => null);
        if (phase === 'awaiting_fills') break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
      return running;
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /^awaiting_fills: 1 orders: 1 sent \(0 filled, 1 open\), 0 never sent/m);
    assert.doesNotMatch(ran.stderr, /\x1b\[/, 'no terminal escapes when stderr is not a terminal');
  });

  it('status and report of a failed day read the report its worker wrote as it failed', async () => {
    const account = uniqueAccount('c');
    const stranger = uniqueAccount('c');
    const config = testConfig(account);
    // The worker does not trade the day's account: the day fails for good (UnknownAccount) and has no result.
    await withWorker(harness, config, `q-${account}`, async () => {
      const handle = await startDay(harness.client, { account: stranger, tradingDate: todayInNewYork(), signals: [{ symbol: 'AAPL', strength: 0.5 }], mode: 'paper', taskQueue: `q-${account}` });
      await handle.result().catch(() => undefined);
    });
    const configFile = file(`${stranger}.yaml`, `execution:\n  account: ${stranger}\nreports:\n  report_dir: ${config.reports.report_dir}\n`);
    const status = await cli(stranger, ['status'], { TRADEFLOW_CONFIG: configFile });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /: failed, trading state ACTIVE/);
    assert.match(status.stdout, /last error: failed in \w+: this worker does not trade account/);
    const out = path.join(dir, `report-${stranger}`);
    const report = await cli(stranger, ['report', '--out', out], { TRADEFLOW_CONFIG: configFile });
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, new RegExp(`${dailyWorkflowId(stranger, todayInNewYork())}\\.html`));
    // Without the worker's file (another machine), the failure is explained, not a stack.
    const elsewhere = file(`${stranger}-elsewhere.yaml`, `execution:\n  account: ${stranger}\nreports:\n  report_dir: ${path.join(dir, 'nothing-here')}\n`);
    const missing = await cli(stranger, ['status'], { TRADEFLOW_CONFIG: elsewhere });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ended failed and has no result \(the worker that ran it wrote its report in its reports\.report_dir, not found in .*\); see it with: temporal workflow show/);
  });

  it('rejects a bad --date and a stop without a reason', async () => {
    const account = uniqueAccount('c');
    const badDate = await cli(account, ['status', '--date', '2026-02-30']);
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /--date/);
    const noReason = await cli(account, ['stop', '--reason', ' ']);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--reason/);
  });
});
