/** `tradeflow report`: a finished day's report as a self-contained HTML page and its JSON. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DayReport } from '../contracts/day';
import { dailyWorkflowId } from '../names';
import { readDayReport } from '../operations/day-report';
import { writeDayReportFiles } from '../report/files';
import { loadSectors, sectorsFor } from '../worker';
import type { dailyTrading } from '../workflows';
import { accountOption, configOrExit, withClient, type DayOptions } from './context';
import { tradingDateOption } from './dates';
import { CliError, EXIT } from './errors';

export interface ReportOptions extends DayOptions {
  out?: string;
  open?: boolean;
}

/** `tradeflow report`: reads the finished day's result and writes `<out>/<workflowId>.json` and `.html`. */
export async function reportCommand(options: ReportOptions): Promise<void> {
  const config = configOrExit();
  const workflowId = dailyWorkflowId(accountOption(config, options.account), tradingDateOption(options.date));
  const report = await withClient((client) => finishedReport(client, workflowId));
  let sectors: Record<string, string>;
  try {
    sectors = sectorsFor(config);
  } catch (error) {
    // The report only groups by sector: the bundled map does if the config's map file cannot be read.
    console.error(`report: the config's sector map is unavailable (${(error as Error).message}); using the bundled S&P 500 map`);
    sectors = loadSectors();
  }
  const files = writeDayReportFiles(report, { dir: path.resolve(options.out ?? 'reports'), sectors });
  console.log(files.json);
  console.log(files.html);
  if (options.open) openInBrowser(files.html);
}

/** The day's report from its result; a running day has none yet; a duplicate run shows the run that traded. */
async function finishedReport(client: Client, workflowId: string, runId?: string): Promise<DayReport> {
  const handle = client.workflow.getHandle<typeof dailyTrading>(workflowId, runId);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') {
    throw new CliError(`${workflowId} is still running: its report is written when it ends (see tradeflow status)`, EXIT.failure);
  }
  if (description.status.name !== 'COMPLETED') {
    throw new CliError(`${workflowId} ended ${description.status.name.toLowerCase()}; see it with: temporal workflow show --workflow-id ${workflowId}`, EXIT.failure);
  }
  const report = readDayReport(await handle.result());
  if (report.status === 'duplicate' && report.firstRun && report.firstRun.workflowId === workflowId && !runId) {
    return finishedReport(client, workflowId, report.firstRun.runId);
  }
  return report;
}

/** Opens a file with the desktop's opener (xdg-open, or open on macOS), best effort: a failure is one line on stderr. */
function openInBrowser(file: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? null : 'xdg-open';
  if (!opener) {
    console.error(`report: open ${file} in a browser`);
    return;
  }
  const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => console.error(`report: could not run ${opener} (${error.message}); open ${file} in a browser`));
  child.unref();
}
