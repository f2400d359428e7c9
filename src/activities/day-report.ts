import { log } from '@temporalio/activity';
import type { DayReport } from '../contracts/day';
import { readDayReport } from '../operations/day-report';
import { writeDayReportFiles } from '../report/files';
import type { ActivityDeps } from './deps';

/** Where the worker wrote a day's report. */
export interface ReportFiles {
  json: string;
  html: string;
}

/** The day's report as files on the worker (`reports.report_dir`), written when the day ends. */
export function createDayReportActivities({ config, sectors }: Pick<ActivityDeps, 'config' | 'sectors'>) {
  return {
    /**
     * Writes `<workflowId>.json` and `<workflowId>.html` (self-contained, charts inline). A local activity: the
     * report travels in memory, never again through the history, which already holds it as the day's result.
     */
    async writeDayReport(report: DayReport): Promise<ReportFiles> {
      const files = writeDayReportFiles(readDayReport(report), { dir: config.reports.report_dir, sectors });
      log.info('day report written', { workflowId: report.workflowId, html: files.html });
      return files;
    },
  };
}
