/** A finished day's report, for `status`, `portfolio` and `report`: from its result, or from the worker's file. */
import { existsSync, readFileSync } from 'node:fs';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { DayReport } from '../contracts/day';
import { readDayReport } from '../operations/day-report';
import { reportFilePaths } from '../report/files';
import type { dailyTrading } from '../workflows';
import { CliError, EXIT } from './errors';

/**
 * The report of a day that ended: its result; for a duplicate run, the run that traded; for a failed day (no
 * result), the report its worker wrote in `reportDir` when this machine can read it.
 */
export async function finishedDayReport(
  client: Client, workflowId: string, reportDir: string, description: WorkflowExecutionDescription, runId?: string,
): Promise<DayReport> {
  if (description.status.name !== 'COMPLETED') {
    const written = reportFilePaths(reportDir, workflowId).json;
    if (description.status.name === 'FAILED' && existsSync(written)) {
      return readDayReport(JSON.parse(readFileSync(written, 'utf8')) as DayReport);
    }
    throw new CliError(`${workflowId} ended ${description.status.name.toLowerCase()} and has no result`
      + `${description.status.name === 'FAILED' ? ` (the worker that ran it wrote its report in its reports.report_dir, not found in ${reportDir})` : ''}; `
      + `see it with: temporal workflow show --workflow-id ${workflowId}`, EXIT.failure);
  }
  const handle = client.workflow.getHandle<typeof dailyTrading>(workflowId, runId);
  const report = readDayReport(await handle.result());
  if (report.status === 'duplicate' && report.firstRun && report.firstRun.workflowId === workflowId && !runId) {
    // A second start of a day that already traded ended at once: show the run that traded.
    const first = client.workflow.getHandle(workflowId, report.firstRun.runId);
    return finishedDayReport(client, workflowId, reportDir, await first.describe(), report.firstRun.runId);
  }
  return report;
}
