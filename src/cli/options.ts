/** The command line's shared options, declared once, and the parsers of option values. */
import { InvalidArgumentError, type Command } from 'commander';
import { CliError, EXIT } from './errors';

/** `--date`'s help on most per-day commands; `stop` says what a date means to it. */
export const TRADING_DATE_HELP = 'trading date (default: today in New York)';

/** Declares `--account <name>` (resolved by `accountOption` in ./context): every per-day and schedule command takes it. */
export function addAccountOption(command: Command): Command {
  return command.option('--account <name>', 'a configured account (default: execution.account)');
}

/**
 * Declares the per-day options on a command: `--date <YYYY-MM-DD>` (read by `tradingDateOption` in ./dates), the
 * command's own options from `own`, then `--account`, so the help lists them in that order.
 */
export function perDayOptions(command: Command, own: (command: Command) => Command = (same) => same, dateHelp = TRADING_DATE_HELP): Command {
  return addAccountOption(own(command.option('--date <YYYY-MM-DD>', dateHelp)));
}

/** A commander parser of a whole number (0 or more); a bad value is a usage error naming the option. */
export function wholeNumber(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
    return parsed;
  };
}

/** A commander parser for a repeatable option: each use adds its value. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A duration option: plain seconds (`20`), or with a unit (`500ms`, `20s`, `1m`). */
export function durationOption(value: string | number, option: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(String(value));
  const amount = match ? Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 } as const)[(match[2] ?? 's') as 'ms' | 's' | 'm'] : NaN;
  if (!Number.isFinite(amount) || amount <= 0 || amount > 3_600_000) {
    throw new CliError(`${option}: "${value}" is not a duration (say 20, 20s or 1m; at most 1 hour)`, EXIT.invalidInput);
  }
  return amount;
}
