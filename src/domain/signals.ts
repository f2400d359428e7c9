import { z } from 'zod';
import { parseCsv } from './csv';
import { firstMessages, quoted } from './quote';
import type { Signal } from './types';

/** Ticker rule: uppercase letters with dot-separated classes (BRK.B), 1 to 10 characters. */
export const SYMBOL_PATTERN = /^[A-Z]+(?:\.[A-Z]+)*$/;

/** A ticker symbol as signals, orders and configs spell it. */
export const symbolSchema = z.string()
  .min(1, 'symbol must not be empty')
  .max(10, 'symbol must be at most 10 characters')
  .regex(SYMBOL_PATTERN, 'symbol must be uppercase letters A-Z, optionally with dots (BRK.B)');

/** Signal strength: finite, in [-1, 1]. */
export const strengthSchema = z.number({ error: 'strength must be a finite number' })
  .min(-1, 'strength must be between -1 and 1')
  .max(1, 'strength must be between -1 and 1');

/** One signal. */
export const signalSchema = z.object({ symbol: symbolSchema, strength: strengthSchema });

/** What a signal file and a day may hold: a Russell 3000 file fits several times over. */
export const SIGNAL_LIMITS = {
  /** Signals in one day. */
  maxSignals: 10_000,
  /** Bytes of a signal file (checked before it is read). */
  maxFileBytes: 4 * 1024 * 1024,
} as const;

/** Workflow input: a non-empty list of signals with unique symbols. */
export const signalsSchema = z.array(signalSchema).min(1, 'at least one signal is required')
  .max(SIGNAL_LIMITS.maxSignals, `at most ${SIGNAL_LIMITS.maxSignals} signals`).superRefine((signals, ctx) => {
  const firstIndex = new Map<string, number>();
  signals.forEach((signal, index) => {
    const first = firstIndex.get(signal.symbol);
    if (first === undefined) firstIndex.set(signal.symbol, index);
    else ctx.addIssue({ code: 'custom', path: [index, 'symbol'], message: `duplicate symbol "${signal.symbol}" (first at index ${first})` });
  });
});

/** Result of parsing a signal file: every problem is reported, each naming its entry or line. */
export type ParseSignalsResult = { ok: true; signals: Signal[] } | { ok: false; errors: string[] };

/** Parses the signal job's file: JSON `{"AAPL": 0.8}` or `[{"symbol","strength"}]`, or CSV with a `symbol,strength` header. */
export function parseSignalsText(text: string, format: 'json' | 'csv'): ParseSignalsResult {
  if (text.trim() === '') return { ok: false, errors: ['signal file is empty'] };
  if (text.length > SIGNAL_LIMITS.maxFileBytes) {
    return { ok: false, errors: [`signal file is ${text.length} characters; the limit is ${SIGNAL_LIMITS.maxFileBytes} bytes`] };
  }
  const result = format === 'json' ? parseJson(text) : parseCsvSignals(text);
  if (result.ok && result.signals.length > SIGNAL_LIMITS.maxSignals) {
    return { ok: false, errors: [`signal file has ${result.signals.length} signals; the limit is ${SIGNAL_LIMITS.maxSignals}`] };
  }
  return result.ok ? result : { ok: false, errors: firstMessages(result.errors) };
}

interface RawEntry {
  label: string;
  symbol: unknown;
  strength: unknown;
  /** Set when the entry is malformed before schema validation. */
  problem?: string;
}

function parseJson(text: string): ParseSignalsResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // The parser's own message quotes the text: say only where it broke.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return { ok: false, errors: [`invalid JSON${position ? ` at character ${position}` : ''}`] };
  }
  if (Array.isArray(data)) {
    const entries = data.map((item: unknown, index): RawEntry => {
      if (!isRecord(item)) {
        return { label: `entry ${index + 1}`, symbol: undefined, strength: undefined, problem: 'must be an object with "symbol" and "strength"' };
      }
      const label = `entry ${index + 1}${typeof item.symbol === 'string' ? ` (symbol ${quoted(item.symbol, 24)})` : ''}`;
      return { label, symbol: item.symbol, strength: item.strength };
    });
    return validateEntries(entries, []);
  }
  if (isRecord(data)) {
    const errors = duplicateJsonKeys(text).map((key) => `symbol ${quoted(key, 24)}: duplicate symbol`);
    const entries = Object.entries(data).map(([symbol, strength], index) => ({
      label: `entry ${index + 1} (symbol ${quoted(symbol, 24)})`, symbol, strength,
    }));
    return validateEntries(entries, errors);
  }
  return { ok: false, errors: ['JSON signal file must be an object {"SYMBOL": strength} or an array of {"symbol", "strength"}'] };
}

// JSON.parse keeps only the last of repeated keys; a flat {symbol: number} object has no other strings, so a key scan
// finds them. Each key is unescaped first, so "AAP\u004c" and "AAPL" are the same key.
function duplicateJsonKeys(text: string): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) {
    const key = unescapeJsonString(match[1] ?? '');
    if (seen.has(key)) duplicates.add(key);
    seen.add(key);
  }
  return [...duplicates];
}

function unescapeJsonString(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseCsvSignals(text: string): ParseSignalsResult {
  const [header, ...rows] = parseCsv(text);
  if (!header) return { ok: false, errors: ['signal file is empty'] };
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const symbolColumn = names.indexOf('symbol');
  const strengthColumn = names.indexOf('strength');
  if (symbolColumn < 0 || strengthColumn < 0) {
    return { ok: false, errors: [`line ${header.line}: header must contain "symbol" and "strength" columns`] };
  }
  const entries = rows.map((row): RawEntry => {
    const symbol = row.fields[symbolColumn]?.trim() ?? '';
    const strengthText = row.fields[strengthColumn]?.trim() ?? '';
    const label = `line ${row.line}${symbol ? ` (symbol ${quoted(symbol, 24)})` : ''}`;
    if (!NUMBER_TEXT.test(strengthText)) {
      return { label: `line ${row.line}`, symbol, strength: undefined, problem: `strength ${quoted(strengthText, 24)} is not a number` };
    }
    return { label, symbol, strength: Number(strengthText) };
  });
  return validateEntries(entries, []);
}

function validateEntries(entries: RawEntry[], errors: string[]): ParseSignalsResult {
  const signals: Signal[] = [];
  const firstLabel = new Map<string, string>();
  for (const entry of entries) {
    if (entry.problem !== undefined) {
      errors.push(`${entry.label}: ${entry.problem}`);
      continue;
    }
    const parsed = signalSchema.safeParse({ symbol: entry.symbol, strength: entry.strength });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(`${entry.label}: ${issue.message}`);
      continue;
    }
    const first = firstLabel.get(parsed.data.symbol);
    if (first !== undefined) {
      errors.push(`${entry.label}: duplicate symbol (first at ${first.split(' (')[0]})`);
      continue;
    }
    firstLabel.set(parsed.data.symbol, entry.label);
    signals.push(parsed.data);
  }
  if (errors.length > 0) return { ok: false, errors };
  if (signals.length === 0) return { ok: false, errors: ['signal file has no signals'] };
  return { ok: true, signals };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
