import { newYorkDate } from '../domain/market-time';
import { CliError, EXIT } from './errors';

/** Today's date in New York, where the trading day is defined. */
export function todayInNewYork(now = new Date()): string {
  return newYorkDate(now);
}

/** A `--date` value: a real calendar date as YYYY-MM-DD, or today in New York. */
export function tradingDateOption(value: string | undefined): string {
  if (value === undefined) return todayInNewYork();
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value) {
    throw new CliError(`--date: "${value}" is not a date in the form YYYY-MM-DD`, EXIT.invalidInput);
  }
  return value;
}
