/**
 * Helpers for the cluster test: the cluster of scripts/cluster.sh (PostgreSQL, Temporal server, UI), tradeflow
 * workers as separate processes, and the simulator's order log as the referee.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunningSimulator } from 'alpaca-sim';
import type { DayReport } from '../../src/contracts/day';
import { judgeOrderLog, simKeyId, simOrders, type OrderLogVerdict } from '../support/referee';

export { simOrders };

const run = promisify(execFile);

export const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'cluster.sh');
export const BIN = path.join(ROOT, 'bin', 'tradeflow.cjs');
/** The cluster's folder (PID files, data, logs), as scripts/cluster.sh picks it. */
const CLUSTER_DIR = process.env.TRADEFLOW_CLUSTER_DIR || path.join(ROOT, '.tradeflow', 'cluster');

/** Runs `scripts/cluster.sh <args>`; answers its stdout. */
export async function clusterScript(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [SCRIPT, ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 });
  return stdout;
}

/** The cluster's connection settings, as `scripts/cluster.sh env` prints them. */
export async function clusterSettings(): Promise<{ address: string; namespace: string; uiUrl: string }> {
  const text = await clusterScript('env');
  const env = Object.fromEntries([...text.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  return { address: env.TEMPORAL_ADDRESS!, namespace: env.TEMPORAL_NAMESPACE!, uiUrl: /^# Temporal UI: (\S+)$/m.exec(text)![1]! };
}

/**
 * Writes `<dir>/cluster.yaml` for workers trading `accounts` (each its own simulator account, keys in the
 * environment by name) and answers the workers' environment for the cluster and the simulator.
 */
export function workerSetup(
  dir: string, accounts: string[], cluster: { address: string; namespace: string }, simUrl: string, taskQueue: string,
  extra: string[] = [],
): NodeJS.ProcessEnv {
  writeFileSync(path.join(dir, 'cluster.yaml'), `${[
    'timing:', '  poll_interval_seconds: 0.5', '  max_fill_wait_minutes: 1', '  submit_concurrency: 2',
    'reports:', `  trail_dir: ${path.join(dir, 'trails')}`, `  report_dir: ${path.join(dir, 'reports')}`,
    ...extra,
    'accounts:', ...accounts.flatMap((name) => [`  - name: ${name}`, `    key_id_env: KEY_${name.toUpperCase()}`, `    secret_key_env: SECRET_${name.toUpperCase()}`]),
  ].join('\n')}\n`);
  return {
    ...Object.fromEntries(accounts.flatMap((name) => [[`KEY_${name.toUpperCase()}`, simKeyId(name)], [`SECRET_${name.toUpperCase()}`, 'cluster']])),
    TEMPORAL_ADDRESS: cluster.address, TEMPORAL_NAMESPACE: cluster.namespace, TRADEFLOW_TASK_QUEUE: taskQueue,
    TRADEFLOW_CONFIG: path.join(dir, 'cluster.yaml'), APCA_API_BASE_URL: simUrl, APCA_API_DATA_URL: simUrl,
  };
}

/** CPU seconds (user + system) of a process and its direct children (PostgreSQL's backends), from /proc. */
export function treeCpuSeconds(pid: number): number | null {
  let own: number;
  try {
    // utime, stime, and cutime, cstime: the CPU of backends that have exited.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    own = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
  let children = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      if (Number(fields[1]) === pid) children += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
    } catch {
      // gone meanwhile
    }
  }
  return own + children;
}

/** PostgreSQL's postmaster PID, from the cluster's data directory. */
export function postgresPid(): number | null {
  try {
    return Number(readFileSync(path.join(CLUSTER_DIR, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a live process has used, from /proc; null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    // After "pid (comm) ": state is field 0, utime 11, stime 12 (clock ticks, 100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The Temporal server's PID, from the cluster's PID file. */
export function serverPid(): number | null {
  try {
    return Number(readFileSync(path.join(CLUSTER_DIR, 'run', 'temporal-server.pid'), 'utf8').trim());
  } catch {
    return null;
  }
}

/** A `tradeflow worker` process; its log goes to `<dir>/worker-<n>.log`. */
export class WorkerProcess {
  readonly process: ChildProcess;
  readonly log: string;
  cpuAtExit: number | null = null;
  private readonly exited: Promise<void>;

  constructor(readonly n: number, dir: string, env: NodeJS.ProcessEnv) {
    this.log = path.join(dir, `worker-${n}.log`);
    const out = createWriteStream(this.log);
    this.process = spawn(process.execPath, [BIN, 'worker', '--log-format', 'json', '--log-level', 'warn'], {
      cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process.stdout!.pipe(out);
    this.process.stderr!.pipe(out);
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** The identity the SDK gives this worker by default (`pid@hostname`): pending activities name it. */
  isIdentity(identity: string): boolean {
    return identity.startsWith(`${this.pid}@`);
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }

  /** SIGTERM (the worker finishes in-flight activities) and waits for the exit; records its CPU time first. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.cpuAtExit = cpuSeconds(this.pid);
    this.process.kill('SIGTERM');
    await this.exited;
  }
}

export async function simAdmin(sim: RunningSimulator, method: string, route: string, body?: unknown): Promise<void> {
  const response = await fetch(`${sim.url}${route}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
}

export interface Verdict extends Omit<OrderLogVerdict, 'afterStop'> {
  account: string;
  status: string;
}

/** The day's report against the simulator's own order log (test/support/referee.ts, as bench/chaos.ts judges). */
export async function referee(sim: RunningSimulator, account: string, report: DayReport): Promise<Verdict> {
  const { afterStop: _none, ...verdict } = judgeOrderLog(report.orders, await simOrders(sim, account));
  return { account, status: report.status, ...verdict };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it answers a value (not undefined); fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms).unref())]);
}
