import { Context, log } from '@temporalio/activity';
import type { ExecutionConfig } from '../config-schema';
import { alertBody, REDACTED_WEBHOOK, wantsAlert, type AlertEvent } from '../domain/alerts';
import type { ActivityDeps } from './deps';

/** How long one POST to the webhook may take (the `alert` activity kind allows 10 s an attempt). */
export const ALERT_POST_TIMEOUT_MS = 8_000;

/** What `sendAlert` did: posted (the webhook's status), or nothing because alerts are off or the kind is not wanted. */
export type AlertOutcome = { sent: true; status: number } | { sent: false; skipped: 'alerts off' | 'kind not subscribed' };

/**
 * The webhook answered a 4xx other than 408 and 429: the same body would be refused again. Thrown, it becomes an
 * ApplicationFailure of type `AlertRefused`, which the `alert` activity kind does not retry.
 */
export class AlertRefused extends Error {
  override name = 'AlertRefused';
}

/**
 * The config as the workflow receives it (it lands in the workflow's history): `alerts.webhook_url` may carry a
 * token, so it is replaced by a marker that only says one is set; `sendAlert` reads the URL from the worker's config.
 */
export function configForWorkflow(config: ExecutionConfig): ExecutionConfig {
  if (!config.alerts?.webhook_url) return config;
  return { ...config, alerts: { ...config.alerts, webhook_url: REDACTED_WEBHOOK } };
}

/** Alerts to the operator's webhook (`alerts` in the config). The URL never leaves this module: not in logs, not in errors. */
export function createAlertActivities({ config }: Pick<ActivityDeps, 'config'>, post: typeof fetch = fetch) {
  return {
    /**
     * Posts one alert, formatted as `alerts.format` says, with a timeout. A network error, a timeout, a 5xx, 408
     * or 429 fails the attempt (retried by the `alert` kind's policy); any other 4xx fails for good (AlertRefused).
     * With alerts off, or a kind not in `alerts.events`, it returns without sending.
     */
    async sendAlert(event: AlertEvent): Promise<AlertOutcome> {
      const settings = config.alerts;
      if (!settings?.webhook_url) return { sent: false, skipped: 'alerts off' };
      if (!wantsAlert(settings, event.kind)) return { sent: false, skipped: 'kind not subscribed' };
      const signals = [AbortSignal.timeout(ALERT_POST_TIMEOUT_MS)];
      const cancellation = activityCancellation();
      if (cancellation) signals.push(cancellation);
      let response: Response;
      try {
        response = await post(settings.webhook_url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'tradeflow-alerts' },
          body: JSON.stringify(alertBody(event, settings.format)),
          signal: AbortSignal.any(signals),
        });
      } catch (error) {
        // Never the error's own text: some runtimes quote the URL, which may carry the token.
        throw new Error(`the alert webhook could not be reached: ${fetchProblem(error)}`);
      }
      await response.body?.cancel().catch(() => undefined);
      const { status } = response;
      if (response.ok) {
        if (activityCancellation()) log.info('alert sent', { kind: event.kind, status });
        return { sent: true, status };
      }
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        throw new AlertRefused(`the alert webhook refused the alert: HTTP ${status} (check alerts.webhook_url and alerts.format)`);
      }
      throw new Error(`the alert webhook answered HTTP ${status}`);
    },
  };
}

/** The activity's cancellation, when running as an activity (unit tests call the function directly). */
function activityCancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/** A fetch failure in a few safe words: a timeout, or the system's error code (ECONNREFUSED...). */
function fetchProblem(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return error.name === 'TimeoutError' ? `no answer within ${ALERT_POST_TIMEOUT_MS / 1000} s` : 'cancelled';
  }
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  }
  return error instanceof Error ? error.name : 'unknown error';
}
