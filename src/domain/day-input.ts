import { z } from 'zod';
import { signalsSchema } from './signals';

/** Account names: what config allows, and what fits in workflow ids and client order ids. */
export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const ACCOUNT_NAME_RULE = 'lowercase letters, digits, - and _, at most 32';

/** A real calendar date written YYYY-MM-DD (2026-02-30 is refused). */
export const tradingDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD').refine((text) => {
  const date = new Date(`${text}T12:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}, 'not a calendar date');

/** The day's workflow input, checked whole before anything happens. */
export const dayInputSchema = z.object({
  account: z.string({ error: 'required: the account to trade' }).regex(ACCOUNT_NAME, ACCOUNT_NAME_RULE),
  tradingDate: tradingDateSchema,
  signals: signalsSchema,
  source: z.string().max(200).optional(),
});

/** Every problem of an input, each naming its field, or null when it is valid. */
export function dayInputProblems(input: unknown): string[] | null {
  const parsed = dayInputSchema.safeParse(input);
  if (parsed.success) return null;
  return parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`);
}
