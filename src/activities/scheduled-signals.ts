import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { ExecutionConfig } from '../config-schema';
import { SOURCE_KEY } from '../config-schema';
import { tradingDateSchema } from '../domain/day-input';
import { firstMessages, quoted } from '../domain/quote';
import { parseSignalsText, SIGNAL_LIMITS } from '../domain/signals';
import type { ScheduledSignals } from '../contracts/scheduled-day';
import type { ActivityDeps } from './deps';

/**
 * Reads a scheduled day's signals from a source the worker's config names (`signal_sources`): a file the signal
 * job wrote, or a command's standard output, run without a shell. Workflow input only picks a source by its key:
 * whoever can start a workflow cannot make the worker read a path or run a program of their choosing.
 */
export function createScheduledSignalActivities({ config, redact = (text) => text }: Pick<ActivityDeps, 'config' | 'redact'>) {
  return {
    async loadScheduledSignals(sourceKey: unknown, tradingDate: string): Promise<ScheduledSignals> {
      const { key, source } = configuredSource(config, sourceKey);
      if (!tradingDateSchema.safeParse(tradingDate).success) {
        throw ApplicationFailure.nonRetryable(`tradingDate: ${quoted(tradingDate)} is not a date written YYYY-MM-DD`, 'InvalidInput');
      }
      const withDate = (template: string) => template.replaceAll('{date}', tradingDate);
      let text: string;
      let format: 'json' | 'csv';
      let label: string;
      if ('file' in source) {
        const file = withDate(source.file);
        label = `${key} (${path.basename(file)})`;
        format = path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'json';
        text = redact(await readSignalFile(file, label));
      } else {
        const [program, ...args] = source.command.map(withDate);
        label = `${key} (${path.basename(program!)})`;
        // Redacted before it is parsed: no error about the text can echo a secret of the worker, even in part.
        text = redact(await runSignalCommand(program!, args, source.timeout_seconds, label, redact));
        format = /^\s*symbol\s*,/i.test(text) ? 'csv' : 'json';
      }
      const parsed = parseSignalsText(text, format);
      if (!parsed.ok) {
        throw ApplicationFailure.nonRetryable(`invalid signals from ${label}: ${firstMessages(parsed.errors, 10).join('; ')}`, 'InvalidInput');
      }
      return { signals: parsed.signals, source: label };
    },
  };
}

type SignalSourceConfig = ExecutionConfig['signal_sources'][string];

function configuredSource(config: ExecutionConfig, sourceKey: unknown): { key: string; source: SignalSourceConfig } {
  const configured = Object.keys(config.signal_sources);
  if (typeof sourceKey !== 'string' || !SOURCE_KEY.test(sourceKey)) {
    throw ApplicationFailure.nonRetryable(
      `source: a scheduled day names a signal source by its key in the worker's config (signal_sources: ${configured.join(', ') || 'none configured'}); `
      + `got ${quoted(sourceKey)}. Paths and commands in workflow input are refused.`,
      'InvalidInput',
    );
  }
  const source = config.signal_sources[sourceKey];
  if (!source) {
    throw ApplicationFailure.nonRetryable(
      `source: no signal source ${quoted(sourceKey)} in the worker's config (signal_sources: ${configured.join(', ') || 'none configured'})`,
      'InvalidInput',
    );
  }
  return { key: sourceKey, source };
}

async function readSignalFile(file: string, label: string): Promise<string> {
  try {
    const { size } = await stat(file);
    if (size > SIGNAL_LIMITS.maxFileBytes) {
      throw ApplicationFailure.nonRetryable(`signal source ${label} is ${size} bytes; the limit is ${SIGNAL_LIMITS.maxFileBytes}`, 'InvalidInput');
    }
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    // Retryable: the signal job may still be writing the file.
    throw new Error(`cannot read signal source ${label}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function runSignalCommand(program: string, args: string[], timeoutSeconds: number, label: string, redact: (text: string) => string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, {
      timeout: timeoutSeconds * 1000, maxBuffer: SIGNAL_LIMITS.maxFileBytes, shell: false, windowsHide: true,
    }, (error, stdout, stderr) => {
      if (!error) {
        resolve(stdout);
        return;
      }
      const why = (error as NodeJS.ErrnoException).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'
        ? `printed more than ${SIGNAL_LIMITS.maxFileBytes} bytes`
        : error.killed ? `did not finish within ${timeoutSeconds} s` : `exited with ${String(error.code ?? error.signal)}`;
      reject(new Error(`signal source ${label} ${why}${stderr ? `: ${quoted(redact(stderr.trim()), 200)}` : ''}`));
    });
  });
}
