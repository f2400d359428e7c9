import type { ActivityDeps } from './deps';
import { createAccountActivities } from './account';
import { createAlertActivities } from './alerts';
import { createDayReportActivities } from './day-report';
import { createFillActivities } from './fills';
import { createOrderActivities } from './orders';
import { createPlanningActivities } from './planning';
import { createScheduledSignalActivities } from './scheduled-signals';
import { createSnapshotActivities } from './snapshot';

export type { ActivityDeps } from './deps';

/** All activities of the worker, bound to their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSnapshotActivities(deps),
    ...createPlanningActivities(deps),
    ...createOrderActivities(deps),
    ...createFillActivities(deps),
    ...createAccountActivities(deps),
    ...createScheduledSignalActivities(deps),
    ...createAlertActivities(deps),
    ...createDayReportActivities(deps),
  };
}

/** The activity interface workflows proxy (types only). */
export type Activities = ReturnType<typeof createActivities>;
