import {
  ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription,
} from '@temporalio/client';
import type { ScheduledDayInput } from '../contracts/scheduled-day';
import {
  SCHEDULED_DAY_WORKFLOW, scheduledDayWorkflowId, scheduleId, TRADING_ACCOUNT, TRADING_MODE,
} from '../names';
import type { scheduledTradingDay } from '../workflows';

export interface CreateScheduleRequest {
  account: string;
  mode: 'paper' | 'live';
  cron: string;
  timezone: string;
  /** The key of a signal source in the worker's config (`signal_sources`). */
  source: string;
  taskQueue: string;
}

/** Missed mornings older than this are skipped when the server comes back: stale signals never trade. */
export const SCHEDULE_CATCHUP_WINDOW = '10 minutes';

/**
 * Creates the account's schedule: each matching time starts `scheduledTradingDay`, which reads the signals and
 * starts the day under its business id. No overlap, a short catch-up window.
 */
export async function createTradingSchedule(client: Client, request: CreateScheduleRequest): Promise<string> {
  const input: ScheduledDayInput = { account: request.account, mode: request.mode, source: request.source };
  const handle = await client.schedule.create<typeof scheduledTradingDay>({
    scheduleId: scheduleId(request.account),
    spec: { cronExpressions: [request.cron], timezone: request.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULED_DAY_WORKFLOW,
      workflowId: scheduledDayWorkflowId(request.account),
      taskQueue: request.taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: TRADING_ACCOUNT, value: request.account }, { key: TRADING_MODE, value: request.mode }],
      staticSummary: `Scheduled trading day for ${request.account}`,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: SCHEDULE_CATCHUP_WINDOW },
    state: { note: `created by tradeflow for account ${request.account}` },
    memo: { cron: request.cron, signals: request.source },
  });
  return handle.scheduleId;
}

export function describeTradingSchedule(client: Client, account: string): Promise<ScheduleDescription> {
  return client.schedule.getHandle(scheduleId(account)).describe();
}

/** Pauses the account's schedule if it has one; false when there is none. */
export async function pauseTradingSchedule(client: Client, account: string, note: string): Promise<boolean> {
  return ifScheduleExists(() => client.schedule.getHandle(scheduleId(account)).pause(note));
}

/** The note a halt leaves on the paused schedule; a resume unpauses only a schedule paused this way. */
export const HALT_NOTE_PREFIX = 'halted by ';

/** Pauses the schedule for a halt, marking the pause as the halt's; a schedule already paused keeps its note. */
export function pauseScheduleForHalt(client: Client, account: string, by: string, reason: string): Promise<boolean> {
  return ifScheduleExists(async () => {
    const handle = client.schedule.getHandle(scheduleId(account));
    if (!(await handle.describe()).state.paused) await handle.pause(`${HALT_NOTE_PREFIX}${by}: ${reason}`);
  });
}

/** Unpauses the schedule if a halt paused it; a pause an operator made for another reason stays. */
export async function unpauseScheduleAfterHalt(client: Client, account: string, by: string): Promise<boolean> {
  return ifScheduleExists(async () => {
    const handle = client.schedule.getHandle(scheduleId(account));
    const { state } = await handle.describe();
    if (state.paused && state.note?.startsWith(HALT_NOTE_PREFIX)) await handle.unpause(`resumed by ${by}`);
  });
}

export async function unpauseTradingSchedule(client: Client, account: string, note: string): Promise<boolean> {
  return ifScheduleExists(() => client.schedule.getHandle(scheduleId(account)).unpause(note));
}

export async function deleteTradingSchedule(client: Client, account: string): Promise<boolean> {
  return ifScheduleExists(() => client.schedule.getHandle(scheduleId(account)).delete());
}

async function ifScheduleExists(action: () => Promise<void>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}
