/**
 * The exactly-once proof: trading days run on a real Temporal dev server (SQLite file) and the simulator while
 * the worker is SIGKILLed at random points, the server is killed and restarted on its database file, the broker
 * fails, rate-limits, slows down and loses responses after committing orders, and the kill switch is pulled in
 * every phase while order POSTs are slow. The broker's order log is the referee: every intended order must exist
 * there exactly once, nothing else, and no order may be created after a stop answered.
 *
 *   npm run chaos                      (defaults: 24 worker kills, 3 server restarts, 6 faulty-broker days, 8 stops)
 *   node --import tsx bench/chaos.ts --kills 5 --restarts 1 --faulty 2 --stops 4
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { createRng, startSimulator, type RunningSimulator } from 'alpaca-sim';
import { temporalAccountStateStore } from '../src/operations/account-state';
import { dayResult, startDay } from '../src/operations/start-day';
import { todayInNewYork } from '../src/cli/dates';
import type { Signal } from '../src/domain/types';
import { findFreePort, startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import type { DayReport } from '../src/contracts/day';
import { emergencyStopUpdate, statusQuery } from '../src/workflows/messages';
import { judgeOrderLog, simOrders, type OrderLogVerdict } from '../test/support/referee';

const { values: args } = parseArgs({
  options: {
    kills: { type: 'string', default: '24' },
    restarts: { type: 'string', default: '3' },
    faulty: { type: 'string', default: '6' },
    stops: { type: 'string', default: '8' },
    seed: { type: 'string', default: '20261126' },
  },
});

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'tradeflow.cjs');
const TASK_QUEUE = 'chaos';
const SIGNALS: Signal[] = ['AAPL', 'MSFT', 'NVDA', 'JPM', 'XOM', 'KO', 'PG', 'UNH'].map((symbol, i) => ({ symbol, strength: 0.2 + 0.08 * i }));

interface Verdict extends OrderLogVerdict {
  trial: string;
  status: string;
  seconds: number;
}

class Chaos {
  private worker: ChildProcess | null = null;
  private readonly accounts: string[];
  /** Worker exits the chaos did not cause (a kill or a stop), each restarted as a process supervisor would. */
  readonly unexpectedExits: string[] = [];
  constructor(
    private readonly dir: string, private server: RunningDevServer, private readonly sim: RunningSimulator,
    private readonly client: Client, accountCount: number,
  ) {
    this.accounts = Array.from({ length: accountCount }, (_, i) => `chaos${i + 1}`);
    const config = [
      'timing:', '  poll_interval_seconds: 0.5', '  max_fill_wait_minutes: 2',
      'accounts:', ...this.accounts.flatMap((name) => [`  - name: ${name}`, `    key_id_env: KEY_${name.toUpperCase()}`, `    secret_key_env: SECRET_${name.toUpperCase()}`]),
    ].join('\n');
    writeFileSync(path.join(dir, 'chaos.yaml'), `${config}\n`);
  }

  account(index: number): string {
    return this.accounts[index]!;
  }

  startWorker(): void {
    const keys = Object.fromEntries(this.accounts.flatMap((name) => [[`KEY_${name.toUpperCase()}`, `KEY-${name.toUpperCase()}`], [`SECRET_${name.toUpperCase()}`, 'chaos']]));
    const log = openSync(path.join(this.dir, 'worker.log'), 'a');
    this.worker = spawn(process.execPath, [BIN, 'worker'], {
      env: {
        ...process.env, ...keys, TEMPORAL_ADDRESS: this.server.address, TRADEFLOW_TASK_QUEUE: TASK_QUEUE,
        TRADEFLOW_CONFIG: path.join(this.dir, 'chaos.yaml'), APCA_API_BASE_URL: this.sim.url, APCA_API_DATA_URL: this.sim.url,
      },
      // Every worker's log, appended in order, so a trial that goes wrong can be read afterwards.
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const started = this.worker;
    started.once('exit', (code, signal) => {
      if (this.worker !== started) return;
      // Not one of ours: the worker stopped by itself. Restarted, as compose's `restart: unless-stopped` would.
      const what = `the worker exited by itself (${signal ?? `code ${code}`}); see worker.log`;
      this.unexpectedExits.push(what);
      console.log(what);
      // A second later, as a supervisor would: not in a tight loop while the server is down.
      setTimeout(() => {
        if (this.worker === started) this.startWorker();
      }, 1000);
    });
  }

  killWorker(): void {
    const worker = this.worker;
    this.worker = null;
    worker?.kill('SIGKILL');
  }

  async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.kill('SIGTERM');
    });
  }

  async restartServer(port: number, dbFile: string, downMs: number): Promise<void> {
    this.server.process?.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.server = await startDevServer({ port, headless: true, dbFile });
  }

  async runDay(account: string, trial: string, disrupt: (handle: WorkflowHandle) => Promise<string | void>): Promise<Verdict> {
    const started = Date.now();
    const handle = await startDay(this.client, { account, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue: TASK_QUEUE, source: trial });
    const note = await disrupt(handle);
    if (note) trial = `${trial} in ${note}`;
    return this.judge(account, trial, handle, started, null);
  }

  /** Runs a day and pulls the kill switch in `phase`, by `entry`; the broker must create nothing after the answer. */
  async stopDay(account: string, trial: string, phase: string, jitterMs: number, entry: StopEntry, flatten: boolean): Promise<Verdict> {
    const started = Date.now();
    // Fills land within a second of each submit: a stop aimed at the wait for fills finds orders resting only when
    // the broker holds them (as a limit order's wait would).
    const holdFills = phase === 'awaiting_fills';
    const keyId = `KEY-${account.toUpperCase()}`;
    if (holdFills) await admin(this.sim, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyId });
    const handle = await startDay(this.client, { account, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue: TASK_QUEUE, source: trial });
    await waitForPhase(handle, phase);
    await sleep(jitterMs);
    const stoppedIn = await phaseOf(handle);
    const request = { reason: `chaos ${trial}`, flatten };
    let answeredAt: number | null = null;
    if (entry === 'tradeflow stop') {
      await temporalAccountStateStore(this.client, TASK_QUEUE).stop(account, { ...request, by: 'chaos' });
      answeredAt = Date.now();
    } else if (entry === 'day update') {
      await handle.executeUpdate(emergencyStopUpdate, { args: [request] });
      answeredAt = Date.now();
    } else {
      // A bare signal from another client: no answer; the day's own record of when its stop was done stands in.
      await this.client.workflow.getHandle(handle.workflowId).signal('emergencyStop');
    }
    if (holdFills) await admin(this.sim, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyId });
    return this.judge(account, `${trial} (${entry}${flatten ? ', flatten' : ''}) in ${stoppedIn}`, handle, started, answeredAt);
  }

  private async judge(account: string, trial: string, handle: WorkflowHandle, started: number, answeredAt: number | null): Promise<Verdict> {
    let report: DayReport | null = null;
    let status = 'completed';
    try {
      report = await withTimeout(dayResult(handle), 240_000);
      status = report.status;
    } catch (error) {
      status = 'failed';
      console.error(`${trial}: ${failureChain(error)}`);
    }
    const stoppedAt = answeredAt ?? (report?.stopOutcome ? Date.parse(report.stopOutcome.completedAt) : null);
    if (stoppedAt !== null) await sleep(2000);
    return { ...(await referee(this.sim, account, report, stoppedAt)), trial, status, seconds: (Date.now() - started) / 1000 };
  }
}

type StopEntry = 'tradeflow stop' | 'day update' | 'bare signal';
const STOP_ENTRIES: StopEntry[] = ['tradeflow stop', 'day update', 'bare signal'];

/** The day against the broker's order log (test/support/referee.ts). */
async function referee(
  sim: RunningSimulator, account: string, report: DayReport | null, stoppedAt: number | null,
): Promise<Omit<Verdict, 'trial' | 'status' | 'seconds'>> {
  return judgeOrderLog(report?.orders ?? [], await simOrders(sim, account), stoppedAt);
}

/** Phases the worker kills aim at; the kill lands up to 600 ms after the day enters it. */
const KILL_PHASES = ['starting', 'planning', 'submitting', 'awaiting_fills'] as const;
/** Phases the stops aim at, the same way. */
const STOP_PHASES = ['starting', 'planning', 'submitting', 'awaiting_fills'] as const;

async function phaseOf(handle: WorkflowHandle): Promise<string> {
  try {
    return (await withTimeout(handle.query(statusQuery), 2_000)).phase;
  } catch {
    return 'unknown';
  }
}

async function waitForPhase(handle: WorkflowHandle, target: string): Promise<void> {
  const order = ['starting', 'waiting_for_open', 'planning', 'submitting', 'awaiting_fills', 'closing_out', 'reconciling', 'completed'];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const phase = await phaseOf(handle);
    if (order.indexOf(phase) >= order.indexOf(target)) return;
    await sleep(25);
  }
}

function failureChain(error: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = (current as Error & { cause?: unknown }).cause) messages.push(current.message);
  return messages.join(' <- ');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no result after ${ms} ms`)), ms).unref())]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const kills = Number(args.kills);
  const restarts = Number(args.restarts);
  const faulty = Number(args.faulty);
  const stops = Number(args.stops);
  const random = createRng(Number(args.seed));
  const dir = mkdtempSync(path.join(tmpdir(), 'tradeflow-chaos-'));
  const dbFile = path.join(dir, 'temporal.sqlite');
  const port = await findFreePort();
  const server = await startDevServer({ port, headless: true, dbFile });
  const sim = await startSimulator({ port: 0, seed: Number(args.seed) });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const chaos = new Chaos(dir, server, sim, client, kills + restarts + faulty + stops);
  const verdicts: Verdict[] = [];
  const report = (verdict: Verdict) => {
    verdicts.push(verdict);
    console.log(`${verdict.trial.padEnd(40)} ${verdict.status.padEnd(10)} intended ${verdict.intended} at broker ${verdict.atBroker} duplicates ${verdict.duplicates} lost ${verdict.lost} phantom ${verdict.phantom} after stop ${verdict.afterStop} (${verdict.seconds.toFixed(1)} s)`);
  };
  let faultsInjected = 0;
  let account = 0;
  const killedIn: Record<string, number> = {};
  const stoppedIn: Record<string, number> = {};
  try {
    // Every broker call a little slow, so a day spans seconds and the kills land in every phase.
    await admin(sim, 'POST', '/admin/faults', { route: '*', kind: 'latency', latencyMs: 120, count: 0 });
    chaos.startWorker();
    for (let trial = 1; trial <= kills; trial++) {
      // Aim each kill at a phase in turn, with a random delay inside it, so every phase of a day is hit.
      const target = KILL_PHASES[(trial - 1) % KILL_PHASES.length]!;
      const jitterMs = Math.round(random() * 600);
      report(await chaos.runDay(chaos.account(account++), `worker SIGKILL #${trial}`, async (handle) => {
        await waitForPhase(handle, target);
        await sleep(jitterMs);
        const phase = await phaseOf(handle);
        chaos.killWorker();
        faultsInjected++;
        killedIn[phase] = (killedIn[phase] ?? 0) + 1;
        chaos.startWorker();
        return phase;
      }));
    }
    for (let trial = 1; trial <= restarts; trial++) {
      const delayMs = Math.round(500 + random() * 3000);
      report(await chaos.runDay(chaos.account(account++), `server kill+restart @${delayMs}ms #${trial}`, async () => {
        await sleep(delayMs);
        await chaos.restartServer(port, dbFile, 1500);
        faultsInjected++;
      }));
    }
    await admin(sim, 'DELETE', '/admin/faults');
    // Order POSTs slow (as a loaded broker's are): a stop often lands while one is on the wire.
    await admin(sim, 'POST', '/admin/faults', { route: 'POST /v2/orders', kind: 'latency', latencyMs: 700, count: 0 });
    await admin(sim, 'POST', '/admin/faults', { route: '*', kind: 'latency', latencyMs: 60, count: 0 });
    for (let trial = 1; trial <= stops; trial++) {
      const phase = STOP_PHASES[(trial - 1) % STOP_PHASES.length]!;
      const entry = STOP_ENTRIES[(trial - 1) % STOP_ENTRIES.length]!;
      // A stop aimed at the start lands at once: before the day claimed its date, or while it plans.
      const jitterMs = phase === 'starting' ? 0 : Math.round(random() * 600);
      const verdict = await chaos.stopDay(chaos.account(account++), `stop #${trial}`, phase, jitterMs, entry, trial % 2 === 0);
      stoppedIn[verdict.trial.split(' in ').pop()!] = (stoppedIn[verdict.trial.split(' in ').pop()!] ?? 0) + 1;
      report(verdict);
    }
    await admin(sim, 'DELETE', '/admin/faults');
    for (const rule of [
      { route: '*', kind: 'error-503', rate: 0.2, count: 0 },
      { route: '*', kind: 'rate-limit', rate: 0.05, count: 0 },
      { route: '*', kind: 'latency', rate: 0.3, latencyMs: 400, count: 0 },
      { route: 'POST /v2/orders', kind: 'lose-response', rate: 0.3, count: 0 },
    ]) await admin(sim, 'POST', '/admin/faults', rule);
    for (let trial = 1; trial <= faulty; trial++) {
      report(await chaos.runDay(chaos.account(account++), `faulty broker #${trial}`, async () => undefined));
    }
    const armed = (await (await fetch(`${sim.url}/admin/faults`)).json()) as unknown;
    const list = (Array.isArray(armed) ? armed : (armed as { faults: Array<{ hits: number }> }).faults) as Array<{ hits: number }>;
    faultsInjected += list.reduce((sum, fault) => sum + fault.hits, 0);
  } finally {
    await chaos.stopWorker().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await sim.close();
    await (chaos as unknown as { server: RunningDevServer }).server.stop();
    // Kept when a trial failed: its worker log and the server's database say what happened.
    if (verdicts.every((verdict) => verdict.status !== 'failed') && chaos.unexpectedExits.length === 0) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept for inspection: ${dir} (worker.log, temporal.sqlite)`);
  }
  const totals = {
    trials: verdicts.length,
    workerKills: kills,
    workerKillsByPhase: killedIn,
    serverRestarts: restarts,
    unexpectedWorkerExits: chaos.unexpectedExits.length,
    faultyBrokerDays: faulty,
    stops,
    stopsByPhase: stoppedIn,
    ordersAfterStop: sum(verdicts, 'afterStop'),
    faultsInjected,
    ordersIntended: sum(verdicts, 'intended'),
    ordersAtBroker: sum(verdicts, 'atBroker'),
    duplicates: sum(verdicts, 'duplicates'),
    lost: sum(verdicts, 'lost'),
    phantom: sum(verdicts, 'phantom'),
    runsCompleted: verdicts.filter((verdict) => verdict.status === 'completed').length,
    runsStopped: verdicts.filter((verdict) => verdict.status === 'stopped' || verdict.status === 'halted').length,
  };
  console.log(`\nchaos: ${JSON.stringify(totals)}`);
  console.log(`orders after stop: ${totals.ordersAfterStop}`);
  const ok = totals.duplicates === 0 && totals.lost === 0 && totals.phantom === 0 && totals.ordersAfterStop === 0
    && totals.runsCompleted === kills + restarts + faulty && totals.runsStopped === stops;
  console.log(ok ? 'exactly once: every intended order at the broker once, nothing else, nothing after a stop, every run completed or stopped' : 'FAILED');
  process.exitCode = ok ? 0 : 1;
}

function sum(verdicts: Verdict[], key: 'intended' | 'atBroker' | 'duplicates' | 'lost' | 'phantom' | 'afterStop'): number {
  return verdicts.reduce((total, verdict) => total + verdict[key], 0);
}

async function admin(sim: RunningSimulator, method: string, route: string, body?: unknown): Promise<void> {
  const response = await fetch(`${sim.url}${route}`, {
    method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
