import { CancellationScope, log, patched } from '@temporalio/workflow';
import {
  clip, wantsAlert, type AlertEvent, type AlertSettings, type DailyLossAlert, type DayStopAlert, type FailureAlert,
  type SummaryAlert,
} from '../domain/alerts';
import { activities } from './activity-options';
import type { DayState } from './day-state';
import { nowIso } from './time';

/**
 * Patch: days and the account's workflow send alerts (the `sendAlert` activity): a day's summary, a stop, a daily
 * loss breach, a failure; the account's halts and kill switch.
 */
export const ALERTS_PATCH = 'alerts';

/**
 * Sends a workflow's alerts. An alert never fails the workflow: the activity retries a few times (kind `alert`),
 * then the failure is logged. `fire` sends in the background, so trading never waits for a webhook; `settled`
 * waits for those in flight (before the workflow ends or continues as new). Each send runs in a non-cancellable
 * scope: a stop that cancels the trading does not cancel the alert about it.
 */
export class AlertSender {
  /** null: not known (a day that did not load its config, the account's workflow): the worker's config decides. */
  private settings: AlertSettings | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  /** What the workflow's config says (the URL itself is a marker there): a day sends only what is wanted. */
  configure(settings: AlertSettings | undefined): void {
    this.settings = settings ?? {};
  }

  /** Sends in the background; never throws. */
  fire(event: AlertEvent): void {
    const sending = this.send(event);
    this.inFlight.add(sending);
    void sending.then(() => this.inFlight.delete(sending));
  }

  /** Sends and waits for the answer (or the last failed attempt); never throws. */
  async send(event: AlertEvent): Promise<void> {
    if (this.settings && !wantsAlert(this.settings, event.kind)) return;
    // Every alert is a new activity in the workflow's commands: runs that started before alerts replay without them.
    if (!patched(ALERTS_PATCH)) return;
    try {
      await CancellationScope.nonCancellable(() => activities('alert', summaryOf(event)).sendAlert(event));
    } catch (error) {
      log.warn('alert not delivered', { kind: event.kind, error: messageOf(error) });
    }
  }

  /** Waits for the alerts sent in the background. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

function summaryOf(event: AlertEvent): string {
  switch (event.kind) {
    case 'summary': return `alert: ${event.tradingDate} ${event.status}`;
    case 'halt': return event.scope === 'day' ? `alert: ${event.tradingDate} stopped` : `alert: account ${event.account} halted`;
    case 'daily_loss': return `alert: daily loss limit breached on ${event.tradingDate}`;
    case 'failure': return `alert: ${event.tradingDate} failed`;
  }
}

function messageOf(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function dayRef(day: DayState) {
  return { account: day.input.account, tradingDate: day.input.tradingDate, workflowId: day.workflowId };
}

/** The day's summary, whatever phase it ended in. */
export function summaryAlert(day: DayState): SummaryAlert {
  const orders = day.orderList();
  const outcome = day.stopOutcome;
  return {
    kind: 'summary', ...dayRef(day), at: nowIso(),
    status: day.phase, reason: day.reason, tradingState: day.tradingState,
    signals: day.input.signals.length,
    orders: orders.length,
    filled: orders.filter((order) => order.status === 'filled').length,
    open: day.openOrders().length,
    rejected: day.rejected.length,
    dailyPl: day.pnl?.daily ?? null,
    equity: day.portfolio?.equity ?? null,
    stop: day.stop && outcome
      ? {
        reason: clip(day.stop.reason),
        canceledOrders: outcome.canceledOrderIds.length,
        sweptOrders: outcome.sweptOrders?.length ?? 0,
        closingOrders: outcome.closingOrders.length,
      }
      : null,
    dailyLoss: day.dailyLoss?.detail ?? null,
  };
}

/** The day was told to stop. */
export function dayStopAlert(day: DayState): DayStopAlert {
  const stop = day.stop!;
  return {
    kind: 'halt', scope: 'day', ...dayRef(day), at: stop.at, reason: clip(stop.reason), origin: stop.origin ?? 'direct',
    flatten: stop.flatten, phase: day.phase,
  };
}

/** Equity fell through max_daily_loss. */
export function dailyLossAlert(day: DayState): DailyLossAlert {
  const loss = day.dailyLoss!;
  return {
    kind: 'daily_loss', ...dayRef(day), at: loss.at, detail: loss.detail, plPct: loss.plPct, startEquity: loss.startEquity,
    equity: loss.equity, tradingState: loss.tradingState, cancelling: loss.canceledClientOrderIds.length,
  };
}

/** The day failed with `error`. */
export function failureAlert(day: DayState, error: unknown, phase = day.phase): FailureAlert {
  return { kind: 'failure', ...dayRef(day), at: nowIso(), phase, error: clip(messageOf(error)) };
}
