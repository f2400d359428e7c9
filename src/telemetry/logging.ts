/**
 * The worker's structured log: pino, one JSON object a line on stdout (or a readable line a record on a terminal),
 * with every secret of the worker replaced before a byte is written. The Temporal SDK's own logs (the worker's,
 * the workflows' `log`, the activities' `log`, Core's native warnings) reach it through {@link TemporalLogAdapter},
 * installed as the Runtime's logger (src/telemetry/runtime.ts).
 */
import { pino, stdSerializers, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/worker';
import type { Redact } from '../activities/redaction';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type TradeflowLogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'human'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A `--log-level` / `--log-format` (or their environment variables) the worker does not know. */
export class LoggingConfigError extends Error {
  override name = 'LoggingConfigError';
}

export interface LoggingSettings {
  level: TradeflowLogLevel;
  format: LogFormat;
}

/**
 * The level and format from the command line's flags, else TRADEFLOW_LOG_LEVEL / TRADEFLOW_LOG_FORMAT, else `info`
 * and `human` on a terminal, `json` otherwise.
 */
export function loggingSettings(
  flags: { logLevel?: string; logFormat?: string } = {}, env: NodeJS.ProcessEnv = process.env, terminal = process.stdout.isTTY === true,
): LoggingSettings {
  const level = pick(flags.logLevel ?? env.TRADEFLOW_LOG_LEVEL, LOG_LEVELS, '--log-level (TRADEFLOW_LOG_LEVEL)') ?? 'info';
  const format = pick(flags.logFormat ?? env.TRADEFLOW_LOG_FORMAT, LOG_FORMATS, '--log-format (TRADEFLOW_LOG_FORMAT)') ?? (terminal ? 'human' : 'json');
  return { level, format };
}

function pick<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  const given = value?.trim().toLowerCase();
  if (!given) return undefined;
  if ((allowed as readonly string[]).includes(given)) return given as T;
  throw new LoggingConfigError(`${what}: "${value}" is not one of ${allowed.join(', ')}`);
}

export interface LoggerOptions extends LoggingSettings {
  /** Applied to every finished line (the secrets of the worker); the identity when absent. */
  redact?: Redact;
  /** Where finished lines go; default stdout. */
  write?: (text: string) => void;
  /** Fields on every line (default: the process id and `name: tradeflow`). */
  base?: Record<string, unknown>;
}

/** The pino logger of the worker (or of a test): every line redacted, JSON or human. */
export function createLogger(options: LoggerOptions): PinoLogger {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const redact = options.redact ?? ((text: string) => text);
  const destination: DestinationStream = {
    write(line: string) {
      write(redact(options.format === 'human' ? humanLine(line) : line));
    },
  };
  return pino({
    level: options.level,
    base: options.base ?? { pid: process.pid, name: 'tradeflow' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // The SDK passes failures as `error`; ours use `err` (pino's convention): both become {type, message, stack}.
    serializers: { err: stdSerializers.err, error: stdSerializers.err },
  }, destination);
}

/** Fields the human format leaves out: they are the same on every line, or shown in the line's head. */
const HUMAN_HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** `2026-12-01T21:30:00.123Z INFO  day completed workflowId=trading-main-2026-12-01 orders=2`, from a pino JSON line. */
export function humanLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const fields = Object.entries(record)
    .filter(([key, value]) => !HUMAN_HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${humanValue(value)}`);
  const head = `${String(record.time ?? '')} ${String(record.level ?? '').toUpperCase().padEnd(5)} ${String(record.msg ?? '')}`;
  return `${[head, ...fields].join(' ')}\n`;
}

function humanValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object' && 'stack' in value && typeof value.stack === 'string') {
    // An error: its stack on the following lines, indented.
    return `${JSON.stringify((value as { message?: unknown }).message ?? '')}\n    ${value.stack.split('\n').join('\n    ')}`;
  }
  return JSON.stringify(value);
}

const PINO_LEVEL: Record<LogLevel, TradeflowLogLevel> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's `Logger` over pino: the Runtime's logger, so the worker's, the workflows' and the activities'
 * logs (with the workflow id, run id, activity type the SDK attaches) become lines of the same log.
 */
export class TemporalLogAdapter implements Logger {
  constructor(readonly pino: PinoLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = PINO_LEVEL[level] ?? 'info';
    if (!this.pino.isLevelEnabled(method)) return;
    this.pino[method](meta ? plainMeta(meta) : {}, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * The metadata as plain fields (the SDK's timestamp, a symbol key, stays behind), without the activity's task
 * token: a capability to complete the activity that a log has no use for.
 */
function plainMeta(meta: LogMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'taskToken') continue;
    out[key] = value;
  }
  return out;
}
