import { isCancellation, log, sleep, workflowInfo } from '@temporalio/workflow';
import type { FinishDayRequest } from '../contracts/account';
import type { FetchedOrders, OrderRecord, SessionGuard, SubmitOutcome } from '../contracts/day';
import type { ExecutionConfig } from '../config-schema';
import { dailyLossBreach } from '../domain/daily-loss';
import { unpackOrderStates } from '../domain/order-state';
import type { Account, BrokerOrder, OrderIntent } from '../domain/types';
import { activities, FINAL_ERRORS, submitActivity, submitBatchActivity } from './activity-options';
import { dailyLossAlert } from './alerts';
import type { DayState } from './day-state';
import { describeIntent } from './wording';

/** The steps of a day that the main flow and the stop share. */

export type DailyLossRules = Pick<ExecutionConfig['risk_management'], 'max_daily_loss' | 'on_daily_loss_breach'>;

/** Longest gap between two fill checks: keeps a full day's polling far below Temporal's history limits. */
const MAX_POLL_INTERVAL_MS = 5 * 60_000;

/** Submits one intent; the outcome (order, refusal, unknown, session over) is recorded on the day. */
export async function submit(day: DayState, intent: OrderIntent, guard: SessionGuard | undefined, retryMinutes: number): Promise<void> {
  day.markAttempted(intent.clientOrderId);
  try {
    const order = await submitActivity(`submit ${describeIntent(intent)}`, retryMinutes)(day.input.account, intent, guard);
    day.applyBrokerOrder(order);
  } catch (error) {
    const detail = errorMessage(error);
    if (isCancellation(error)) {
      // The stop came while this submit was in flight: the broker may have it; the stop's sweep looks it up.
      if (day.tracksUnknownOrders) day.markUnknown(intent.clientOrderId, detail);
      throw error;
    }
    const type = failureType(error);
    if (day.tracksUnknownOrders && type === 'SessionOver') {
      day.markSessionOver([intent], detail);
    } else if (day.tracksUnknownOrders && !FINAL_ERRORS.includes(type ?? '')) {
      log.warn('order outcome unknown: it is looked up until the broker answers', { clientOrderId: intent.clientOrderId, detail });
      day.markUnknown(intent.clientOrderId, detail);
    } else {
      log.warn('order not submitted', { clientOrderId: intent.clientOrderId, detail });
      day.markSubmitFailed(intent.clientOrderId, intent.symbol, 'BROKER_REJECTED', detail);
    }
  }
  day.touch();
}

/** How a batch is sent: the same guard, lanes and retry budget as a single submit. */
export interface BatchSending {
  concurrency: number;
  guard: SessionGuard | undefined;
  retryMinutes: number;
  submittedAfter?: string;
}

/**
 * Submits a batch of intents in one activity; each outcome (order, refusal, session over, not sent) is recorded on
 * the day. When the activity fails or is cancelled without answering, the batch's orders are `unknown` and looked
 * up by client order id, as a single submit's would be.
 */
export async function submitBatch(day: DayState, intents: OrderIntent[], sending: BatchSending): Promise<void> {
  for (const intent of intents) day.markAttempted(intent.clientOrderId);
  const first = intents[0]!;
  // A few orders are named in full in the UI's timeline; a larger batch by count and its first symbols.
  const summary = intents.length <= 3
    ? `submit ${intents.map(describeIntent).join(', ')}`
    : `submit ${intents.length} ${first.side} orders (${intents.map((intent) => intent.symbol).slice(0, 5).join(', ')}${intents.length > 5 ? ', ...' : ''})`;
  try {
    const outcomes = await submitBatchActivity(summary, sending.retryMinutes)(day.input.account, {
      intents, concurrency: sending.concurrency, submittedAfter: sending.submittedAfter ?? new Date(0).toISOString(),
      ...(sending.guard ? { guard: sending.guard } : {}),
    });
    const byId = new Map(intents.map((intent) => [intent.clientOrderId, intent]));
    for (const outcome of outcomes) applyOutcome(day, byId.get(outcome.clientOrderId)!, outcome);
  } catch (error) {
    const detail = errorMessage(error);
    const type = failureType(error);
    const unanswered = intents.filter((intent) => day.isUnsubmitted(intent.clientOrderId));
    if (!isCancellation(error) && FINAL_ERRORS.includes(type ?? '')) {
      log.warn('batch not submitted', { orders: unanswered.length, detail });
      for (const intent of unanswered) day.markSubmitFailed(intent.clientOrderId, intent.symbol, 'BROKER_REJECTED', detail);
    } else {
      log.warn('batch outcome unknown: its orders are looked up until the broker answers', { orders: unanswered.length, detail });
      for (const intent of unanswered) day.markUnknown(intent.clientOrderId, detail);
    }
    if (isCancellation(error)) throw error;
  }
  day.touch();
}

function applyOutcome(day: DayState, intent: OrderIntent, outcome: SubmitOutcome): void {
  if ('order' in outcome) day.applyBrokerOrder(outcome.order);
  else if ('sessionOver' in outcome) day.markSessionOver([intent], outcome.sessionOver);
  else if ('notSent' in outcome) day.markNotSent(intent.clientOrderId);
  else {
    log.warn('order not submitted', { clientOrderId: intent.clientOrderId, detail: outcome.refused.message });
    day.markSubmitFailed(intent.clientOrderId, intent.symbol, 'BROKER_REJECTED', outcome.refused.message);
  }
}

/**
 * Polls with growing durable sleeps until every order in `waitingFor` is final or the cutoff comes; `watch` runs
 * after each check (the intraday risk checks).
 */
export async function trackFills(
  day: DayState, submittedAfter: string, cutoff: number, firstIntervalMs: number,
  options: { watch?: () => Promise<void>; waitingFor?: () => OrderRecord[] } = {},
): Promise<void> {
  const waitingFor = options.waitingFor ?? (() => day.openOrders());
  let intervalMs = firstIntervalMs;
  while (waitingFor().length > 0 && Date.now() < cutoff) {
    const waitMs = Math.max(Math.min(intervalMs, cutoff - Date.now()), 1);
    await sleep(waitMs, { summary: `wait ${Math.round(waitMs / 1000)}s for ${waitingFor().length} open orders to fill` });
    await refreshOrders(day, submittedAfter);
    if (options.watch) await options.watch();
    intervalMs = Math.min(intervalMs * 2, MAX_POLL_INTERVAL_MS);
  }
}

/**
 * The intraday daily-loss check: re-reads the account's equity; on a breach of max_daily_loss the day moves to
 * on_daily_loss_breach and cancels its open orders (HALTED) or the risk-increasing ones (REDUCING). Once a day.
 */
export async function watchDailyLoss(day: DayState, risk: DailyLossRules, holdings: Record<string, number>): Promise<void> {
  if (day.dailyLoss) return;
  const { account } = day.input;
  await actOnDailyLoss(day, risk, holdings, await activities('broker', `read the equity of ${account} for the daily loss limit`).getAccount(account));
}

/** Acts on the account's equity as just read: a breach of max_daily_loss moves the day and cancels what it must. */
export async function actOnDailyLoss(day: DayState, risk: DailyLossRules, holdings: Record<string, number>, now: Account): Promise<void> {
  const { account } = day.input;
  const breach = dailyLossBreach(now, risk.max_daily_loss);
  if (!breach || day.dailyLoss) return;
  const toCancel = day.breachDailyLoss(breach, risk.on_daily_loss_breach, holdings);
  log.warn('daily loss limit breached', { detail: breach.detail, tradingState: day.tradingState, cancelling: toCancel.length });
  const brokerIds = toCancel.filter((order) => order.brokerOrderId !== null).map((order) => order.brokerOrderId!);
  const cancelling = brokerIds.length > 0
    ? activities('broker', `cancel ${brokerIds.length} open orders after the daily loss breach`).cancelOrders(account, brokerIds)
    : null;
  // After the cancels are on their way, in the background: the day never waits for the webhook.
  day.alerts.fire(dailyLossAlert(day));
  if (cancelling) await cancelling;
}

/** After a day that breached max_daily_loss: halts the account for later days when the config says so. */
export async function haltAccountAfterLoss(day: DayState): Promise<void> {
  const { account } = day.input;
  await activities('account', `halt account ${account} after the daily loss breach`)
    .haltAccount(account, `DAILY_LOSS_LIMIT on ${day.input.tradingDate}: ${day.dailyLoss!.detail}`, day.workflowId);
  day.markAccountHaltedForLoss();
}

/** Lookups of unknown orders in the close-out and the stop before one the broker does not know is given up. */
const UNKNOWN_LOOKUPS = 5;

/**
 * Looks up the orders whose submit outcome is unknown until the broker answers for each: one it holds is tracked
 * (and cancelled if still open); one it keeps saying it does not know, after the submit has ended, was never taken.
 */
export async function resolveUnknownOrders(day: DayState, submittedAfter: string): Promise<void> {
  for (let lookup = 1; day.unknownOrders().length > 0; lookup++) {
    await refreshOrders(day, submittedAfter, day.unknownOrders().map((order) => order.clientOrderId));
    await cancelLeftovers(day);
    if (day.unknownOrders().length === 0) break;
    if (lookup >= UNKNOWN_LOOKUPS) {
      day.markNotAtBroker(day.unknownOrders().map((order) => order.clientOrderId));
      break;
    }
    await sleep(1000 * 2 ** lookup, { summary: `look up ${day.unknownOrders().length} orders whose submit outcome is unknown` });
  }
}

/** Reads the broker's state of the day's orders (by client order id); `ids` defaults to those it may hold. */
export async function refreshOrders(day: DayState, submittedAfter: string, ids = day.submittedClientOrderIds()): Promise<void> {
  if (ids.length === 0) return;
  const fetched: FetchedOrders | BrokerOrder[] = await activities('broker', `check ${ids.length} orders`).fetchOrders(day.input.account, ids, submittedAfter);
  // Days recorded before the pacing figures got a bare list.
  const orders = Array.isArray(fetched) ? fetched : unpackOrderStates(fetched);
  if (!Array.isArray(fetched) && fetched.pacing) day.pacing = fetched.pacing;
  for (const order of orders) day.applyBrokerOrder(order);
  day.touch();
}

/** Cancels the day's open orders; returns the broker ids asked to cancel. */
export async function cancelLeftovers(day: DayState): Promise<string[]> {
  const open = day.openOrders().filter((order) => order.brokerOrderId !== null);
  if (open.length === 0) return [];
  return activities('broker', `cancel ${open.length} unfilled orders`)
    .cancelOrders(day.input.account, open.map((order) => order.brokerOrderId!));
}

/** Patch: the close-out and the stop wait (briefly) for their cancels to settle at the broker before they report. */
export const SETTLE_CANCELS_PATCH = 'settle-cancels';

/** Checks after a cancel before the day reports what it asked to cancel as still pending. */
const SETTLE_CHECKS = 6;

/**
 * After its cancels, reads the day's orders until none the broker holds is still open (`pending_cancel`: Alpaca
 * answers a cancel at once and settles it later, and a fill can win the race), with short backing-off sleeps,
 * so the report and the reconciliation see how each order ended.
 */
export async function settleCancels(day: DayState, submittedAfter: string): Promise<void> {
  for (let check = 0; check < SETTLE_CHECKS; check++) {
    const pending = day.openOrders().filter((order) => order.brokerOrderId !== null);
    if (pending.length === 0) return;
    await sleep(250 * 2 ** check, { summary: `wait for ${pending.length} cancels to settle` });
    await refreshOrders(day, submittedAfter);
  }
}

/** Tells the account's ledger how the day's run ended (or that it stopped sending orders). */
export async function finishDay(day: DayState, status: FinishDayRequest['status']): Promise<void> {
  await activities('account', `record the day as ${status} in the ledger of account ${day.input.account}`)
    .finishTradingDay(day.input.account, { tradingDate: day.input.tradingDate, runId: workflowInfo().runId, status });
}

/** The ApplicationFailure type behind an activity failure (the thrown error's class name), if any. */
function failureType(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}

export function errorMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && 'cause' in current && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
