import {
  ParentClosePolicy, startChild, WorkflowIdReusePolicy, log,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DailyTradingInput } from '../contracts/day';
import type { ScheduledDayInput, ScheduledDayResult } from '../contracts/scheduled-day';
import { newYorkDate } from '../domain/market-time';
import {
  DAILY_TRADING_WORKFLOW, dailyWorkflowId, RUN_STATE, TRADING_ACCOUNT, TRADING_DATE, TRADING_MODE,
} from '../names';
import { activities } from './activity-options';
import type { dailyTrading } from './daily-trading';

/**
 * What a schedule starts each market morning: read the signals the signal job left, then start the day under its
 * business id. A day the signal job already started is left alone, so the two never both trade.
 */
export async function scheduledTradingDay(input: ScheduledDayInput): Promise<ScheduledDayResult> {
  const tradingDate = newYorkDate(Date.now());
  const workflowId = dailyWorkflowId(input.account, tradingDate);
  const loaded = await activities('signalSource', 'read the day\'s signals from the configured source')
    .loadScheduledSignals(input.source, tradingDate);
  const dayInput: DailyTradingInput = { account: input.account, tradingDate, signals: loaded.signals, source: loaded.source };
  try {
    const child = await startChild<typeof dailyTrading>(DAILY_TRADING_WORKFLOW, {
      workflowId,
      args: [dayInput],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      // The day goes on if this launcher is terminated: it owns its orders.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: TRADING_DATE, value: tradingDate },
        { key: TRADING_ACCOUNT, value: input.account },
        { key: TRADING_MODE, value: input.mode },
        { key: RUN_STATE, value: 'starting' },
      ],
      memo: { source: loaded.source, signals: loaded.signals.length, scheduled: true },
      staticSummary: `Trade ${loaded.signals.length} signals for ${input.account} on ${tradingDate} (${input.mode}, scheduled)`,
    });
    const report = await child.result();
    return { workflowId, tradingDate, outcome: 'traded', status: report.status };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      log.info('the day was already started; not trading it twice', { workflowId });
      return { workflowId, tradingDate, outcome: 'already_started', status: null };
    }
    throw error;
  }
}
