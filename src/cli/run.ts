/** `tradeflow run`: start the day's run from a signal file. */
import path from 'node:path';
import { DayAlreadyStarted, dayResult, InvalidDayInput, startDay } from '../operations/start-day';
import { accountOption, configOrExit, withClient, type DayOptions } from './context';
import { tradingDateOption } from './dates';
import { CliError, EXIT } from './errors';
import { reportJson, reportText } from './report';
import { followProgress } from './progress';
import { readSignalFile } from './signal-file';
import { cliLog } from './log';

export interface RunOptions extends DayOptions { signals: string; wait?: boolean; json?: boolean }

/** `tradeflow run`: validate the file first, then start the day (and wait for its report). */
export async function runCommand(options: RunOptions): Promise<void> {
  const tradingDate = tradingDateOption(options.date);
  const signals = readSignalFile(options.signals);
  const config = configOrExit();
  const account = accountOption(config, options.account);
  await withClient(async (client, taskQueue) => {
    let handle;
    try {
      handle = await startDay(client, {
        account, tradingDate, signals, mode: config.execution.mode, taskQueue, source: path.basename(options.signals),
      });
    } catch (error) {
      if (error instanceof DayAlreadyStarted) throw new CliError(error.message, EXIT.alreadyExists);
      if (error instanceof InvalidDayInput) throw new CliError(`${error.message} (nothing started)`, EXIT.invalidInput);
      throw error;
    }
    if (!options.wait) {
      console.log(options.json ? JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, tradingDate }) : `started ${handle.workflowId}`);
      return;
    }
    if (!options.json) cliLog('info', `started ${handle.workflowId}, waiting for the day to finish...`, { workflowId: handle.workflowId });
    const progress = options.json ? null : followProgress(client, handle.workflowId);
    let report;
    try {
      report = await dayResult(handle);
    } finally {
      await progress?.stop();
    }
    console.log(options.json ? JSON.stringify(reportJson(report)) : reportText(report));
  });
}
