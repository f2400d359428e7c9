import { ActivityCancellationType, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FINAL_BROKER_ERRORS } from '../broker/errors';

/** Failures that retrying cannot change: the broker's final answers and tradeflow's own refusals. */
export const FINAL_ERRORS = [...FINAL_BROKER_ERRORS, 'InvalidInput', 'UnknownAccount', 'SessionOver'];

/**
 * Every broker call: short attempts, retried with backoff for up to 20 minutes unless the broker gave a final
 * answer. A flaky broker slows a day down; only one that stays down that long fails it.
 */
const BROKER_CALL: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  // Workers heartbeat every 2 s while an activity runs (activities/heartbeat.ts): a dead worker is noticed fast.
  heartbeatTimeout: '8 seconds',
  scheduleToCloseTimeout: '20 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: FINAL_ERRORS,
  },
};

/** Activities proxied with a one-line summary the Temporal UI shows for the call. */
export function activitiesWithSummary(summary: string): Activities {
  return proxyActivities<Activities>({ ...BROKER_CALL, summary });
}

/**
 * The order submit. A cancelled day waits for an attempt in flight to finish instead of walking away from it
 * (the default TRY_CANCEL would): the kill switch sweeps only after every POST has been answered, so no order can
 * reach the broker after the stop. `retryMinutes` bounds how long a broker that does not answer is retried; the
 * order's outcome is then unknown and the day looks it up by client order id.
 */
export function submitActivity(summary: string, retryMinutes: number): Activities['submitOrder'] {
  return proxyActivities<Activities>({
    ...BROKER_CALL,
    summary,
    scheduleToCloseTimeout: `${Math.round(retryMinutes * 60)} seconds`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  }).submitOrder;
}
