import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FINAL_BROKER_ERRORS } from '../broker/errors';

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
    nonRetryableErrorTypes: [...FINAL_BROKER_ERRORS, 'InvalidInput', 'UnknownAccount'],
  },
};

/** Activities proxied with a one-line summary the Temporal UI shows for the call. */
export function activitiesWithSummary(summary: string): Activities {
  return proxyActivities<Activities>({ ...BROKER_CALL, summary });
}
