import {
  ActivityCancellationType, proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FINAL_BROKER_ERRORS } from '../broker/errors';

/** Default of `timing.submit_retry_minutes`, for configs recorded before it existed and for the legacy stop. */
export const DEFAULT_SUBMIT_RETRY_MINUTES = 20;

/** Failures that retrying cannot change: the broker's final answers and tradeflow's own refusals. */
export const FINAL_ERRORS = [...FINAL_BROKER_ERRORS, 'InvalidInput', 'UnknownAccount', 'SessionOver'];

/**
 * The kinds of work an activity does, each with the timeouts and retries its failures call for. Retry policies
 * and timeouts are not part of a workflow's commands: changing them never breaks the replay of a running day.
 */
export const ACTIVITY_OPTIONS = {
  /**
   * A broker call: short attempts, retried with backoff for up to 20 minutes unless the broker gave a final
   * answer. A flaky broker slows a day down; only one that stays down that long fails it.
   */
  broker: {
    startToCloseTimeout: '30 seconds',
    // Workers heartbeat every 2 s while an activity runs (activities/heartbeat.ts): a dead worker is noticed fast.
    heartbeatTimeout: '8 seconds',
    scheduleToCloseTimeout: '20 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_ERRORS },
  },
  /**
   * A read the worker answers from what it holds (the execution config) or over the Temporal server (the
   * account's trading state): it answers in milliseconds or not at all, so a short budget of a few attempts.
   */
  localRead: {
    // No schedule-to-close: a worker outage, however long, must not fail the day; attempts are bounded instead.
    startToCloseTimeout: '10 seconds',
    retry: {
      initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5,
      nonRetryableErrorTypes: FINAL_ERRORS,
    },
  },
  /**
   * Planning: a broker snapshot (and the bars) followed by deterministic sizing and risk checks. Broker failures
   * are retried, but for minutes and a handful of attempts, not for 20 minutes: a failure of the planning code
   * itself repeats identically on every attempt.
   */
  planning: {
    // As for local reads: bounded by attempts, so a worker outage does not count against the budget.
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '8 seconds',
    retry: {
      initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5,
      nonRetryableErrorTypes: FINAL_ERRORS,
    },
  },
  /**
   * A change to the account's workflow or schedule through the Temporal server (claim a date, record how a day
   * ended, halt, pause or unpause the schedule): as patient as a broker call, since the ledger must hear it.
   */
  account: {
    startToCloseTimeout: '30 seconds',
    heartbeatTimeout: '8 seconds',
    scheduleToCloseTimeout: '20 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_ERRORS },
  },
  /** The account's kill switch, pulled from a day: it waits up to a minute for the account's other days. */
  killSwitch: {
    startToCloseTimeout: '3 minutes',
    heartbeatTimeout: '8 seconds',
    scheduleToCloseTimeout: '20 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_ERRORS },
  },
  /**
   * The fill watch: one long activity that follows the day's orders on the broker's stream until they are final
   * (its start-to-close is set per call, from the day's deadline). It heartbeats, so a dead worker is noticed in
   * seconds and another picks the watch up, reconciling over REST as it starts.
   */
  fillWatch: {
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '8 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_ERRORS },
  },
  /**
   * An alert to the operator's webhook: a few quick attempts (about 15 s of backoff in all), then the workflow logs
   * it and goes on. A webhook that refuses the alert (a 4xx other than 408 and 429) is not asked again.
   */
  alert: {
    startToCloseTimeout: '10 seconds',
    retry: {
      initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '8 seconds', maximumAttempts: 5,
      nonRetryableErrorTypes: ['AlertRefused'],
    },
  },
  /** A scheduled day's signals from a configured file or command: a few attempts (the job may still be writing). */
  signalSource: {
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['InvalidInput'] },
  },
} satisfies Record<string, ActivityOptions>;

/**
 * Work on the worker's own machine: the day's report files. A local activity, so its input (the whole report, which
 * the history already holds as the day's result) is not recorded a second time; only its answer is.
 */
export const LOCAL_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
} satisfies LocalActivityOptions;

export type ActivityKind = keyof typeof ACTIVITY_OPTIONS | 'local';

/** The kind of every activity: an activity added without one does not compile. */
type KindOf = EveryActivity<{
  getMarketClock: 'broker';
  takeSnapshot: 'broker';
  closingPortfolio: 'broker';
  submitOrder: 'broker';
  submitOrders: 'broker';
  fetchOrders: 'broker';
  cancelOrders: 'broker';
  cancelAllOpenOrders: 'broker';
  cancelOpenOrdersWithPrefix: 'broker';
  awaitNoOpenOrders: 'broker';
  getPositions: 'broker';
  getAccount: 'broker';
  awaitFills: 'fillWatch';
  loadExecutionConfig: 'localRead';
  readAccountState: 'localRead';
  planOrders: 'planning';
  planTheDay: 'planning';
  claimTradingDay: 'account';
  finishTradingDay: 'account';
  haltAccount: 'account';
  pauseScheduleForHalt: 'account';
  unpauseScheduleAfterHalt: 'account';
  stopAccount: 'killSwitch';
  loadScheduledSignals: 'signalSource';
  sendAlert: 'alert';
  writeDayReport: 'local';
}>;
type EveryActivity<K extends Record<keyof Activities, ActivityKind>> = K;

/** The activities of one kind. */
export type ActivitiesOf<K extends ActivityKind> = Pick<Activities, {
  [A in keyof Activities]: KindOf[A] extends K ? A : never
}[keyof Activities]>;

/** The activities of one kind, proxied with its options and a one-line summary the Temporal UI shows for the call. */
export function activities<K extends Exclude<ActivityKind, 'local'>>(kind: K, summary: string): ActivitiesOf<K> {
  return proxyActivities<Activities>({ ...ACTIVITY_OPTIONS[kind], summary });
}

/** The local activities, with the summary the Temporal UI shows for the call. */
export function localActivities(summary: string): ActivitiesOf<'local'> {
  return proxyLocalActivities<Activities>({ ...LOCAL_ACTIVITY_OPTIONS, summary });
}

/**
 * The order submits, broker calls. A cancelled day waits for an attempt in flight to finish instead of walking away
 * from it (the default TRY_CANCEL would): the kill switch sweeps only after every POST has been answered, so no
 * order can reach the broker after the stop. `retryMinutes` bounds how long a broker that does not answer is
 * retried; the order's outcome is then unknown and the day looks it up by client order id.
 */
function submitProxies(summary: string, retryMinutes: number): Activities {
  return proxyActivities<Activities>({
    ...ACTIVITY_OPTIONS.broker,
    summary,
    scheduleToCloseTimeout: `${Math.round(retryMinutes * 60)} seconds`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

/** One order (days before the batched-submits patch). */
export function submitActivity(summary: string, retryMinutes: number): Activities['submitOrder'] {
  return submitProxies(summary, retryMinutes).submitOrder;
}

/** A batch of orders (days on the batched-submits patch). */
export function submitBatchActivity(summary: string, retryMinutes: number): Activities['submitOrders'] {
  return submitProxies(summary, retryMinutes).submitOrders;
}
