import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSignalsText } from '../domain/signals';
import type { Signal } from '../domain/types';
import { CliError, EXIT } from './errors';

/** Reads and validates a signal file (JSON object or array, or CSV with a symbol,strength header). */
export function readSignalFile(file: string): Signal[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`--signals: cannot read ${file}: ${(error as Error).message}`, EXIT.invalidInput);
  }
  const format = path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'json';
  const result = parseSignalsText(text, format);
  if (!result.ok) {
    throw new CliError(`invalid signal file ${file}:\n${result.errors.map((error) => `  - ${error}`).join('\n')}`, EXIT.invalidInput);
  }
  return result.signals;
}
