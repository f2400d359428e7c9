import { z } from 'zod';
import { firstMessages, quoted } from './quote';
import { signalSchema, SIGNAL_LIMITS, signalsSchema, strengthSchema, symbolSchema } from './signals';

/** Account names: what config allows, and what fits in workflow ids and client order ids. */
export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const ACCOUNT_NAME_RULE = 'lowercase letters, digits, - and _, at most 32';

/** A real calendar date written YYYY-MM-DD (2026-02-30 is refused). */
export const tradingDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD').refine((text) => {
  const date = new Date(`${text}T12:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}, 'not a calendar date');

/** Signals as a list of `{symbol, strength}` or as the signal file's map `{"AAPL": 0.8}`; always a list after parsing. */
const signalsInputSchema = z.preprocess(
  (value) => (isPlainObject(value) ? Object.entries(value).map(([symbol, strength]) => ({ symbol, strength })) : value),
  signalsSchema,
);

/** The day's workflow input, checked whole before anything happens, by the workflow and by every client. */
export const dayInputSchema = z.object({
  account: z.string({ error: 'required: the account to trade' }).regex(ACCOUNT_NAME, ACCOUNT_NAME_RULE),
  tradingDate: tradingDateSchema,
  signals: signalsInputSchema,
  source: z.string().max(200).optional(),
});

export type DayInput = z.output<typeof dayInputSchema>;

/**
 * The same input as a JSON Schema can say it (the calendar-date and unique-symbol checks are the workflow's): the
 * source of `schemas/daily-trading-input.schema.json` (`npm run json-schema`), for jobs in other languages.
 */
export const dayInputJsonSchemaSource = z.object({
  account: z.string().regex(ACCOUNT_NAME).describe(`The account to trade: ${ACCOUNT_NAME_RULE}; the worker must trade it.`),
  tradingDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('The New York trading date, YYYY-MM-DD. The workflow id must be trading-<account>-<tradingDate>.'),
  signals: z.union([
    z.array(signalSchema).min(1).max(SIGNAL_LIMITS.maxSignals).describe('A list of {symbol, strength}; each symbol once.'),
    z.record(symbolSchema, strengthSchema).describe('The signal file\'s map {"AAPL": 0.8}.'),
  ]).describe(`At most ${SIGNAL_LIMITS.maxSignals} signals, strengths in [-1, 1].`),
  source: z.string().max(200).optional().describe('Where the signals came from (a file name, a job id), for the report and the UI.'),
}).describe('Input of the dailyTrading workflow (tradeflow).');

export type DayInputResult = { ok: true; input: DayInput } | { ok: false; problems: string[] };

/** The input, normalized (signals as a list), or every problem of it, each naming its field. */
export function parseDayInput(input: unknown): DayInputResult {
  const parsed = dayInputSchema.safeParse(input);
  if (parsed.success) return { ok: true, input: parsed.data };
  const signals = isPlainObject(input) ? input.signals : undefined;
  const symbols = isPlainObject(signals) ? Object.keys(signals) : null;
  return {
    ok: false,
    problems: firstMessages(parsed.error.issues.map((issue) => {
      const path = issue.path.map((part, index) => (
        // In the map form, name the entry by its symbol rather than its position.
        symbols && index === 1 && issue.path[0] === 'signals' && typeof part === 'number' ? quoted(symbols[part] ?? part, 24) : String(part)
      ));
      return `${path.length > 0 ? path.join('.') : 'input'}: ${issue.message}`;
    })),
  };
}

/** Every problem of an input, each naming its field, or null when it is valid. */
export function dayInputProblems(input: unknown): string[] | null {
  const result = parseDayInput(input);
  return result.ok ? null : result.problems;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
