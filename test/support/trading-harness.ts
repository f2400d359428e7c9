import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';
import { createRedactor } from '../../src/activities/redaction';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import { temporalAccountStateStore } from '../../src/operations/account-state';
import type { BrokerPort } from '../../src/broker/port';
import { parseExecutionConfig, type ExecutionConfig } from '../../src/config';
import { accountDeps, createTradingWorker, loadSectors, WORKFLOWS_PATH } from '../../src/worker';
import { simKeyId } from './referee';
import { getTestTemporal, startPrivateTemporal, type TestTemporal } from './temporal-server';
import { removeOnExit } from './temp-dir';

/** Real parts for integration tests: a Temporal server, the simulator over HTTP, one workflow bundle. */
export interface Harness {
  temporal: TestTemporal;
  sim: RunningSimulator;
  client: Client;
  bundle: WorkflowBundleWithSourceMap;
  close(): Promise<void>;
}

let runtimeInstalled = false;
const logLines: string[] = [];

/** Every line the SDK logged in this process (at WARN and above), for tests that scan the worker's log. */
export function harnessLogs(): string[] {
  return [...logLines];
}

/** A secret the test workers know and redact, as a real worker knows its Alpaca keys. */
export const HARNESS_SECRET = 'sk-harness-7f3a9c2e41d0';

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  /**
   * Start a private dev server that serves the Temporal Web UI (`harness.temporal.uiUrl`) instead of using the
   * shared headless one. Default false.
   */
  ui?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  if (!runtimeInstalled) {
    // Workers log every state change at INFO; tests want only warnings and errors.
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => {
        const line = `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message} ${safeJson(entry.meta)}`;
        logLines.push(line);
        process.stderr.write(`${line}\n`);
      }),
    });
    runtimeInstalled = true;
  }
  const temporal = options.ui ? await startPrivateTemporal({ ui: true }) : await getTestTemporal();
  const sim = await startSimulator({ port: 0, seed: 7 });
  const connection = await Connection.connect({ address: temporal.address });
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  return {
    temporal, sim, bundle,
    client: new Client({ connection, namespace: temporal.namespace }),
    async close() {
      await connection.close();
      await sim.close();
      await temporal.stop();
    },
  };
}

let counter = 0;

/** A fresh account (its own broker account at the simulator, its own workflow ids) and task queue per test. */
export function uniqueAccount(prefix = 't'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`.toLowerCase();
}

/** The test config: the defaults plus overrides, with short fill waits. */
export function testConfig(account: string, overrides: Record<string, Record<string, unknown>> = {}): ExecutionConfig {
  return parseExecutionConfig({
    ...overrides,
    execution: { account, ...overrides.execution },
    timing: { poll_interval_seconds: 0.5, max_fill_wait_minutes: 0.5, ...overrides.timing },
    // The worker's own report files of each test day, out of the working tree.
    reports: { report_dir: TEST_REPORT_DIR, ...overrides.reports },
  });
}

/** Where test workers write each day's report files. */
export const TEST_REPORT_DIR = removeOnExit(join(tmpdir(), `tradeflow-test-reports-${process.pid}`));

/** The simulator's broker for an account: each key id is its own account there. */
export function simBroker(harness: Harness, account: string): BrokerPort {
  return createAlpacaBroker({ keyId: keyIdFor(account), secretKey: 'test-secret', tradingUrl: harness.sim.url, dataUrl: harness.sim.url });
}

/** The simulator's key id of an account: each key id is its own account there. */
export const keyIdFor = simKeyId;

/** Runs `body` while a worker for `config`'s account serves `taskQueue`. */
export function withWorker<T>(
  harness: Harness, config: ExecutionConfig, taskQueue: string, body: () => Promise<T>, broker = simBroker(harness, config.execution.account),
): Promise<T> {
  return withAccountsWorker(harness, config, { [config.execution.account]: broker }, taskQueue, body);
}

/** Runs `body` while one worker trading every account in `brokers` serves `taskQueue`. */
export async function withAccountsWorker<T>(
  harness: Harness, config: ExecutionConfig, brokers: Record<string, BrokerPort>, taskQueue: string, body: () => Promise<T>,
): Promise<T> {
  const connection = await NativeConnection.connect({ address: harness.temporal.address });
  try {
    const worker = await createTradingWorker({
      connection, namespace: harness.temporal.namespace, taskQueue,
      deps: { ...accountDeps(config, brokers, temporalAccountStateStore(harness.client, taskQueue), sectors()), redact: createRedactor([HARNESS_SECRET, 'test-secret']) },
      workflowBundle: harness.bundle,
    });
    return await worker.runUntil(body);
  } finally {
    await connection.close();
  }
}

let sectorMap: Record<string, string> | undefined;
function sectors(): Record<string, string> {
  sectorMap ??= loadSectors();
  return sectorMap;
}

/** Every order the simulator ever took for an account: the referee for duplicates and lost orders. */
export async function simOrderLog(harness: Harness, account: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${harness.sim.url}/admin/orders?account=${encodeURIComponent(keyIdFor(account))}`);
  if (!response.ok) throw new Error(`admin orders: ${response.status}`);
  const body = (await response.json()) as unknown;
  return (Array.isArray(body) ? body : (body as { orders: Array<Record<string, unknown>> }).orders);
}

export async function simAdmin(harness: Harness, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${harness.sim.url}${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

const quietLogger = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: (message: string) => console.warn(message), error: (message: string) => console.error(message),
};

function safeJson(value: unknown): string {
  try {
    return value === undefined ? '' : JSON.stringify(value, (_key, item: unknown) => (item instanceof Error ? { message: item.message, stack: item.stack } : item));
  } catch {
    return '';
  }
}

/** An order as the simulator's admin log lists it (the fields tests read). */
export interface LoggedOrder { client_order_id: string; symbol: string; side: string; status: string; filled_qty: string }

/** Polls `check` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Sets a simulator account's margin multiplier through Alpaca's account configurations ('1' is a cash account). */
export async function setMarginMultiplier(simUrl: string, keyId: string, multiplier: '1' | '2' | '4'): Promise<void> {
  const response = await fetch(`${simUrl}/v2/account/configurations`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': 'test-secret' },
    body: JSON.stringify({ max_margin_multiplier: multiplier }),
  });
  if (!response.ok) throw new Error(`account configurations: ${response.status} ${await response.text()}`);
}

/** Buys about `dollars` of `symbol` at the market before a day and waits for the fill; answers the ask it was sized at. */
export async function buyDollars(harness: Harness, account: string, symbol: string, dollars: number): Promise<number> {
  const broker = simBroker(harness, account);
  const ask = (await broker.getLatestQuotes([symbol]))[symbol]!.ask;
  const qty = Math.floor(dollars / ask);
  await broker.submitOrder({ clientOrderId: `${account}-setup-${symbol}`, symbol, side: 'buy', type: 'market', timeInForce: 'day', qty });
  await waitUntil(async () => (await broker.getPositions()).some((p) => p.symbol === symbol && p.qty === qty), `the ${symbol} position`);
  return ask;
}
