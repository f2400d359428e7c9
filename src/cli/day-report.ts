/** `tradeflow report`: a finished day's report as a self-contained HTML page and its JSON. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DayReport } from '../contracts/day';
import { dailyWorkflowId } from '../names';
import { readDayReport } from '../operations/day-report';
import { reportFilePaths, writeDayReportFiles } from '../report/files';
import { loadSectors, sectorsFor } from '../worker';
import type { dailyTrading } from '../workflows';
import { accountOption, configOrExit, withClient, type DayOptions } from './context';
import { tradingDateOption } from './dates';
import { CliError, EXIT } from './errors';
import { cliLog } from './log';

export interface ReportOptions extends DayOptions {
  out?: string;
  open?: boolean;
}

/** `tradeflow report`: reads the finished day's result and writes `<out>/<workflowId>.json` and `.html`. */
export async function reportCommand(options: ReportOptions): Promise<void> {
  const config = configOrExit();
  const workflowId = dailyWorkflowId(accountOption(config, options.account), tradingDateOption(options.date));
  const dir = path.resolve(options.out ?? config.reports.report_dir);
  const report = await withClient((client) => finishedReport(client, workflowId, dir));
  let sectors: Record<string, string>;
  try {
    sectors = sectorsFor(config);
  } catch (error) {
    // The report only groups by sector: the bundled map does if the config's map file cannot be read.
    cliLog('warn', `report: the config's sector map is unavailable (${(error as Error).message}); using the bundled S&P 500 map`);
    sectors = loadSectors();
  }
  const files = writeDayReportFiles(report, { dir, sectors });
  console.log(files.json);
  console.log(files.html);
  if (options.open) openInBrowser(files.html);
}

/** The day's report from its result; a running day has none yet; a duplicate run shows the run that traded. */
async function finishedReport(client: Client, workflowId: string, dir: string, runId?: string): Promise<DayReport> {
  const handle = client.workflow.getHandle<typeof dailyTrading>(workflowId, runId);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') {
    throw new CliError(`${workflowId} is still running: its report is written when it ends (see tradeflow status)`, EXIT.failure);
  }
  if (description.status.name !== 'COMPLETED') {
    // A failed day has no result; the worker wrote its report when it failed (on the worker's machine).
    const written = reportFilePaths(dir, workflowId).json;
    if (existsSync(written)) return readDayReport(JSON.parse(readFileSync(written, 'utf8')) as DayReport);
    throw new CliError(`${workflowId} ended ${description.status.name.toLowerCase()} and has no result; the worker that ran it wrote its report `
      + `in its reports.report_dir (not found in ${dir}); see the day with: temporal workflow show --workflow-id ${workflowId}`, EXIT.failure);
  }
  const report = readDayReport(await handle.result());
  if (report.status === 'duplicate' && report.firstRun && report.firstRun.workflowId === workflowId && !runId) {
    return finishedReport(client, workflowId, dir, report.firstRun.runId);
  }
  return report;
}

/** Opens a file with the desktop's opener (xdg-open, or open on macOS), best effort: a failure is one line on stderr. */
function openInBrowser(file: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? null : 'xdg-open';
  if (!opener) {
    cliLog('info', `report: open ${file} in a browser`);
    return;
  }
  const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => cliLog('warn', `report: could not run ${opener} (${error.message}); open ${file} in a browser`));
  child.unref();
}
