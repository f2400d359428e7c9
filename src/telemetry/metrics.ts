/**
 * tradeflow's own metrics, through the Temporal SDK's metric meter: the Runtime's Prometheus exporter serves them on
 * the same `/metrics` page as the SDK's (`temporal_*`). Counters are created once per worker; the activity
 * interceptor (src/telemetry/activity.ts) and the broker adapter's `onRequest` feed them.
 */
import type { MetricCounter, MetricHistogram, MetricMeter } from '@temporalio/common';
import type { BrokerRequestEvent } from '../broker/alpaca';

/** `TRADEFLOW_METRICS_PORT` (or `--metrics-port`) is not a port nor `host:port`. */
export class MetricsConfigError extends Error {
  override name = 'MetricsConfigError';
}

/**
 * Where the Prometheus exporter listens: a port (`9464`, on 127.0.0.1), or `host:port` (`0.0.0.0:9464` in a
 * container); null when unset or empty (no exporter).
 */
export function metricsBindAddress(value: string | number | undefined): string | null {
  const given = value === undefined ? '' : String(value).trim();
  if (given === '') return null;
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(given);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port >= 1 && port <= 65_535)) {
    throw new MetricsConfigError(`--metrics-port (TRADEFLOW_METRICS_PORT): "${given}" is not a port (1-65535) nor host:port`);
  }
  return `${match[1] ?? '127.0.0.1'}:${port}`;
}

/** Latency buckets of broker requests, in ms: the exporter's default (50 ms and up) hides a fast broker. */
export const BROKER_LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 15_000];
export const BROKER_LATENCY_METRIC = 'tradeflow_broker_request_latency';

/** Remembers ids already counted, so an order read again by a later fill check (or a retry) counts once. */
class SeenOnce {
  private readonly seen = new Set<string>();
  constructor(private readonly limit = 100_000) {}

  first(id: string): boolean {
    if (this.seen.has(id)) return false;
    // A worker runs for weeks: forget everything rather than grow without bound (a recount is the lesser harm).
    if (this.seen.size >= this.limit) this.seen.clear();
    this.seen.add(id);
    return true;
  }
}

/** The worker's own metrics. Every series carries `account`. */
export class TradeflowMetrics {
  private readonly ordersSubmitted: MetricCounter;
  private readonly ordersFilled: MetricCounter;
  private readonly ordersRejected: MetricCounter;
  private readonly ordersNotSent: MetricCounter;
  private readonly riskRejections: MetricCounter;
  private readonly riskBreaches: MetricCounter;
  private readonly brokerErrors: MetricCounter;
  private readonly brokerLatency: MetricHistogram;
  private readonly submitted = new SeenOnce();
  private readonly filled = new SeenOnce();
  private readonly rejected = new SeenOnce();

  constructor(meter: MetricMeter) {
    this.ordersSubmitted = meter.createCounter('tradeflow_orders_submitted', 'orders', 'Orders the broker took (once per client order id), by side');
    this.ordersFilled = meter.createCounter('tradeflow_orders_filled', 'orders', 'Orders seen filled (once per client order id)');
    this.ordersRejected = meter.createCounter('tradeflow_orders_rejected', 'orders', 'Orders the broker refused, by reason (its error type, or status_rejected)');
    this.ordersNotSent = meter.createCounter('tradeflow_orders_not_sent', 'orders', 'Orders not sent: session_over or stopped');
    this.riskRejections = meter.createCounter('tradeflow_risk_rejections', 'symbols', 'Symbols the pre-trade checks refused, by code');
    this.riskBreaches = meter.createCounter('tradeflow_risk_breaches', 'breaches', 'Intraday risk limits breached, by kind (daily_loss)');
    this.brokerErrors = meter.createCounter('tradeflow_broker_errors', 'requests', 'Broker requests that failed, by route and error (NotFound included: a lookup that found nothing)');
    this.brokerLatency = meter.createHistogram(BROKER_LATENCY_METRIC, 'float', 'ms', 'Broker request latency by route (without the wait for the request budget)');
  }

  /** The broker adapter's `onRequest` for one account. */
  brokerObserver(account: string): (event: BrokerRequestEvent) => void {
    return (event) => {
      this.brokerLatency.record(event.durationMs, { account, route: event.route });
      if (event.error !== undefined) this.brokerErrors.add(1, { account, route: event.route, error: event.error });
    };
  }

  orderSubmitted(account: string, clientOrderId: string, side: string): void {
    if (this.submitted.first(clientOrderId)) this.ordersSubmitted.add(1, { account, side });
  }

  orderRejected(account: string, clientOrderId: string, reason: string): void {
    if (this.rejected.first(clientOrderId)) this.ordersRejected.add(1, { account, reason });
  }

  orderNotSent(account: string, reason: 'session_over' | 'stopped'): void {
    this.ordersNotSent.add(1, { account, reason });
  }

  /** An order state read from the broker: counts its fill (or the broker's later rejection) once. */
  orderSeen(account: string, clientOrderId: string, status: string): void {
    if (status === 'filled' && this.filled.first(clientOrderId)) this.ordersFilled.add(1, { account });
    if (status === 'rejected') this.orderRejected(account, clientOrderId, 'status_rejected');
  }

  riskRejected(account: string, code: string): void {
    this.riskRejections.add(1, { account, code });
  }

  riskBreached(account: string, kind: 'daily_loss'): void {
    this.riskBreaches.add(1, { account, kind });
  }
}
