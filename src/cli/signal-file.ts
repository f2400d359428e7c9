import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseSignalsText, SIGNAL_LIMITS } from '../domain/signals';
import type { Signal } from '../domain/types';
import { CliError, EXIT } from './errors';

/** Reads and validates a signal file (JSON object or array, or CSV with a symbol,strength header). */
export function readSignalFile(file: string): Signal[] {
  let text: string;
  try {
    // Checked before reading: a huge file is refused without loading it.
    const { size } = statSync(file);
    if (size > SIGNAL_LIMITS.maxFileBytes) {
      throw new CliError(`--signals: ${file} is ${(size / 1024 / 1024).toFixed(1)} MB; a signal file holds at most `
        + `${SIGNAL_LIMITS.maxFileBytes / 1024 / 1024} MB and ${SIGNAL_LIMITS.maxSignals} signals`, EXIT.invalidInput);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--signals: cannot read ${file}: ${(error as Error).message}`, EXIT.invalidInput);
  }
  const format = path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'json';
  const result = parseSignalsText(text, format);
  if (!result.ok) {
    throw new CliError(`invalid signal file ${file}:\n${result.errors.map((error) => `  - ${error}`).join('\n')}`, EXIT.invalidInput);
  }
  return result.signals;
}
