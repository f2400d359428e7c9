/**
 * `tradeflow worker` as it runs in production, in a child process: one small day to completion, then its Prometheus
 * page (the SDK's metrics and tradeflow's own, counted right) and its log on stdout (JSON lines carrying the workflow
 * id and the account, never the worker's keys).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { todayInNewYork } from '../../src/cli/dates';
import { dailyWorkflowId } from '../../src/names';
import { dayResult, startDay } from '../../src/operations/start-day';
import { findFreePort } from '../../src/temporal/dev-server';
import { keyIdFor, simOrderLog, startHarness, uniqueAccount, waitUntil, type Harness } from '../support/trading-harness';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { tempDir } from '../support/temp-dir';

const SECRET = `sk-metrics-${Date.now().toString(36)}-5e1f0c`;

/** One sample of a Prometheus text page. */
interface Sample { name: string; labels: Record<string, string>; value: number }

function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('tradeflow worker: Prometheus metrics and the JSON log', () => {
  let harness: Harness;
  let worker: WorkerProcess | undefined;
  let metricsPort: number;
  const account = uniqueAccount('m');
  const taskQueue = `q-${account}`;

  before(async () => {
    harness = await startHarness();
    const dir = tempDir('tradeflow-metrics-');
    const config = path.join(dir, 'execution.yaml');
    writeFileSync(config, [
      'execution:', `  account: ${account}`,
      'timing:', '  poll_interval_seconds: 0.5', '  max_fill_wait_minutes: 0.5',
    ].join('\n') + '\n');
    metricsPort = await findFreePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: harness.temporal.address, TEMPORAL_NAMESPACE: harness.temporal.namespace, TRADEFLOW_TASK_QUEUE: taskQueue,
      TRADEFLOW_CONFIG: config, APCA_API_KEY_ID: keyIdFor(account), APCA_API_SECRET_KEY: SECRET,
      APCA_API_BASE_URL: harness.sim.url, APCA_API_DATA_URL: harness.sim.url,
      // Debug: the SDK's `Activity completed` lines, which carry the activity's attributes.
      TRADEFLOW_LOG_LEVEL: 'debug',
    };
    delete env.TRADEFLOW_ACCOUNT;
    delete env.TRADEFLOW_METRICS_PORT;
    delete env.TRADEFLOW_LOG_FORMAT;
    worker = await startWorkerProcess(env, ['--metrics-port', String(metricsPort)]);
  });

  after(async () => {
    await worker?.stop();
    await harness?.close();
  });

  it('trades a day, then serves the SDK\'s and tradeflow\'s metrics with the day\'s counts', async () => {
    const handle = await startDay(harness.client, {
      account, tradingDate: todayInNewYork(), taskQueue, mode: 'paper', source: 'metrics test',
      signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: 0.5 }, { symbol: 'JPM', strength: 0.3 }],
    });
    const report = await dayResult(handle);
    assert.equal(report.status, 'completed');
    const orders = report.orders.length;
    const filled = report.orders.filter((order) => order.status === 'filled').length;
    assert.ok(orders >= 2, `the day placed orders (${orders})`);
    assert.equal((await simOrderLog(harness, account)).length, orders);

    let samples: Sample[] = [];
    // The SDK records a workflow's completion as its last task completes: poll briefly.
    await waitUntil(async () => {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(response.status, 200);
      samples = parsePrometheus(await response.text());
      return total(samples, 'temporal_workflow_completed', { workflow_type: 'dailyTrading' }) >= 1;
    }, 'temporal_workflow_completed on the metrics page', 15_000);

    // The SDK's own.
    assert.equal(total(samples, 'temporal_workflow_completed', { workflow_type: 'dailyTrading', task_queue: taskQueue }), 1);
    assert.ok(total(samples, 'temporal_activity_execution_latency_count', { task_queue: taskQueue }) > 0, 'activity latencies');
    // tradeflow's.
    assert.equal(total(samples, 'tradeflow_orders_submitted', { account }), orders);
    assert.equal(total(samples, 'tradeflow_orders_submitted', { account, side: 'buy' }), orders, 'a fresh account only buys');
    assert.equal(total(samples, 'tradeflow_orders_filled', { account }), filled);
    assert.equal(total(samples, 'tradeflow_orders_rejected', { account }), 0);
    assert.equal(total(samples, 'tradeflow_broker_request_latency_count', { account, route: 'submitOrder' }), orders, 'one POST per order');
    assert.ok(total(samples, 'tradeflow_broker_request_latency_count', { account, route: 'getClock' }) >= 1);
    assert.ok(samples.some((sample) => sample.name === 'tradeflow_broker_request_latency_bucket' && sample.labels.le === '5'), 'the fine buckets');

    // The log: JSON lines on stdout, the workflow's and the activities' with their ids and the account. The SDK holds
    // its lines about 100 ms to order them: wait for the day's last.
    assert.ok(worker, 'the worker runs');
    const out = worker.stdout;
    const workflowId = dailyWorkflowId(account, todayInNewYork());
    await waitUntil(async () => out.some((line) => line.includes('"day completed"')), 'the "day completed" log line', 10_000)
      .catch(() => assert.fail(`no "day completed" line; the log's messages:\n${out.map((line) => line.slice(0, 300)).join('\n')}`));
    const lines = out.filter((line) => line.trim() !== '');
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON line on stdout: ${line}`);
      }
    });
    const completed = records.find((record) => record.msg === 'day completed' && record.workflowId === workflowId);
    assert.ok(completed, 'the workflow\'s "day completed" line, with its workflow id');
    assert.equal(completed.level, 'info');
    assert.equal(typeof completed.runId, 'string');
    const submit = records.find((record) => record.msg === 'Activity completed' && String(record.activityType).startsWith('submitOrder'));
    assert.ok(submit, 'a submit activity\'s line');
    assert.equal(submit.workflowId, workflowId);
    assert.equal(submit.account, account);
    assert.equal(submit.taskToken, undefined);
    assert.ok(records.some((record) => record.msg === `account ${account}: paper trading 127.0.0.1:${new URL(harness.sim.url).port} data 127.0.0.1:${new URL(harness.sim.url).port}`
      && record.account === account), 'the endpoint line');

    // The keys never leave the worker.
    const everything = [...worker.stdout, ...worker.stderr].join('\n');
    assert.ok(!everything.includes(SECRET), 'the secret key is not in the output');
    assert.ok(!everything.includes(keyIdFor(account)), 'the key id is not in the output');
  });
});
