import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { createActivities, type ActivityDeps } from './activities';
import { heartbeatWhileRunning } from './activities/heartbeat';
import { createRedactor, redactActivityErrors } from './activities/redaction';
import { temporalAccountStateStore } from './operations/account-state';
import type { AccountStateStore } from './contracts/account';
import { accountsFromEnv, MissingAccountKeys, type AccountConnection } from './broker/accounts';
import { createAlpacaBroker } from './broker/alpaca';
import { endpointLogLines, EndpointError } from './broker/endpoints';
import type { BrokerPort } from './broker/port';
import { loadExecutionConfig, PROJECT_ROOT, type ExecutionConfig } from './config';
import { mergeSectorMaps, parseSectorCsv } from './domain/sectors';
import { temporalSettingsFromEnv, type TemporalSettings } from './env';
import { openClientConnection, openNativeConnection } from './temporal/connection';
import { CliError, EXIT } from './cli/errors';
import { activityTelemetry } from './telemetry/activity';
import { createLogger, loggingSettings, LoggingConfigError } from './telemetry/logging';
import { metricsBindAddress, MetricsConfigError, type TradeflowMetrics } from './telemetry/metrics';
import { installWorkerRuntime, MetricsExporterError } from './telemetry/runtime';

/** The workflow bundle's entry; the worker bundles it at start unless given a prebuilt bundle. */
export const WORKFLOWS_PATH = require.resolve('./workflows');

/** GICS sectors of the S&P 500, the risk manager's default sector map. */
export function loadSectors(file = path.join(PROJECT_ROOT, 'data', 'sp500-constituents.csv')): Record<string, string> {
  return parseSectorCsv(readFileSync(file, 'utf8'));
}

/** risk_management.sector_map_file could not be read or parsed: the worker does not start with limits it lacks. */
export class SectorMapError extends Error {
  override name = 'SectorMapError';
}

/**
 * The sector map a config trades with, built once at start: the bundled S&P 500 map, then
 * risk_management.sector_map_file over it (a CSV with the bundled file's Symbol and GICS Sector columns, its path
 * relative to the working directory like a signal source's file), then risk_management.sector_map over both.
 */
export function sectorsFor(config: ExecutionConfig, bundled: Record<string, string> = loadSectors()): Record<string, string> {
  const { sector_map_file: file, sector_map: inline } = config.risk_management;
  let fromFile: Record<string, string> | undefined;
  if (file !== undefined) {
    try {
      fromFile = loadSectors(path.resolve(file));
    } catch (error) {
      throw new SectorMapError(`risk_management.sector_map_file ${file}: ${(error as Error).message}`);
    }
  }
  return mergeSectorMaps(bundled, fromFile, inline);
}

/** Activity dependencies for the accounts this worker trades, each through its own broker. */
export function accountDeps(
  config: ExecutionConfig, brokers: Record<string, BrokerPort>, accountStates: AccountStateStore, sectors = sectorsFor(config),
): ActivityDeps {
  return {
    config,
    sectors,
    accountStates,
    brokerFor(requested) {
      const broker = brokers[requested];
      if (!broker) throw new UnknownAccount(`this worker does not trade account "${requested}" (it trades ${Object.keys(brokers).join(', ')})`);
      return broker;
    },
  };
}

/** Activity dependencies for one account trading through one broker. */
export function singleAccountDeps(
  config: ExecutionConfig, broker: BrokerPort, accountStates: AccountStateStore, sectors = sectorsFor(config),
): ActivityDeps {
  return accountDeps(config, { [config.execution.account]: broker }, accountStates, sectors);
}

/** A day for an account no worker trades: final, retrying cannot help. */
export class UnknownAccount extends Error {
  override name = 'UnknownAccount';
}

export interface TradingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests share one); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** tradeflow's own metrics (`tradeflow worker --metrics-port`); absent: none are counted. */
  metrics?: TradeflowMetrics | null;
}

/** A worker for the daily workflow and its activities. */
export function createTradingWorker(options: TradingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    interceptors: {
      activity: [
        heartbeatWhileRunning, ...(options.deps.redact ? [redactActivityErrors(options.deps.redact)] : []),
        // The account and client order id on every activity log line; the order counters when metrics are on.
        activityTelemetry(options.metrics ?? null),
      ],
    },
    // A day whose worker died resumes on another after 5 s rather than the default 10 s.
    stickyQueueScheduleToStartTimeout: '5 seconds',
    // Every activity a workflow task schedules comes back in the answer to its completion (eager dispatch, on by
    // default from server 1.32) instead of through the server's transfer queue and matching. One task schedules up
    // to timing.submit_concurrency submits (at most 32); with the default of 3 reservations about 30% of a day's
    // submits took the slow way, 7 to 15 ms each on the dev server (npm run bench). Bounded by free activity slots.
    maxEagerActivityReservationsPerWorkflowTask: 32,
    // A heartbeat reaches the server at most this long after the activity beats: a batch of submits beats before
    // every order, so a day's stop (an activity cancel, answered on a heartbeat) halts the batch within ~0.1 s
    // instead of the default 80% of the 8 s heartbeat timeout.
    maxHeartbeatThrottleInterval: '100 milliseconds',
    // In-flight broker calls finish before the process exits instead of being cut off mid-request.
    shutdownGraceTime: '20 seconds',
  });
}

/** `tradeflow worker`'s flags; each also has an environment variable (README, "Logs and metrics"). */
export interface WorkerFlags {
  /** A port or host:port for the Prometheus exporter (TRADEFLOW_METRICS_PORT); absent or empty: no metrics. */
  metricsPort?: string;
  /** trace, debug, info (default), warn, error (TRADEFLOW_LOG_LEVEL). */
  logLevel?: string;
  /** json, or human (the default on a terminal) (TRADEFLOW_LOG_FORMAT). */
  logFormat?: string;
}

/**
 * `tradeflow worker`: config and keys from the environment, runs until SIGINT/SIGTERM. It installs the process's
 * Temporal Runtime first (its structured log on stdout and, with a metrics port, the Prometheus exporter), so it
 * runs once per process.
 */
export async function runWorker(settings: TemporalSettings = temporalSettingsFromEnv(), flags: WorkerFlags = {}, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadExecutionConfig(env);
  let accounts: AccountConnection[];
  let sectors: Record<string, string>;
  let metricsAddress: string | null;
  let logging: ReturnType<typeof loggingSettings>;
  try {
    // `execution.mode` decides the hosts (src/broker/endpoints.ts); a refused combination stops the worker here.
    accounts = accountsFromEnv(config, env);
    sectors = sectorsFor(config);
    metricsAddress = metricsBindAddress(flags.metricsPort ?? env.TRADEFLOW_METRICS_PORT);
    logging = loggingSettings(flags, env);
  } catch (error) {
    if (error instanceof EndpointError || error instanceof MissingAccountKeys || error instanceof SectorMapError
      || error instanceof MetricsConfigError || error instanceof LoggingConfigError) {
      throw new CliError(error.message, EXIT.invalidInput);
    }
    throw error;
  }
  // Whatever an activity's error or a log line echoes (a broker, a signal command), the worker's keys never leave it.
  const redact = createRedactor(accounts.flatMap(({ connection: keys }) => [keys.secretKey, keys.keyId]).flatMap(withJsonEscaped));
  const logger = createLogger({ ...logging, redact });
  let metrics: TradeflowMetrics | null;
  try {
    ({ metrics } = installWorkerRuntime({ logger, level: logging.level, metricsAddress }));
  } catch (error) {
    if (error instanceof MetricsExporterError) throw new CliError(error.message, EXIT.failure);
    throw error;
  }
  for (const [index, line] of endpointLogLines(accounts).entries()) {
    // One line per account, then the live-trading warning when an account trades live.
    if (index < accounts.length) logger.info({ account: accounts[index]!.name }, line);
    else logger.warn(line);
  }
  const brokers = Object.fromEntries(accounts.map(({ name, connection }) => [
    name, createAlpacaBroker({ ...connection, ...(metrics ? { onRequest: metrics.brokerObserver(name) } : {}) }),
  ]));
  const connection = await openNativeConnection(settings);
  const clientConnection = await openClientConnection(settings).catch(async (error: unknown) => {
    await connection.close();
    throw error;
  });
  try {
    const accountStates = temporalAccountStateStore(new Client({ connection: clientConnection, namespace: settings.namespace }), settings.taskQueue);
    const worker = await createTradingWorker({
      connection, namespace: settings.namespace, taskQueue: settings.taskQueue,
      deps: { ...accountDeps(config, brokers, accountStates, sectors), redact },
      metrics,
    });
    const transport = transportOf(settings);
    const started = `tradeflow worker: accounts ${Object.keys(brokers).join(', ')} (${config.execution.mode}), task queue ${settings.taskQueue} at ${settings.address} (${transport})`;
    logger.info({
      accounts: Object.keys(brokers), mode: config.execution.mode, taskQueue: settings.taskQueue, address: settings.address,
      namespace: settings.namespace, transport, metrics: metricsAddress === null ? null : `http://${metricsAddress}/metrics`,
    }, started);
    // The same line, plain, on stderr when the log is JSON: what scripts (npm run bench) wait for before a day starts.
    if (logging.format === 'json') console.error(started);
    await worker.run();
    logger.info('tradeflow worker: stopped');
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

/** A secret and, when it differs, its form inside a JSON string (a quote or backslash in it is escaped there). */
function withJsonEscaped(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  return escaped === secret ? [secret] : [secret, escaped];
}

/** `plaintext`, `TLS`, `mTLS`, `TLS, API key`: how the worker reaches Temporal, never with what. */
function transportOf(settings: TemporalSettings): string {
  const connection = settings.connection;
  if (!connection?.tls) return 'plaintext';
  return [connection.clientCertificate ? 'mTLS' : 'TLS', ...(connection.apiKey ? ['API key'] : [])].join(', ');
}
