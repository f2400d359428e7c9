/**
 * The `tradeflow worker` process's Temporal Runtime: its logger (pino, through TemporalLogAdapter) and, when a port
 * is given, the Prometheus exporter of the SDK's metrics and tradeflow's own. Installed once, before any connection
 * or worker exists; tests that create workers in-process never call it (they install their own Runtime).
 */
import { Runtime, type TelemetryOptions } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { TemporalLogAdapter, type TradeflowLogLevel } from './logging';
import { BROKER_LATENCY_BUCKETS_MS, BROKER_LATENCY_METRIC, TradeflowMetrics } from './metrics';

export interface WorkerRuntimeOptions {
  logger: PinoLogger;
  level: TradeflowLogLevel;
  /** `host:port` of the Prometheus exporter (see metricsBindAddress); null: no metrics. */
  metricsAddress: string | null;
}

/** The exporter could not start (say the port is taken): the worker does not start without the metrics it was asked for. */
export class MetricsExporterError extends Error {
  override name = 'MetricsExporterError';
}

/** Installs the Runtime; answers tradeflow's metrics on its meter (null without an exporter). */
export function installWorkerRuntime(options: WorkerRuntimeOptions): { runtime: Runtime; metrics: TradeflowMetrics | null } {
  const telemetryOptions: TelemetryOptions = {
    // Core's own (native) messages come to the same log; below WARN they are chatty, so only at debug and trace.
    logging: { filter: { core: coreLevel(options.level), other: 'ERROR' }, forward: {} },
    ...(options.metricsAddress !== null
      ? { metrics: { prometheus: { bindAddress: options.metricsAddress, histogramBucketOverrides: { [BROKER_LATENCY_METRIC]: BROKER_LATENCY_BUCKETS_MS } } } }
      : {}),
  };
  let runtime: Runtime;
  try {
    runtime = Runtime.install({ logger: new TemporalLogAdapter(options.logger), telemetryOptions });
  } catch (error) {
    if (options.metricsAddress === null) throw error;
    throw new MetricsExporterError(`the metrics exporter could not listen on ${options.metricsAddress}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { runtime, metrics: options.metricsAddress !== null ? new TradeflowMetrics(runtime.metricMeter) : null };
}

function coreLevel(level: TradeflowLogLevel): 'WARN' | 'INFO' | 'DEBUG' {
  if (level === 'trace') return 'DEBUG';
  if (level === 'debug') return 'INFO';
  return 'WARN';
}
