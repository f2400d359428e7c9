import { isGrpcServiceError, ScheduleAlreadyRunning, ScheduleNotFoundError } from '@temporalio/client';
import {
  createTradingSchedule, deleteTradingSchedule, describeTradingSchedule, pauseTradingSchedule, unpauseTradingSchedule,
} from '../operations/schedule';
import { scheduleId } from '../names';
import { accountOption, configOrExit, withClient } from './context';
import { CliError, EXIT } from './errors';

export interface ScheduleCreateOptions {
  cron: string;
  timezone: string;
  source?: string;
  signalsFile?: string;
  signalsCommand?: string;
  account?: string;
}

/** Five cron fields (minute hour day-of-month month day-of-week), or a @-shorthand the server knows. */
const CRON_FIELDS = /^(@(yearly|annually|monthly|weekly|daily|hourly)|(\S+\s+){4}\S+)$/;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** The five fields and their ranges as the Temporal server checks them (day-of-week 7 is Sunday too). */
const CRON_RANGES = [
  { field: 'minute', min: 0, max: 59 },
  { field: 'hour', min: 0, max: 23 },
  { field: 'day-of-month', min: 1, max: 31 },
  { field: 'month', min: 1, max: 12, names: MONTHS, first: 1 },
  { field: 'day-of-week', min: 0, max: 7, names: WEEKDAYS, first: 0 },
] as const;

/**
 * Why a cron expression is not one the server takes, or undefined: five fields, each `*`, a value, a range `a-b`, a
 * step (`*\/n`, `a-b/n`, `a/n`) or a list of them, values within the field's range (names for months and weekdays).
 * Checked here so that a bad expression exits 2 with one line before any server is contacted.
 */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (!CRON_FIELDS.test(text)) return `${JSON.stringify(expression)} is not a cron expression of five fields (minute hour day-of-month month day-of-week), e.g. "35 9 * * 1-5"`;
  if (text.startsWith('@')) return undefined;
  const problems = text.split(/\s+/).flatMap((value, index) => cronFieldProblems(value, CRON_RANGES[index]!));
  return problems.length > 0 ? `${JSON.stringify(expression)}: ${problems.join('; ')}` : undefined;
}

function cronFieldProblems(value: string, range: (typeof CRON_RANGES)[number]): string[] {
  const names = 'names' in range ? range.names : undefined;
  const number = (token: string): number | undefined => {
    if (/^\d+$/.test(token)) return Number(token);
    const named = names && /^[a-z]{3,}$/i.test(token) ? names.indexOf(token.slice(0, 3).toLowerCase()) : -1;
    return named >= 0 && 'first' in range ? named + range.first : undefined;
  };
  const outside = (n: number) => n < range.min || n > range.max;
  const problems: string[] = [];
  for (const item of value.split(',')) {
    const match = /^(\*|[a-z0-9]+)(?:-([a-z0-9]+))?(?:\/(\d+))?$/i.exec(item);
    const start = match && match[1] !== '*' ? number(match[1]!) : undefined;
    const end = match?.[2] !== undefined ? number(match[2]) : undefined;
    if (!match || (match[1] !== '*' && start === undefined) || (match[2] !== undefined && (end === undefined || match[1] === '*'))) {
      problems.push(`${range.field} ${JSON.stringify(item)} is not a value, range a-b, step */n or list`);
    } else if ((start !== undefined && outside(start)) || (end !== undefined && outside(end))) {
      problems.push(`${range.field} ${item} is not within ${range.min}-${range.max}`);
    } else if (start !== undefined && end !== undefined && end < start) {
      problems.push(`${range.field} ${item} ends before it starts`);
    } else if (match[3] !== undefined && Number(match[3]) < 1) {
      problems.push(`${range.field} ${item}: a step must be at least 1`);
    }
  }
  return problems;
}

/** The server's refusal of the schedule's spec (cron or time zone), or undefined for any other error. */
function specRefusal(error: unknown): string | undefined {
  // The SDK turns the server's INVALID_ARGUMENT "Invalid schedule spec: ..." into a TypeError with the rest.
  if (error instanceof TypeError && /range|step|invalid|parse|cron|calendar|spec|zone/i.test(error.message)) return error.message;
  const cause = error instanceof Error ? error.cause : undefined;
  if (isGrpcServiceError(cause) && cause.code === 3 /* INVALID_ARGUMENT */ && /spec|cron|calendar|zone/i.test(cause.details)) return cause.details;
  return undefined;
}

/** `tradeflow schedule create`: run the day on market days from a signal file or command. */
export async function scheduleCreateCommand(options: ScheduleCreateOptions): Promise<void> {
  const cronError = cronProblem(options.cron);
  if (cronError) throw new CliError(`--cron: ${cronError}`, EXIT.invalidInput);
  if (!isTimeZone(options.timezone)) throw new CliError(`--timezone: "${options.timezone}" is not an IANA time zone`, EXIT.invalidInput);
  const config = configOrExit();
  const account = accountOption(config, options.account);
  const configured = Object.keys(config.signal_sources);
  if (options.signalsFile || options.signalsCommand) {
    throw new CliError('--signals-file and --signals-command are gone: name the file or command in the config\'s signal_sources '
      + 'and pass --source KEY (a schedule\'s input never holds a path or a command)', EXIT.invalidInput);
  }
  const source = options.source ?? '';
  if (!config.signal_sources[source]) {
    throw new CliError(`--source: ${source ? `"${source}" is not` : 'give'} a signal source of the config (signal_sources: ${configured.join(', ') || 'none configured'})`, EXIT.invalidInput);
  }
  await withClient(async (client, taskQueue) => {
    try {
      await createTradingSchedule(client, { account, mode: config.execution.mode, cron: options.cron.trim(), timezone: options.timezone, source, taskQueue });
    } catch (error) {
      if (error instanceof ScheduleAlreadyRunning) {
        throw new CliError(`schedule ${scheduleId(account)} already exists (tradeflow schedule delete first)`, EXIT.alreadyExists);
      }
      const refusal = specRefusal(error);
      if (refusal !== undefined) {
        throw new CliError(`--cron: the server refused ${JSON.stringify(options.cron)} in ${options.timezone}: ${refusal.replace(/\s+/g, ' ')}`, EXIT.invalidInput);
      }
      throw error;
    }
    console.log(`created schedule ${scheduleId(account)}: "${options.cron}" in ${options.timezone}, signals from source ${source}`);
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
