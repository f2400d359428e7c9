/**
 * tradeflow on the self-hosted cluster of scripts/cluster.sh (PostgreSQL, the Temporal server, the UI server: the
 * topology of docker-compose.yml): two `tradeflow worker` processes on one task queue trade several accounts, a
 * day each, while
 *   - the worker running a day's submits is SIGKILLed mid-submission (some of the day's orders at the broker,
 *     not all), and a new worker process takes its place, as a supervisor would start one;
 *   - the Temporal server process is restarted mid-day with `scripts/cluster.sh restart-server`, once gracefully
 *     (SIGTERM, as a rolling deploy does) and once crashed (SIGKILL);
 *   - a schedule created with `tradeflow schedule create` fires on the cluster and trades its account's day.
 * Every day must complete with 0 duplicate, 0 lost and 0 phantom orders by the simulator's own order log.
 *
 *   npm run test:cluster         (brings the cluster up, runs this, brings it down if it started it)
 *
 * It prints one `cluster figures:` JSON line (days, orders, kills, restarts, duplicates, lost, durations, CPU).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';
import { todayInNewYork } from '../../src/cli/dates';
import type { DayReport } from '../../src/contracts/day';
import type { Signal } from '../../src/domain/types';
import { accountWorkflowId, dailyWorkflowId, scheduleId } from '../../src/names';
import { dayResult, startDay } from '../../src/operations/start-day';
import type { scheduledTradingDay } from '../../src/workflows';
import {
  BIN, clusterScript, clusterSettings, cpuSeconds, referee, serverPid, simAdmin, simOrders, waitFor,
  withTimeout, workerSetup, WorkerProcess, type Verdict,
} from './support';
import { tempDir } from '../support/temp-dir';

const runCli = promisify(execFile);

const TASK_QUEUE = `cluster-${Date.now().toString(36)}`;
/** Twelve symbols over seven sectors: a dozen orders a day. */
const SIGNALS: Signal[] = ['AAPL', 'MSFT', 'NVDA', 'JPM', 'XOM', 'KO', 'PG', 'UNH', 'JNJ', 'HD', 'CAT', 'NEE']
  .map((symbol, i) => ({ symbol, strength: 0.3 + 0.04 * i }));
/** Each order POST takes this long at the broker, so a day's submission spans seconds and a kill lands inside it. */
const ORDER_LATENCY_MS = 400;
/** Days per disruption round. */
const DAYS_PER_ROUND = 3;

type Disruption = 'worker SIGKILL' | 'server restart (SIGTERM)' | 'server restart (SIGKILL)';
const ROUNDS: Disruption[] = ['worker SIGKILL', 'server restart (SIGTERM)', 'server restart (SIGKILL)'];

interface DayFigure extends Verdict { round: string; seconds: number }
interface DisruptionFigure {
  round: Disruption;
  /** The day the disruption aimed at, and its orders at the broker when it struck. */
  account: string;
  ordersAtBrokerWhenStruck: number;
  ordersIntended?: number;
  /** Seconds from the disruption until the Temporal server answered again (restarts). */
  serverDownSeconds?: number;
}

describe('tradeflow on the self-hosted Temporal cluster (scripts/cluster.sh)', () => {
  const dir = tempDir('tradeflow-cluster-');
  const base = Date.now().toString(36);
  const accounts = ROUNDS.flatMap((_, round) => Array.from({ length: DAYS_PER_ROUND }, (__, i) => `c${base}r${round}d${i}`));
  const scheduled = `c${base}sched`;
  const tradingDate = todayInNewYork();
  let address: string;
  let namespace: string;
  let uiUrl: string;
  let connection: Connection;
  let client: Client;
  let sim: RunningSimulator;
  const workers: WorkerProcess[] = [];
  let workerCount = 0;
  let workerEnv: NodeJS.ProcessEnv;

  function startWorker(): WorkerProcess {
    const worker = new WorkerProcess(++workerCount, dir, workerEnv);
    workers.push(worker);
    return worker;
  }

  function cli(...args: string[]) {
    return runCli(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, ...workerEnv } });
  }

  before(async () => {
    await clusterScript('up');
    ({ address, namespace, uiUrl } = await clusterSettings());
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
    sim = await startSimulator({ port: 0, seed: 14 });
    await simAdmin(sim, 'POST', '/admin/faults', { route: 'POST /v2/orders', kind: 'latency', latencyMs: ORDER_LATENCY_MS, count: 0 });
    const all = [...accounts, scheduled];
    writeFileSync(path.join(dir, `${scheduled}-${tradingDate}.json`), JSON.stringify(Object.fromEntries(SIGNALS.map((s) => [s.symbol, s.strength]))));
    workerEnv = workerSetup(dir, all, { address, namespace }, sim.url, TASK_QUEUE, [
      'signal_sources:', '  sig:', `    file: ${path.join(dir, `${scheduled}-{date}.json`)}`,
    ]);
  });

  after(async () => {
    await cli('schedule', 'delete', '--account', scheduled).catch(() => undefined);
    await Promise.all(workers.map((worker) => worker.stop()));
    // Each account's long-lived state workflow would idle on the cluster forever: these accounts
    // were the test's alone.
    await Promise.all([...accounts, scheduled].map((account) => client?.workflow.getHandle(accountWorkflowId(account))
      .terminate('cluster test finished').catch(() => undefined)));
    await connection?.close().catch(() => undefined);
    await sim?.close();
  });

  /** Worker identities polling the task queue for workflow tasks. */
  async function pollers(): Promise<string[]> {
    const response = await client.workflowService.describeTaskQueue({
      namespace, taskQueue: { name: TASK_QUEUE, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (response.pollers ?? []).map((poller) => poller.identity ?? '');
  }

  async function waitForPollers(live: WorkerProcess[]): Promise<void> {
    await waitFor(`workers ${live.map((w) => w.pid).join(', ')} polling ${TASK_QUEUE}`, async () => {
      const identities = await pollers();
      return live.every((worker) => identities.some((id) => worker.isIdentity(id))) ? true : undefined;
    }, 60_000, 250);
  }

  /** The first day of `handles` with at least `min` orders at the broker: the disruption's moment. */
  async function daySubmitting(days: Array<{ account: string }>, min: number): Promise<{ account: string; atBroker: number }> {
    return waitFor(`a day with ${min} orders at the broker`, async () => {
      for (const day of days) {
        const atBroker = (await simOrders(sim, day.account)).length;
        if (atBroker >= min) return { account: day.account, atBroker };
      }
      return undefined;
    }, 60_000, 20);
  }

  /** The worker running the day's submit activity (its identity on the pending activity). */
  async function submittingWorker(handle: WorkflowHandle): Promise<WorkerProcess | undefined> {
    const description = await handle.describe();
    for (const activity of description.raw.pendingActivities ?? []) {
      if (!/^submit/i.test(activity.activityType?.name ?? '')) continue;
      const identity = activity.lastWorkerIdentity ?? '';
      const worker = workers.find((w) => w.isIdentity(identity) && w.process.exitCode === null && w.process.signalCode === null);
      if (worker) return worker;
    }
    return undefined;
  }

  it(`${ROUNDS.length * DAYS_PER_ROUND} days on two workers: a worker SIGKILLed mid-submission, the server restarted mid-day twice, and a schedule firing; 0 duplicate, 0 lost orders`, { timeout: 15 * 60_000 }, async () => {
    const started = Date.now();
    const live = [startWorker(), startWorker()];
    await waitForPollers(live);

    // The schedule, through the CLI against the cluster: every minute, so the server's scheduler fires it within
    // a minute while the rounds run.
    const scheduleCreated = Date.now();
    await cli('schedule', 'create', '--account', scheduled, '--cron', '* * * * *', '--timezone', 'UTC', '--source', 'sig');
    const scheduledRun = (async () => {
      const handle = client.schedule.getHandle(scheduleId(scheduled));
      const action = await waitFor('the schedule to fire', async () => (await handle.describe()).info.recentActions[0], 120_000, 500);
      const firedAfter = (action.takenAt.getTime() - scheduleCreated) / 1000;
      await cli('schedule', 'pause', '--account', scheduled).catch(() => undefined);
      const result = await withTimeout(
        client.workflow.getHandle<typeof scheduledTradingDay>(action.action.workflow.workflowId).result(), 300_000, 'the scheduled run');
      return { result, firedAfter, finished: Date.now() };
    })();
    scheduledRun.catch(() => undefined); // awaited after the rounds; a failure meanwhile is not "unhandled"

    const days: DayFigure[] = [];
    const disruptions: DisruptionFigure[] = [];
    let kills = 0;
    let restarts = 0;
    for (const [round, disruption] of ROUNDS.entries()) {
      const roundAccounts = accounts.slice(round * DAYS_PER_ROUND, (round + 1) * DAYS_PER_ROUND);
      const roundStarted = Date.now();
      const handles = await Promise.all(roundAccounts.map((account) => startDay(client, {
        account, tradingDate, signals: SIGNALS, mode: 'paper', taskQueue: TASK_QUEUE, source: `cluster test: ${disruption}`,
      })));
      const results = handles.map((handle) => withTimeout(dayResult(handle), 300_000, handle.workflowId).then(
        (report) => ({ report, finished: Date.now() }), (error: unknown) => ({ error, finished: Date.now() })));
      const running = roundAccounts.map((account, i) => ({ account, handle: handles[i]! }));
      // Strike once a day has two orders at the broker: its submission has begun and (12 orders, 2 lanes,
      // 400 ms each) has seconds to go.
      if (disruption === 'worker SIGKILL') {
        const { worker, account, atBroker } = await waitFor('a worker running a day\'s submits', async () => {
          const day = await daySubmitting(running, 2);
          const handle = running.find((r) => r.account === day.account)!.handle;
          const found = await submittingWorker(handle);
          return found ? { worker: found, account: day.account, atBroker: (await simOrders(sim, day.account)).length } : undefined;
        }, 60_000, 20);
        worker.kill();
        kills++;
        disruptions.push({ round: disruption, account, ordersAtBrokerWhenStruck: atBroker });
        live.splice(live.indexOf(worker), 1);
        // A supervisor starts a new worker process in its place.
        live.push(startWorker());
      } else {
        const day = await daySubmitting(running, 2);
        const struck = Date.now();
        await clusterScript('restart-server', ...(disruption === 'server restart (SIGKILL)' ? ['--kill'] : []));
        restarts++;
        disruptions.push({
          round: disruption, account: day.account, ordersAtBrokerWhenStruck: day.atBroker, serverDownSeconds: (Date.now() - struck) / 1000,
        });
      }
      for (const [i, outcome] of (await Promise.all(results)).entries()) {
        const account = roundAccounts[i]!;
        if ('error' in outcome) {
          assert.fail(`${account} (${disruption}): ${String(outcome.error)}; worker logs in ${dir}`);
        }
        const verdict = await referee(sim, account, outcome.report as DayReport);
        days.push({ ...verdict, round: disruption, seconds: (outcome.finished - roundStarted) / 1000 });
        const aimed = disruptions.find((d) => d.account === account);
        if (aimed) aimed.ordersIntended = verdict.intended;
      }
    }

    const { result: scheduledResult, firedAfter, finished } = await scheduledRun;
    assert.equal(scheduledResult.outcome, 'traded', 'the schedule\'s run traded its day');
    const scheduledReport = await dayResult(client.workflow.getHandle(scheduledResult.workflowId));
    days.push({ ...(await referee(sim, scheduled, scheduledReport)), round: 'schedule', seconds: (finished - scheduleCreated) / 1000 });

    // The UI server answers from the cluster's SQL visibility, custom search attributes included.
    const listed = await waitFor('the Temporal UI to list the completed days', async () => {
      const query = `TradingDate="${tradingDate}" AND RunState="completed" AND TradingAccount="${accounts[0]}"`;
      const response = await fetch(`${uiUrl}/api/v1/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`);
      const body = (await response.json()) as { executions?: Array<{ execution: { workflowId: string } }> };
      return body.executions?.length ? body.executions.map((e) => e.execution.workflowId) : undefined;
    }, 30_000, 500);
    assert.deepEqual(listed, [dailyWorkflowId(accounts[0]!, tradingDate)]);

    const serverCpu = cpuSeconds(serverPid() ?? -1);
    await Promise.all(live.map((worker) => worker.stop()));
    const figures = {
      days: days.length,
      completed: days.filter((day) => day.status === 'completed').length,
      accountsPerWorker: (accounts.length + 1) / 2,
      ordersIntended: days.reduce((sum, day) => sum + day.intended, 0),
      ordersAtBroker: days.reduce((sum, day) => sum + day.atBroker, 0),
      workerKills: kills,
      serverRestarts: restarts,
      duplicates: days.reduce((sum, day) => sum + day.duplicates, 0),
      lost: days.reduce((sum, day) => sum + day.lost, 0),
      phantom: days.reduce((sum, day) => sum + day.phantom, 0),
      disruptions,
      scheduleFiredAfterSeconds: firedAfter,
      daySeconds: days.map((day) => `${day.round}: ${day.seconds.toFixed(1)}`),
      workerCpuSeconds: live.map((worker) => worker.cpuAtExit),
      serverCpuSecondsSinceLastStart: serverCpu,
      orderLatencyMs: ORDER_LATENCY_MS,
      totalSeconds: (Date.now() - started) / 1000,
    };
    console.log(`cluster figures: ${JSON.stringify(figures)}`);
    for (const day of days) console.log(`  ${day.round.padEnd(26)} ${day.account.padEnd(20)} ${day.status.padEnd(10)} intended ${day.intended} at broker ${day.atBroker} duplicates ${day.duplicates} lost ${day.lost} phantom ${day.phantom} (${day.seconds.toFixed(1)} s)`);

    for (const day of days) {
      assert.equal(day.status, 'completed', `${day.account} (${day.round}) completed`);
      assert.ok(day.intended > 0, `${day.account} (${day.round}) traded`);
      assert.equal(day.duplicates, 0, `${day.account} (${day.round}): no duplicate`);
      assert.equal(day.lost, 0, `${day.account} (${day.round}): nothing lost`);
      assert.equal(day.phantom, 0, `${day.account} (${day.round}): nothing unintended`);
    }
    for (const disruption of disruptions) {
      // Mid-submission: some of the struck day's orders were at the broker, and more came after the strike.
      assert.ok(disruption.ordersAtBrokerWhenStruck > 0 && disruption.ordersAtBrokerWhenStruck < (disruption.ordersIntended ?? 0),
        `${disruption.round} struck ${disruption.account} mid-submission (${disruption.ordersAtBrokerWhenStruck} of ${disruption.ordersIntended} orders at the broker)`);
    }
    assert.equal(kills, 1);
    assert.equal(restarts, 2);
  });
});
