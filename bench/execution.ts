/**
 * What Temporal costs a day's execution: the same rebalance of N orders, in one process tree, on
 *  (a) plain: a script over the project's broker adapter and planning activity, without Temporal: plan (the
 *      `planTheDay` activity the workflow runs, under MockActivityEnvironment), submit through `--concurrency`
 *      lanes (sells first, then buys), poll the open orders until none is left, read the positions;
 *  (b) workflow: the `dailyTrading` workflow on a Temporal dev server, its worker (`tradeflow worker`) in a child
 *      process, started with startDay and awaited with dayResult.
 * The simulator runs in a child process of its own (bench/sim-process.ts), with the always-open market, so the
 * bench runs at any hour. Every run trades a fresh simulator account (its own key id).
 *
 *   npm run bench                                      (N = 10, 100, 500, 2000; medians of 3 runs)
 *   npm run bench -- --n 10,100,500 --runs 1 --concurrency 8 --json out.json
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { stringify as toYaml } from 'yaml';
import { createPlanningActivities } from '../src/activities/planning';
import { createAlpacaBroker, type AlpacaConnection } from '../src/broker/alpaca';
import { DuplicateClientOrderId, FINAL_BROKER_ERRORS } from '../src/broker/errors';
import type { BrokerPort } from '../src/broker/port';
import { todayInNewYork } from '../src/cli/dates';
import { parseExecutionConfig, type ExecutionConfig } from '../src/config';
import type { AccountStateStore } from '../src/contracts/account';
import type { DayReport } from '../src/contracts/day';
import type { CompactDayPlan } from '../src/contracts/plan';
import { fromOrderTable } from '../src/domain/order-table';
import type { OrderIntent, Signal } from '../src/domain/types';
import { dayResult, startDay } from '../src/operations/start-day';
import { findFreePort, startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import { forwardLines } from '../src/temporal/supervised-child';
import { sectorsFor } from '../src/worker';
import {
  bytes, count, cpuSeconds, historyFigures, median, peakRssMb, ratio, resetPeakRss, seconds, table,
} from './measure';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '10,100,500,2000' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    json: { type: 'string' },
    poll: { type: 'string', default: '0.25' },
    equity: { type: 'string', default: '10000000' },
    seed: { type: 'string', default: '42' },
    rpm: { type: 'string' },
  },
});

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'tradeflow.cjs');
const SECRET = 'bench-secret';
const TASK_QUEUE = 'bench-execution';
/** Big enough never to bind: the bench sizes by max_position_size alone. */
const NO_LIMIT_DOLLARS = 1e9;
/** Signals of the unmeasured warm-up day each worker trades first. */
const WARM_UP_SIGNALS = 10;
/** How long one day may take before the bench gives up on it. */
const DAY_TIMEOUT_MS = 20 * 60_000;

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: a whole number >= 1, got "${text}"`);
  return value;
}

const SIZES = [...new Set(args.n.split(',').map((part) => positiveInt('n', part.trim())))].sort((a, b) => a - b);
const RUNS = positiveInt('runs', args.runs);
const CONCURRENCY = positiveInt('concurrency', args.concurrency);
const POLL_SECONDS = Number(args.poll);
const EQUITY = Number(args.equity);
/** A request budget per account key and rolling minute for both paths (Alpaca's is 200); absent: both unpaced. */
const RPM = args.rpm === undefined ? null : positiveInt('rpm', args.rpm);
/** The worker's budget when the bench paces neither path: the config's maximum, far above what a day asks. */
const UNPACED_RPM = 100_000;
if (!(POLL_SECONDS > 0)) throw new Error(`--poll: seconds > 0, got "${args.poll}"`);
if (!(EQUITY > 0)) throw new Error(`--equity: dollars > 0, got "${args.equity}"`);

/** What one run of one path measured. Times are seconds from the run's start; null when not measured. */
interface RunFigures {
  status: string;
  planned: number;
  /** Orders the broker took (its own order log). */
  orders: number;
  unfilled: number;
  firstAckS: number | null;
  submittedS: number | null;
  filledS: number | null;
  doneS: number;
  requests: number | null;
  routes: Record<string, number> | null;
  errorResponses: number | null;
  /** The 4xx/5xx (and dropped) answers by status, all keys, since the run's reset. */
  errorStatuses: Record<string, number> | null;
  /** (a) the bench process (the script, planning included); (b) the worker process. */
  cpuS: number | null;
  peakRssMb: number | null;
  devServerCpuS: number | null;
  simulatorCpuS: number | null;
  historyEvents: number | null;
  historyBytes: number | null;
  largestPayload: number | null;
  largestPayloadEvent: string | null;
  /** Payloads above 256 KiB, by event (and activity). */
  oversizedPayloads?: Array<{ event: string; bytes: number }>;
  /** The history's size is its JSON length (it could not be encoded as protobuf). */
  historyAsJson?: boolean;
}

/** Figures of one path at one N: every run, and per-order figures derived per run. */
interface PathResult {
  runs: RunFigures[];
}

interface SizeResult {
  n: number;
  signals: number;
  planned: number | null;
  rejectedByCode: Record<string, number>;
  skipped: string | null;
  plain: PathResult;
  workflow: PathResult;
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes: the simulator and the worker. Both are killed if this process exits first.

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

interface SimChild {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts bench/sim-process.ts with `options` and resolves with its URL once it listens. */
async function startSimChild(options: Record<string, unknown>): Promise<SimChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'sim-process.ts')], {
    cwd: ROOT, env: { ...process.env, BENCH_SIM_OPTIONS: JSON.stringify(options) }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    children.delete(child);
    resolve();
  }));
  const errors: string[] = [];
  forwardLines(child.stderr, (line) => {
    errors.push(line);
    if (errors.length > 30) errors.shift();
  });
  const url = await new Promise<string>((resolve, reject) => {
    forwardLines(child.stdout, (line) => {
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        // not the URL line
      }
    });
    void exited.then(() => reject(new Error(`the simulator exited before it listened:\n${errors.join('\n')}`)));
  });
  return {
    url,
    pid: child.pid,
    async stop() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface WorkerChild {
  pid: number | undefined;
  /** Rejects when the worker exits (it should not while a day runs). */
  died: Promise<never>;
  stop(): Promise<void>;
}

/** `tradeflow worker` in a child process, as bench/chaos.ts runs it; resolves once its worker is created. */
async function startWorker(configFile: string, keys: Record<string, string>, address: string, simUrl: string): Promise<WorkerChild> {
  const env: NodeJS.ProcessEnv = {
    ...process.env, ...keys, TEMPORAL_ADDRESS: address, TRADEFLOW_TASK_QUEUE: TASK_QUEUE, TRADEFLOW_CONFIG: configFile,
    APCA_API_BASE_URL: simUrl, APCA_API_DATA_URL: simUrl,
  };
  delete env.TRADEFLOW_ACCOUNT;
  const child = spawn(process.execPath, [BIN, 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const tail: string[] = [];
  let stopping = false;
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => {
    children.delete(child);
    resolve(signal ? `signal ${signal}` : `code ${code}`);
  }));
  const died = exited.then((how): never => {
    throw new Error(`the worker exited (${how})${stopping ? '' : `:\n${tail.join('\n')}`}`);
  });
  died.catch(() => undefined);
  const ready = new Promise<void>((resolve) => {
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.startsWith('tradeflow worker:')) resolve();
    };
    forwardLines(child.stderr, onLine);
    forwardLines(child.stdout, onLine);
  });
  await withTimeout(Promise.race([ready, died]), 180_000, 'the worker did not start within 180 s');
  return {
    pid: child.pid,
    died,
    async stop() {
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}


// ---------------------------------------------------------------------------------------------------------------
// The simulator's records: its order log, its request counters, its clock.

class Broker {
  /** The simulator's clock minus this machine's (it follows the real clock: about 0). */
  offsetMs = 0;
  statsAvailable = false;

  constructor(readonly url: string, readonly pid: number | undefined) {}

  async admin(method: string, route: string): Promise<Response> {
    return fetch(`${this.url}${route}`, { method });
  }

  async init(): Promise<void> {
    const state = (await (await this.admin('GET', '/admin/state')).json()) as { offsetMs?: number };
    this.offsetMs = typeof state.offsetMs === 'number' ? state.offsetMs : 0;
    this.statsAvailable = (await this.admin('GET', '/admin/stats')).ok;
  }

  async resetStats(): Promise<void> {
    if (this.statsAvailable) await this.admin('DELETE', '/admin/stats');
  }

  /** The requests of one key id since the last reset: total, by route, and the 4xx/5xx answers (all keys). */
  async stats(keyId: string): Promise<{
    requests: number; routes: Record<string, number>; errorResponses: number; errorStatuses: Record<string, number>;
  } | null> {
    if (!this.statsAvailable) return null;
    const response = await this.admin('GET', '/admin/stats');
    if (!response.ok) return null;
    const body = (await response.json()) as {
      total?: number; routes?: Record<string, number>; statuses?: Record<string, number>;
      byAccount?: Record<string, { total: number; routes: Record<string, number> }>;
    };
    const mine = body.byAccount?.[keyId] ?? { total: body.total ?? 0, routes: body.routes ?? {} };
    const errorStatuses = Object.fromEntries(Object.entries(body.statuses ?? {})
      .filter(([status]) => status === 'dropped' || Number(status) >= 400));
    const errorResponses = Object.values(errorStatuses).reduce((sum, n) => sum + n, 0);
    return { requests: mine.total, routes: mine.routes, errorResponses, errorStatuses };
  }

  /** Times from `startedAt` (this machine's clock, ms) to the first order created, the last, and the last fill. */
  async orderTimes(keyId: string, startedAt: number): Promise<Pick<RunFigures, 'orders' | 'unfilled' | 'firstAckS' | 'submittedS' | 'filledS'>> {
    const response = await this.admin('GET', `/admin/orders?account=${encodeURIComponent(keyId)}`);
    if (!response.ok) throw new Error(`GET /admin/orders: ${response.status}`);
    const body = (await response.json()) as unknown;
    const orders = (Array.isArray(body) ? body : (body as { orders: unknown[] }).orders) as Array<{
      created_at: string | null; filled_at: string | null; status: string;
    }>;
    const at = (iso: string | null) => (iso ? (Date.parse(iso) - this.offsetMs - startedAt) / 1000 : null);
    const created = orders.map((order) => at(order.created_at)).filter((t): t is number => t !== null);
    const filled = orders.filter((order) => order.status === 'filled').map((order) => at(order.filled_at)).filter((t): t is number => t !== null);
    return {
      orders: orders.length,
      unfilled: orders.length - filled.length,
      firstAckS: created.length > 0 ? Math.min(...created) : null,
      submittedS: created.length > 0 ? Math.max(...created) : null,
      filledS: filled.length > 0 ? Math.max(...filled) : null,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The rebalance: signals, config.

/** Symbols to trade, best first: the S&P 500's fractionable ones, then synthetic ones, then the rest. */
async function universe(broker: Broker, stamp: string): Promise<string[]> {
  const response = await fetch(`${broker.url}/v2/assets?status=active`, {
    headers: { 'APCA-API-KEY-ID': `BENCH-UNIVERSE-${stamp}`, 'APCA-API-SECRET-KEY': SECRET },
  });
  if (!response.ok) throw new Error(`GET /v2/assets: ${response.status}`);
  const assets = (await response.json()) as Array<{ symbol: string; tradable: boolean; fractionable: boolean; name?: string }>;
  const rank = (asset: { fractionable: boolean; name?: string }) =>
    (asset.name ?? '').startsWith('Synthetic') ? 1 : asset.fractionable ? 0 : 2;
  return assets.filter((asset) => asset.tradable)
    .sort((a, b) => rank(a) - rank(b) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0))
    .map((asset) => asset.symbol);
}

/** Whether this version's config takes `raw` (a setting newer versions have: submit_concurrency, the request budget). */
function configTakes(raw: Record<string, Record<string, unknown>>): boolean {
  try {
    parseExecutionConfig(raw);
    return true;
  } catch {
    return false;
  }
}

/** The bench's config for N signals: each a position of about 0.9/N of equity, every other limit out of the way. */
function rawConfig(
  n: number, trailDir: string, submitConcurrency: number | null, workerRpm: number | null,
): Record<string, Record<string, unknown>> {
  return {
    execution: {
      account: 'bench', mode: 'paper', order_type: 'market',
      ...(workerRpm !== null ? { broker_requests_per_minute: workerRpm } : {}),
    },
    position_sizing: {
      method: 'signal_proportional', fractional: true, max_position_size: Math.floor((0.9 / n) * 1e6) / 1e6,
      min_trade_size: 1, max_trade_size: NO_LIMIT_DOLLARS, rebalance_band: 0,
    },
    risk_management: {
      max_orders_per_day: 10_000, max_sector_exposure: 1, max_sector_net_exposure: 1, max_correlated_exposure: 1,
      max_gross_exposure: 1, max_net_exposure: 1, max_position_risk: 1, max_order_notional: NO_LIMIT_DOLLARS,
    },
    timing: {
      poll_interval_seconds: POLL_SECONDS, max_fill_wait_minutes: 5, cancel_before_close_minutes: 0,
      ...(submitConcurrency !== null ? { submit_concurrency: submitConcurrency } : {}),
    },
    reports: { trail_dir: trailDir },
  };
}

/** The planning activity never reads the account's trading state (the workflow passes it in). */
const NO_ACCOUNT_STATES = new Proxy({}, {
  get: () => () => Promise.reject(new Error('the bench has no account state store')),
}) as AccountStateStore;

function plannerFor(config: ExecutionConfig, sectors: Record<string, string>, broker: BrokerPort) {
  return createPlanningActivities({ config, sectors, accountStates: NO_ACCOUNT_STATES, brokerFor: () => broker });
}

/** The adapter on the simulator; with --rpm, paced as the worker paces (a version without pacing ignores it). */
function simBroker(url: string, keyId: string): BrokerPort {
  const connection: AlpacaConnection & { requestsPerMinute?: number } = {
    keyId, secretKey: SECRET, tradingUrl: url, dataUrl: url, ...(RPM !== null ? { requestsPerMinute: RPM } : {}),
  };
  return createAlpacaBroker(connection);
}

// ---------------------------------------------------------------------------------------------------------------
// (a) plain

/** Sends `intent` once; a retryable failure is retried twice, after looking the order up. Null, or why it failed. */
async function submitOnce(broker: BrokerPort, intent: OrderIntent): Promise<string | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      await broker.submitOrder(intent);
      return null;
    } catch (error) {
      if (error instanceof DuplicateClientOrderId) return null;
      const name = error instanceof Error ? error.name : '';
      if ((FINAL_BROKER_ERRORS as readonly string[]).includes(name) || attempt >= 3) return error instanceof Error ? error.message : String(error);
      await sleep(250 * attempt);
      if (await broker.getOrderByClientOrderId(intent.clientOrderId).catch(() => null)) return null;
    }
  }
}

/** The plan's orders, from its table on a large day (as the workflow reads them). */
function plannedOrders(plan: CompactDayPlan): OrderIntent[] {
  return plan.orderTable ? fromOrderTable(plan.orderTable) : plan.orders;
}

/** Runs `work` over `items` in `lanes` lanes, each taking the next item once its last one is done. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function runPlain(
  sim: Broker, n: number, run: number, stamp: string, signals: Signal[], config: ExecutionConfig, sectors: Record<string, string>,
): Promise<RunFigures> {
  const keyId = `BENCH-${n}-${run}-${stamp}-A`;
  const broker = simBroker(sim.url, keyId);
  const planning = plannerFor(config, sectors, broker);
  await sim.resetStats();
  const cpuBefore = process.cpuUsage();
  const simCpuBefore = cpuSeconds(sim.pid);
  resetPeakRss(process.pid);
  const started = Date.now();

  const plan: CompactDayPlan = await new MockActivityEnvironment().run(planning.planTheDay, `plain${n}`, {
    runId: `bench-${n}-${run}-${stamp}-a`, signals, tradingState: 'ACTIVE' as const, ordersSubmittedToday: 0,
  });
  const orders = plannedOrders(plan);
  if (!plan.clock.isOpen) throw new Error(`the broker's market is closed (${plan.clock.timestamp}): the bench needs an open market`);
  const failures: string[] = [];
  for (const side of ['sell', 'buy'] as const) {
    await inLanes(orders.filter((order) => order.side === side), CONCURRENCY, async (intent) => {
      const failure = await submitOnce(broker, intent);
      if (failure) failures.push(`${intent.symbol}: ${failure}`);
    });
  }
  const deadline = started + config.timing.max_fill_wait_minutes * 60_000;
  for (;;) {
    if ((await broker.listOrders({ status: 'open', limit: 500 })).length === 0) break;
    if (Date.now() >= deadline) {
      await broker.cancelAllOrders();
      break;
    }
    await sleep(POLL_SECONDS * 1000);
  }
  await broker.getPositions();
  const doneS = (Date.now() - started) / 1000;

  const cpu = process.cpuUsage(cpuBefore);
  const simCpuAfter = cpuSeconds(sim.pid);
  if (failures.length > 0) console.log(`    plain: ${failures.length} orders not sent, e.g. ${failures[0]}`);
  const stats = await sim.stats(keyId);
  return {
    status: failures.length > 0 ? `${failures.length} not sent` : 'done',
    planned: orders.length,
    ...(await sim.orderTimes(keyId, started)),
    doneS,
    requests: stats?.requests ?? null,
    routes: stats?.routes ?? null,
    errorResponses: stats?.errorResponses ?? null,
    errorStatuses: stats?.errorStatuses ?? null,
    cpuS: (cpu.user + cpu.system) / 1e6,
    peakRssMb: peakRssMb(process.pid),
    devServerCpuS: null,
    simulatorCpuS: simCpuBefore !== null && simCpuAfter !== null ? simCpuAfter - simCpuBefore : null,
    historyEvents: null, historyBytes: null, largestPayload: null, largestPayloadEvent: null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// (b) workflow

async function runWorkflow(
  sim: Broker, client: Client, server: RunningDevServer, worker: WorkerChild, account: string, keyId: string, signals: Signal[],
): Promise<RunFigures> {
  await sim.resetStats();
  const workerCpuBefore = cpuSeconds(worker.pid);
  const serverCpuBefore = cpuSeconds(server.process?.pid);
  const simCpuBefore = cpuSeconds(sim.pid);
  resetPeakRss(worker.pid);
  const started = Date.now();

  const handle = await startDay(client, { account, tradingDate: todayInNewYork(), signals, mode: 'paper', taskQueue: TASK_QUEUE, source: 'bench' });
  const report: DayReport = await withTimeout(Promise.race([dayResult(handle), worker.died]), DAY_TIMEOUT_MS, `the day ${handle.workflowId} did not end`);
  const doneS = (Date.now() - started) / 1000;

  const workerCpuAfter = cpuSeconds(worker.pid);
  const serverCpuAfter = cpuSeconds(server.process?.pid);
  const simCpuAfter = cpuSeconds(sim.pid);
  const peak = peakRssMb(worker.pid);
  const history = historyFigures(await handle.fetchHistory());
  const stats = await sim.stats(keyId);
  const delta = (before: number | null, after: number | null) => (before !== null && after !== null ? after - before : null);
  if (report.status !== 'completed') console.log(`    workflow: day ${report.status}${report.reason ? `: ${report.reason}` : ''}`);
  return {
    status: report.status,
    planned: report.orders.length,
    ...(await sim.orderTimes(keyId, started)),
    doneS,
    requests: stats?.requests ?? null,
    routes: stats?.routes ?? null,
    errorResponses: stats?.errorResponses ?? null,
    errorStatuses: stats?.errorStatuses ?? null,
    cpuS: delta(workerCpuBefore, workerCpuAfter),
    peakRssMb: peak,
    devServerCpuS: delta(serverCpuBefore, serverCpuAfter),
    simulatorCpuS: delta(simCpuBefore, simCpuAfter),
    historyEvents: history.events,
    historyBytes: history.bytes,
    largestPayload: history.largestPayload,
    largestPayloadEvent: history.largestPayloadEvent,
    oversizedPayloads: history.oversized,
    ...(history.encoded ? {} : { historyAsJson: true }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

type Numeric = 'orders' | 'unfilled' | 'firstAckS' | 'submittedS' | 'filledS' | 'doneS' | 'requests' | 'errorResponses' | 'cpuS'
  | 'peakRssMb' | 'devServerCpuS' | 'simulatorCpuS' | 'historyEvents' | 'historyBytes' | 'largestPayload';

/** The median over runs of a figure; `perOrder` divides each run's figure by its orders at the broker first. */
function med(result: PathResult, key: Numeric, perOrder = false): number | null {
  return median(result.runs.map((run) => {
    const value = run[key];
    if (value === null) return null;
    if (!perOrder) return value;
    return run.orders > 0 ? value / run.orders : null;
  }));
}

function routeMedians(result: PathResult): Record<string, number> | null {
  const runs = result.runs.filter((run) => run.routes !== null && run.orders > 0);
  if (runs.length === 0) return null;
  const names = new Set(runs.flatMap((run) => Object.keys(run.routes!)));
  return Object.fromEntries([...names].map((name) => [name, median(runs.map((run) => (run.routes![name] ?? 0) / run.orders))!]));
}

function medians(result: PathResult): Record<string, unknown> {
  const keys: Numeric[] = ['orders', 'unfilled', 'firstAckS', 'submittedS', 'filledS', 'doneS', 'requests', 'errorResponses', 'cpuS',
    'peakRssMb', 'devServerCpuS', 'simulatorCpuS', 'historyEvents', 'historyBytes', 'largestPayload'];
  return {
    ...Object.fromEntries(keys.map((key) => [key, med(result, key)])),
    requestsPerOrder: med(result, 'requests', true),
    routesPerOrder: routeMedians(result),
    historyEventsPerOrder: med(result, 'historyEvents', true),
    historyBytesPerOrder: med(result, 'historyBytes', true),
  };
}

function printSize(size: SizeResult, statsAvailable: boolean): void {
  const a = size.plain;
  const b = size.workflow;
  console.log('');
  console.log(`N = ${size.n}: ${size.signals} signals, ${size.planned ?? '?'} orders planned (dry run), median of ${RUNS} run${RUNS > 1 ? 's' : ''}`);
  const row = (label: string, format: (value: number | null) => string, key: Numeric, perOrder = false, withRatio = false): string[] => {
    const x = med(a, key, perOrder);
    const y = med(b, key, perOrder);
    return [label, format(x), format(y), withRatio ? ratio(y, x) : ''];
  };
  const only = (label: string, format: (value: number | null) => string, key: Numeric, perOrder = false): string[] =>
    [label, '', format(med(b, key, perOrder)), ''];
  const na = statsAvailable ? undefined : 'n/a';
  const rows: string[][] = [
    row('orders at the broker', count, 'orders'),
    row('first order acknowledged (s)', seconds, 'firstAckS', false, true),
    row('all submitted (s)', seconds, 'submittedS', false, true),
    row('all filled (s)', seconds, 'filledS', false, true),
    row('day done (s)', seconds, 'doneS', false, true),
  ];
  if (na) rows.push(['broker requests (total, / order)', na, na, '']);
  else {
    rows.push(row('broker requests (total)', count, 'requests', false, true));
    rows.push(row('broker requests / order', count, 'requests', true, true));
    const ra = routeMedians(a) ?? {};
    const rb = routeMedians(b) ?? {};
    const names = [...new Set([...Object.keys(ra), ...Object.keys(rb)])]
      .sort((x, y) => (rb[y] ?? 0) + (ra[y] ?? 0) - (rb[x] ?? 0) - (ra[x] ?? 0) || (x < y ? -1 : 1));
    for (const name of names) rows.push([`  ${name}`, count(round2(ra[name] ?? 0)), count(round2(rb[name] ?? 0)), '']);
    rows.push(row('broker 4xx/5xx answers', count, 'errorResponses'));
  }
  const largestEvent = b.runs.find((run) => run.largestPayloadEvent)?.largestPayloadEvent;
  rows.push(
    only('history events / order', count, 'historyEvents', true),
    only('history bytes / order', bytes, 'historyBytes', true),
    only('history events (total)', count, 'historyEvents'),
    only(`history bytes (total${b.runs.some((run) => run.historyAsJson) ? ', JSON length: not encodable' : ''})`, bytes, 'historyBytes'),
    only(`largest payload${largestEvent ? ` (${largestEvent})` : ''}`, bytes, 'largestPayload'),
    row('CPU s: (a) bench process, (b) worker', seconds, 'cpuS', false, true),
    row('peak RSS MB: (a) bench, (b) worker', (v) => (v === null ? 'n/a' : v.toFixed(0)), 'peakRssMb'),
    only('dev-server CPU (s)', seconds, 'devServerCpuS'),
    row('simulator CPU (s)', seconds, 'simulatorCpuS', false, true),
  );
  for (const line of table(['', 'plain (a)', 'workflow (b)', 'b/a'], rows)) console.log(line);
  for (const [label, result] of [['plain', a], ['workflow', b]] as const) {
    const unfilled = med(result, 'unfilled');
    if (unfilled) console.log(`  ${label}: ${unfilled} orders not filled (all filled = the last fill of the others)`);
    const statuses: Record<string, number> = {};
    for (const run of result.runs) for (const [status, k] of Object.entries(run.errorStatuses ?? {})) statuses[status] = (statuses[status] ?? 0) + k;
    if (Object.keys(statuses).length > 0) {
      console.log(`  ${label}: 4xx/5xx answers by status over the runs: ${Object.entries(statuses).map(([status, k]) => `${status} x${k}`).join(', ')}`);
    }
    const odd = result.runs.filter((run) => run.status !== 'done' && run.status !== 'completed');
    if (odd.length > 0) console.log(`  ${label}: runs that did not end cleanly: ${odd.map((run) => run.status).join(', ')}`);
    if (result.runs.length < RUNS) console.log(`  ${label}: ${RUNS - result.runs.length} of ${RUNS} runs failed (see above)`);
  }
  const oversized = b.runs.flatMap((run) => run.oversizedPayloads ?? []);
  console.log(oversized.length === 0
    ? '  workflow: no payload above 256 KiB'
    : `  workflow: payloads above 256 KiB: ${oversized.map((p) => `${p.event} ${bytes(p.bytes)}`).join(', ')}`);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function printSummary(sizes: SizeResult[]): void {
  const rows = sizes.filter((size) => !size.skipped).map((size) => {
    const a = size.plain;
    const b = size.workflow;
    return [
      String(size.n), count(size.planned),
      seconds(med(a, 'submittedS')), seconds(med(b, 'submittedS')), ratio(med(b, 'submittedS'), med(a, 'submittedS')),
      seconds(med(a, 'doneS')), seconds(med(b, 'doneS')), ratio(med(b, 'doneS'), med(a, 'doneS')),
      count(nullRound(med(a, 'requests', true))), count(nullRound(med(b, 'requests', true))),
      count(nullRound(med(b, 'historyEvents', true))), seconds(med(b, 'cpuS')),
    ];
  });
  console.log('');
  console.log(`Summary (medians of ${RUNS} run${RUNS > 1 ? 's' : ''}; a = plain, b = workflow)`);
  for (const line of table(['N', 'planned', 'sent a', 'sent b', 'b/a', 'done a', 'done b', 'b/a', 'req/o a', 'req/o b', 'ev/o b', 'cpu b'], rows)) {
    console.log(line);
  }
  console.log('sent = all orders submitted (s), done = day done (s), req/o = broker requests per order,');
  console.log('ev/o = history events per order, cpu b = worker CPU seconds');
  for (const size of sizes.filter((s) => s.skipped)) console.log(`N = ${size.n}: skipped, ${size.skipped}`);
}

function nullRound(value: number | null): number | null {
  return value === null ? null : round2(value);
}

// ---------------------------------------------------------------------------------------------------------------

/** Minutes since midnight in New York. */
function newYorkMinutes(now = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 60 + part('minute') + part('second') / 60;
}

/**
 * The always-open market still has a 16:00 ET "close" (its nextClose, the day's last submit time) and the trading
 * date turns at midnight: a run starting within 15 minutes of either waits until it has passed.
 */
async function clearOfBoundaries(): Promise<void> {
  const now = newYorkMinutes();
  for (const boundary of [16 * 60, 24 * 60]) {
    if (now >= boundary - 15 && now < boundary) {
      const waitMs = Math.ceil((boundary - now) * 60_000) + 5_000;
      console.log(`  (waiting ${Math.round(waitMs / 1000)} s: a run must not straddle ${boundary === 960 ? '16:00' : 'midnight'} in New York)`);
      await sleep(waitMs);
    }
  }
}

async function main(): Promise<void> {
  const stamp = Date.now().toString(36);
  const dir = mkdtempSync(path.join(tmpdir(), 'tradeflow-bench-'));
  const trailDir = path.join(dir, 'trails');
  const largest = SIZES[SIZES.length - 1]!;
  const submitConcurrency = configTakes({ timing: { submit_concurrency: 1 } }) ? CONCURRENCY : null;
  const workerRpm = configTakes({ execution: { broker_requests_per_minute: 1 } }) ? RPM ?? UNPACED_RPM : null;

  const simProcess = await startSimChild({
    port: 0, seed: Number(args.seed), equity: EQUITY, market: 'always-open', enforceRateLimit: false,
    // Symbols beyond the S&P 500 for large N; a simulator without the option ignores it.
    syntheticSymbols: Math.min(10_000, largest),
  });
  let server: RunningDevServer | undefined;
  let connection: Connection | undefined;
  let worker: WorkerChild | undefined;
  const sizes: SizeResult[] = [];
  const interrupt = () => {
    console.error('\ninterrupted: stopping the worker, the dev server and the simulator');
    void Promise.allSettled([worker?.stop(), server?.stop(), simProcess.stop()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const sim = new Broker(simProcess.url, simProcess.pid);
    await sim.init();
    const symbols = await universe(sim, stamp);
    const clock = (await (await fetch(`${sim.url}/v2/clock`, {
      headers: { 'APCA-API-KEY-ID': `BENCH-UNIVERSE-${stamp}`, 'APCA-API-SECRET-KEY': SECRET },
    })).json()) as { is_open: boolean; timestamp: string };
    if (!clock.is_open) {
      throw new Error(`the simulator's market is closed (${clock.timestamp}); the bench needs market hours, or a simulator with market: 'always-open'`);
    }
    const port = await findFreePort();
    server = await startDevServer({ port, headless: true, dbFile: path.join(dir, 'temporal.sqlite') });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });

    console.log(`execution bench: N = ${SIZES.join(', ')}; ${RUNS} run${RUNS > 1 ? 's' : ''} each; ${CONCURRENCY} submit lanes; poll ${POLL_SECONDS} s`);
    console.log(`simulator ${sim.url} (own process, always-open market, ${symbols.length} symbols, equity $${EQUITY.toLocaleString('en-US')} per account, `
      + `request counters ${sim.statsAvailable ? 'on' : 'n/a: no GET /admin/stats'}); dev server ${server.address} (SQLite, WAL); `
      + `trading date ${todayInNewYork()}`);
    console.log(`workflow submits: ${submitConcurrency !== null ? `timing.submit_concurrency = ${submitConcurrency}` : 'one by one (this version has no timing.submit_concurrency)'}; `
      + `machine: ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`broker request budget: ${RPM !== null
      ? `both paths paced at ${RPM} requests/min per account${workerRpm === null ? ' (this worker has no pacing: only the plain script is paced)' : ''}`
      : `none (plain unpaced; worker ${workerRpm !== null ? `execution.broker_requests_per_minute = ${workerRpm}` : 'has no pacing'}); --rpm 200 paces both as Alpaca would`}`);

    for (const n of SIZES) {
      const result: SizeResult = {
        n, signals: n, planned: null, rejectedByCode: {}, skipped: null, plain: { runs: [] }, workflow: { runs: [] },
      };
      sizes.push(result);
      if (n > symbols.length) {
        result.skipped = `the simulator has ${symbols.length} symbols (a simulator with the syntheticSymbols option has more)`;
        console.log(`\nN = ${n}: skipped: ${result.skipped}`);
        continue;
      }
      const signals: Signal[] = symbols.slice(0, n).map((symbol) => ({ symbol, strength: 1 }));
      const raw = rawConfig(n, trailDir, submitConcurrency, workerRpm);
      const config = parseExecutionConfig(raw);
      const sectors = sectorsFor(config);

      // The dry run: the plan of a fresh account, nothing sent (it also warms the planning code up). A plan the
      // activity refuses (PayloadTooLarge: more than a history may carry) can be traded by neither path.
      let dry: CompactDayPlan;
      try {
        dry = await new MockActivityEnvironment().run(
          plannerFor(config, sectors, simBroker(sim.url, `BENCH-${n}-dry-${stamp}`)).planTheDay, `dry${n}`,
          { runId: `bench-${n}-dry-${stamp}`, signals, tradingState: 'ACTIVE' as const, ordersSubmittedToday: 0 },
        );
      } catch (error) {
        const type = (error as { type?: unknown }).type;
        result.skipped = `the planning activity refuses the plan${typeof type === 'string' ? ` (${type})` : ''}: `
          + `${error instanceof Error ? error.message : String(error)}`;
        console.log(`\nN = ${n}: skipped: ${result.skipped}`);
        continue;
      }
      result.planned = plannedOrders(dry).length;
      for (const rejection of dry.rejected) result.rejectedByCode[rejection.code] = (result.rejectedByCode[rejection.code] ?? 0) + 1;
      const rejected = Object.entries(result.rejectedByCode).map(([code, k]) => `${k} ${code}`).join(', ');
      console.log(`\nN = ${n}: dry run plans ${result.planned} orders for ${n} signals${rejected ? ` (rejected: ${rejected})` : ''}`);

      // One worker per N (the config is N's); its accounts: a warm-up day and one per run.
      const accounts = [`b${n}w${stamp}`, ...Array.from({ length: RUNS }, (_, i) => `b${n}r${i + 1}${stamp}`)];
      const keyIdOf = (index: number) => (index === 0 ? `BENCH-${n}-warmup-${stamp}-B` : `BENCH-${n}-${index}-${stamp}-B`);
      const configFile = path.join(dir, `bench-${n}.yaml`);
      writeFileSync(configFile, toYaml({
        ...raw,
        accounts: accounts.map((name) => ({ name, key_id_env: `KEY_${name.toUpperCase()}`, secret_key_env: `SECRET_${name.toUpperCase()}` })),
      }));
      const keys = Object.fromEntries(accounts.flatMap((name, index) => [
        [`KEY_${name.toUpperCase()}`, keyIdOf(index)], [`SECRET_${name.toUpperCase()}`, SECRET],
      ]));
      worker = await startWorker(configFile, keys, server.address, sim.url);
      try {
        await clearOfBoundaries();
        const warm = await runWorkflow(sim, client, server, worker, accounts[0]!, keyIdOf(0), signals.slice(0, WARM_UP_SIGNALS));
        console.log(`  warm-up day (${WARM_UP_SIGNALS} signals, not counted): ${warm.status} in ${seconds(warm.doneS)} s`);
        for (let run = 1; run <= RUNS; run++) {
          await clearOfBoundaries();
          try {
            const plain = await runPlain(sim, n, run, stamp, signals, config, sectors);
            result.plain.runs.push(plain);
            console.log(`  run ${run} plain:    ${progress(plain)}`);
          } catch (error) {
            console.log(`  run ${run} plain:    FAILED ${error instanceof Error ? error.message : String(error)}`);
          }
          try {
            const day = await runWorkflow(sim, client, server, worker, accounts[run]!, keyIdOf(run), signals);
            result.workflow.runs.push(day);
            console.log(`  run ${run} workflow: ${progress(day)}`);
          } catch (error) {
            console.log(`  run ${run} workflow: FAILED ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      } finally {
        await worker.stop();
        worker = undefined;
      }
      printSize(result, sim.statsAvailable);
    }

    printSummary(sizes);
    const summary = {
      bench: 'execution', at: new Date().toISOString(), runs: RUNS, concurrency: CONCURRENCY, workflowSubmitConcurrency: submitConcurrency,
      pollSeconds: POLL_SECONDS, equity: EQUITY, requestsPerMinute: RPM, workerRequestsPerMinute: workerRpm, statsAvailable: sim.statsAvailable,
      sizes: sizes.map((size) => ({
        n: size.n, planned: size.planned, rejectedByCode: size.rejectedByCode, skipped: size.skipped,
        plain: medians(size.plain), workflow: medians(size.workflow),
      })),
    };
    if (args.json) {
      writeFileSync(args.json, `${JSON.stringify({ ...summary, runsDetail: sizes.map((size) => ({ n: size.n, plain: size.plain.runs, workflow: size.workflow.runs })) }, null, 2)}\n`);
      console.log(`\nfigures written to ${args.json}`);
      console.log(JSON.stringify(summary));
    }
  } finally {
    await worker?.stop().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await simProcess.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function progress(run: RunFigures): string {
  return `${run.status}, ${run.orders} orders, first ack ${seconds(run.firstAckS)} s, sent ${seconds(run.submittedS)} s, `
    + `filled ${seconds(run.filledS)} s, done ${seconds(run.doneS)} s`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${message} (${ms / 1000} s)`)), ms).unref())]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
