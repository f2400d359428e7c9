import { log } from '@temporalio/workflow';
import { localActivities } from './activity-options';
import type { DayState } from './day-state';

/** Patch: the worker writes each day's report (JSON and HTML) when the day ends. */
export const REPORT_FILES_PATCH = 'report-files';

/**
 * Has the worker write the day's report files; the day's result names them. A report that cannot be written is
 * logged and never fails the day: `tradeflow report` builds the same files from the result. A duplicate run writes
 * nothing, or it would overwrite the report of the run that traded (both carry the same workflow id).
 */
export async function writeReportFiles(day: DayState): Promise<void> {
  if (day.phase === 'duplicate') return;
  try {
    day.reportFiles = await localActivities(`write the report of ${day.input.tradingDate}`).writeDayReport(day.report());
  } catch (error) {
    log.warn('the day report could not be written', { error: error instanceof Error ? error.message : String(error) });
  }
}
