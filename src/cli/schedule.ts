import { ScheduleAlreadyRunning, ScheduleNotFoundError } from '@temporalio/client';
import {
  createTradingSchedule, deleteTradingSchedule, describeTradingSchedule, pauseTradingSchedule, unpauseTradingSchedule,
} from '../client/schedule';
import { scheduleId } from '../names';
import type { SignalSource } from '../workflows/scheduled-types';
import { accountOption, configOrExit, withClient } from './commands';
import { CliError, EXIT } from './errors';

export interface ScheduleCreateOptions {
  cron: string;
  timezone: string;
  signalsFile?: string;
  signalsCommand?: string;
  account?: string;
}

/** Five cron fields (minute hour day-of-month month day-of-week), or a @-shorthand the server knows. */
const CRON_FIELDS = /^(@(yearly|annually|monthly|weekly|daily|hourly)|(\S+\s+){4}\S+)$/;

/** `tradeflow schedule create`: run the day on market days from a signal file or command. */
export async function scheduleCreateCommand(options: ScheduleCreateOptions): Promise<void> {
  const config = configOrExit();
  const account = accountOption(config, options.account);
  if (!CRON_FIELDS.test(options.cron.trim())) {
    throw new CliError(`--cron: "${options.cron}" is not a cron expression of five fields, e.g. "35 9 * * 1-5"`, EXIT.invalidInput);
  }
  if (!isTimeZone(options.timezone)) throw new CliError(`--timezone: "${options.timezone}" is not an IANA time zone`, EXIT.invalidInput);
  if (Boolean(options.signalsFile) === Boolean(options.signalsCommand)) {
    throw new CliError('give exactly one of --signals-file and --signals-command', EXIT.invalidInput);
  }
  const source: SignalSource = options.signalsFile
    ? { kind: 'file', path: options.signalsFile }
    : { kind: 'command', command: options.signalsCommand! };
  await withClient(async (client, taskQueue) => {
    try {
      await createTradingSchedule(client, { account, mode: config.execution.mode, cron: options.cron.trim(), timezone: options.timezone, source, taskQueue });
    } catch (error) {
      if (error instanceof ScheduleAlreadyRunning) {
        throw new CliError(`schedule ${scheduleId(account)} already exists (tradeflow schedule delete first)`, EXIT.alreadyExists);
      }
      if (error instanceof Error && /invalid|cron|parse/i.test(error.message)) {
        throw new CliError(`--cron: the server refused "${options.cron}": ${error.message}`, EXIT.invalidInput);
      }
      throw error;
    }
    console.log(`created schedule ${scheduleId(account)}: "${options.cron}" in ${options.timezone}, signals from ${source.kind === 'file' ? source.path : source.command}`);
  });
}

/** `tradeflow schedule describe|pause|unpause|delete`. */
export async function scheduleActionCommand(action: 'describe' | 'pause' | 'unpause' | 'delete', options: { account?: string; json?: boolean; note?: string }): Promise<void> {
  const account = accountOption(configOrExit(), options.account);
  const id = scheduleId(account);
  await withClient(async (client) => {
    const found = await (async () => {
      switch (action) {
        case 'describe': {
          const description = await describeTradingSchedule(client, account).catch((error: unknown) => {
            if (error instanceof ScheduleNotFoundError) return null;
            throw error;
          });
          if (!description) return false;
          const next = description.info.nextActionTimes.slice(0, 3).map((time) => time.toISOString());
          const summary = {
            scheduleId: id, paused: description.state.paused, note: description.state.note ?? null,
            cron: description.memo?.cron ?? null, timezone: description.spec.timezone ?? null,
            signals: description.memo?.signals ?? null,
            nextRuns: next, recentRuns: description.info.recentActions.map((run) => run.takenAt.toISOString()),
          };
          console.log(options.json ? JSON.stringify(summary) : [
            `${id}: ${summary.paused ? `paused (${summary.note})` : 'active'}`,
            `  "${String(summary.cron)}" in ${summary.timezone}, signals from ${String(summary.signals)}`,
            `  next runs: ${next.join(', ') || 'none'}`,
          ].join('\n'));
          return true;
        }
        case 'pause': return pauseTradingSchedule(client, account, options.note ?? 'paused with tradeflow schedule pause');
        case 'unpause': return unpauseTradingSchedule(client, account, options.note ?? 'unpaused with tradeflow schedule unpause');
        case 'delete': return deleteTradingSchedule(client, account);
      }
    })();
    if (!found) throw new CliError(`no schedule ${id}`, EXIT.notFound);
    if (action !== 'describe') console.log(`${action}d ${id}`);
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
