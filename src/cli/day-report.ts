/** `tradeflow report`: a finished day's report as a self-contained HTML page and its JSON. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DayReport } from '../contracts/day';
import { dailyWorkflowId } from '../names';
import { writeDayReportFiles } from '../report/files';
import { loadSectors, sectorsFor } from '../worker';
import { accountOption, configOrExit, withClient, type DayOptions } from './context';
import { tradingDateOption } from './dates';
import { CliError, EXIT } from './errors';
import { finishedDayReport } from './finished-day';
import { cliLog } from './log';

export interface ReportOptions extends DayOptions {
  out?: string;
  open?: boolean;
}

/** `tradeflow report`: reads the finished day's result and writes `<out>/<workflowId>.json` and `.html`. */
export async function reportCommand(options: ReportOptions): Promise<void> {
  const config = configOrExit();
  const workflowId = dailyWorkflowId(accountOption(config, options.account), tradingDateOption(options.date));
  const workerDir = path.resolve(config.reports.report_dir);
  const dir = path.resolve(options.out ?? workerDir);
  const report = await withClient((client) => finishedReport(client, workflowId, workerDir));
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

/** The day's report: a running day has none yet; a finished one from its result (or its worker's file, if it failed). */
async function finishedReport(client: Client, workflowId: string, dir: string): Promise<DayReport> {
  const description = await client.workflow.getHandle(workflowId).describe();
  if (description.status.name === 'RUNNING') {
    throw new CliError(`${workflowId} is still running: its report is written when it ends (see tradeflow status)`, EXIT.failure);
  }
  return finishedDayReport(client, workflowId, dir, description);
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
