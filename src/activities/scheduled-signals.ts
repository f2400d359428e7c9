import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { parseSignalsText } from '../domain/signals';
import type { Signal } from '../domain/types';
import type { SignalSource } from '../workflows/scheduled-types';

/** Reads a scheduled day's signals from the file the signal job wrote, or from a command's standard output. */
export function createScheduledSignalActivities() {
  return {
    async loadScheduledSignals(source: SignalSource, tradingDate: string): Promise<{ signals: Signal[]; source: string }> {
      const resolved = (template: string) => template.replaceAll('{date}', tradingDate);
      let text: string;
      let format: 'json' | 'csv';
      let label: string;
      if (source.kind === 'file') {
        label = resolved(source.path);
        format = path.extname(label).toLowerCase() === '.csv' ? 'csv' : 'json';
        try {
          text = await readFile(label, 'utf8');
        } catch (error) {
          // Retryable: the signal job may still be writing the file.
          throw new Error(`cannot read the signal file ${label}: ${(error as Error).message}`);
        }
      } else {
        label = resolved(source.command);
        format = 'json';
        text = await new Promise<string>((resolve, reject) => {
          execFile('/bin/sh', ['-c', label], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
            if (error) reject(new Error(`signal command failed: ${error.message}`));
            else resolve(stdout);
          });
        });
        if (/^\s*symbol\s*,/i.test(text)) format = 'csv';
      }
      const parsed = parseSignalsText(text, format);
      if (!parsed.ok) {
        throw ApplicationFailure.nonRetryable(`invalid signals from ${label}: ${parsed.errors.join('; ')}`, 'InvalidInput');
      }
      return { signals: parsed.signals, source: label };
    },
  };
}
