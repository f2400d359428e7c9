/**
 * How much one worker does on the self-hosted cluster: many accounts, a day each, started at once on two
 * `tradeflow worker` processes, no faults. Prints one `cluster scale:` JSON line (accounts and orders per worker,
 * wall time, CPU seconds of each worker, the Temporal server and PostgreSQL) for the README's scaling advice, and
 * checks every day completed with 0 duplicate and 0 lost orders.
 *
 *   TRADEFLOW_CLUSTER_SCALE_ACCOUNTS=60 npm run test:cluster      (default 20 accounts)
 */
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';
import { todayInNewYork } from '../../src/cli/dates';
import type { Signal } from '../../src/domain/types';
import { accountWorkflowId } from '../../src/names';
import { dayResult, startDay } from '../../src/operations/start-day';
import {
  clusterScript, clusterSettings, cpuSeconds, postgresPid, referee, serverPid, treeCpuSeconds, waitFor, withTimeout,
  workerSetup, WorkerProcess, type Verdict,
} from './support';
import { tempDir } from '../support/temp-dir';

const ACCOUNTS = Number(process.env.TRADEFLOW_CLUSTER_SCALE_ACCOUNTS ?? 20);
const WORKERS = 2;
const TASK_QUEUE = `cluster-scale-${Date.now().toString(36)}`;
const SIGNALS: Signal[] = ['AAPL', 'MSFT', 'NVDA', 'JPM', 'XOM', 'KO', 'PG', 'UNH', 'JNJ', 'HD', 'CAT', 'NEE']
  .map((symbol, i) => ({ symbol, strength: 0.3 + 0.04 * i }));

describe('tradeflow on the self-hosted Temporal cluster: accounts per worker', () => {
  const dir = tempDir('tradeflow-cluster-scale-');
  const base = Date.now().toString(36);
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `s${base}a${i}`);
  let connection: Connection;
  let client: Client;
  let sim: RunningSimulator;
  const workers: WorkerProcess[] = [];

  before(async () => {
    await clusterScript('up');
    const settings = await clusterSettings();
    connection = await Connection.connect({ address: settings.address });
    client = new Client({ connection, namespace: settings.namespace });
    sim = await startSimulator({ port: 0, seed: 15 });
    const env = workerSetup(dir, accounts, settings, sim.url, TASK_QUEUE);
    for (let n = 1; n <= WORKERS; n++) workers.push(new WorkerProcess(n, dir, env));
  });

  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await Promise.all(accounts.map((account) => client?.workflow.getHandle(accountWorkflowId(account))
      .terminate('cluster test finished').catch(() => undefined)));
    await connection?.close().catch(() => undefined);
    await sim?.close();
  });

  it(`${ACCOUNTS} accounts, a day each, on ${WORKERS} worker processes: every day completes, 0 duplicate, 0 lost orders`, { timeout: 15 * 60_000 }, async () => {
    // Both workers ready before the clock starts (their start-up, the workflow bundle, is not the day's work).
    await waitFor('the workers to poll', async () => {
      const response = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace, taskQueue: { name: TASK_QUEUE },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return workers.every((worker) => (response.pollers ?? []).some((p) => worker.isIdentity(p.identity ?? ''))) ? true : undefined;
    }, 60_000, 250);
    const cpuBefore = {
      workers: workers.map((worker) => cpuSeconds(worker.pid) ?? 0),
      server: cpuSeconds(serverPid() ?? -1) ?? 0,
      postgres: treeCpuSeconds(postgresPid() ?? -1) ?? 0,
    };
    const tradingDate = todayInNewYork();
    const started = Date.now();
    const handles = await Promise.all(accounts.map((account) => startDay(client, {
      account, tradingDate, signals: SIGNALS, mode: 'paper', taskQueue: TASK_QUEUE, source: 'cluster scale test',
    })));
    const seconds: number[] = [];
    const reports = await Promise.all(handles.map(async (handle) => {
      const report = await withTimeout(dayResult(handle), 600_000, handle.workflowId);
      seconds.push((Date.now() - started) / 1000);
      return report;
    }));
    const wall = (Date.now() - started) / 1000;
    const cpu = {
      workers: workers.map((worker, i) => Number(((cpuSeconds(worker.pid) ?? 0) - cpuBefore.workers[i]!).toFixed(2))),
      server: Number(((cpuSeconds(serverPid() ?? -1) ?? 0) - cpuBefore.server).toFixed(2)),
      postgres: Number(((treeCpuSeconds(postgresPid() ?? -1) ?? 0) - cpuBefore.postgres).toFixed(2)),
    };
    const verdicts: Verdict[] = [];
    for (const [i, report] of reports.entries()) verdicts.push(await referee(sim, accounts[i]!, report));
    const orders = verdicts.reduce((sum, v) => sum + v.atBroker, 0);
    seconds.sort((a, b) => a - b);
    const figures = {
      accounts: ACCOUNTS, workers: WORKERS, accountsPerWorker: ACCOUNTS / WORKERS,
      orders, ordersPerWorker: orders / WORKERS,
      completed: verdicts.filter((v) => v.status === 'completed').length,
      duplicates: verdicts.reduce((sum, v) => sum + v.duplicates, 0),
      lost: verdicts.reduce((sum, v) => sum + v.lost, 0),
      phantom: verdicts.reduce((sum, v) => sum + v.phantom, 0),
      wallSeconds: wall,
      daySecondsMedian: seconds[Math.floor(seconds.length / 2)],
      daySecondsMax: seconds[seconds.length - 1],
      ordersPerSecond: Number((orders / wall).toFixed(1)),
      cpuSeconds: cpu,
      workerCpuMsPerOrder: Number(((cpu.workers.reduce((a, b) => a + b, 0) * 1000) / orders).toFixed(1)),
      serverCpuMsPerOrder: Number(((cpu.server * 1000) / orders).toFixed(1)),
      postgresCpuMsPerOrder: Number(((cpu.postgres * 1000) / orders).toFixed(1)),
      cores: cpus().length,
    };
    console.log(`cluster scale: ${JSON.stringify(figures)}`);
    for (const verdict of verdicts) {
      assert.equal(verdict.status, 'completed', verdict.account);
      assert.equal(verdict.duplicates, 0, verdict.account);
      assert.equal(verdict.lost, 0, verdict.account);
      assert.equal(verdict.phantom, 0, verdict.account);
    }
  });
});
