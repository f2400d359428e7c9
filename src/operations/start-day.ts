import {
  WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client, type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { DailyTradingInput, DayReport } from '../contracts/day';
import { readDayReport } from './day-report';
import { parseDayInput } from '../domain/day-input';
import type { Signal } from '../domain/types';
import {
  DAILY_TRADING_WORKFLOW, dailyWorkflowId, TRADING_ACCOUNT, TRADING_DATE, TRADING_MODE, RUN_STATE,
} from '../names';
import type { dailyTrading } from '../workflows';

/** A handle of a day's workflow: its result is the day's report. */
export type DayHandle = WorkflowHandle<typeof dailyTrading>;

export interface StartDayRequest {
  account: string;
  tradingDate: string;
  signals: Signal[];
  mode: 'paper' | 'live';
  taskQueue: string;
  source?: string;
}

/** The day's input is not valid: nothing was started. The same checks and messages as the workflow's own. */
export class InvalidDayInput extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid input: ${problems.join('; ')}`);
    this.name = 'InvalidDayInput';
  }
}

/** A second start for an account and date that already ran (or runs). */
export class DayAlreadyStarted extends Error {
  constructor(readonly workflowId: string) {
    super(`a run for this account and date already exists: ${workflowId}`);
    this.name = 'DayAlreadyStarted';
  }
}

/**
 * Starts the day's workflow. Its id is the business key, so a second start for the same account and date is
 * refused; only a run that failed or was terminated may be started again (its orders are found, not resent).
 */
export async function startDay(client: Client, request: StartDayRequest): Promise<WorkflowHandleWithFirstExecutionRunId<typeof dailyTrading>> {
  const workflowId = dailyWorkflowId(request.account, request.tradingDate);
  const input: DailyTradingInput = {
    account: request.account, tradingDate: request.tradingDate, signals: request.signals, source: request.source,
  };
  const checked = parseDayInput(input);
  if (!checked.ok) throw new InvalidDayInput(checked.problems);
  try {
    return await client.workflow.start<typeof dailyTrading>(DAILY_TRADING_WORKFLOW, {
      workflowId,
      taskQueue: request.taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: [
        { key: TRADING_DATE, value: request.tradingDate },
        { key: TRADING_ACCOUNT, value: request.account },
        { key: TRADING_MODE, value: request.mode },
        { key: RUN_STATE, value: 'starting' },
      ],
      memo: { source: request.source ?? 'unknown', signals: request.signals.length },
      staticSummary: `Trade ${request.signals.length} signals for ${request.account} on ${request.tradingDate} (${request.mode})`,
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw new DayAlreadyStarted(workflowId);
    throw error;
  }
}

/** Waits for the day to end and returns its report, its long lists back in place. */
export async function dayResult(handle: DayHandle): Promise<DayReport> {
  return readDayReport(await handle.result());
}
