/**
 * What the commands say on stderr besides their results: errors, notes, warnings. Plain sentences by default
 * (`tradeflow: ...`); with TRADEFLOW_LOG_FORMAT=json, one pino JSON line each (level, time, msg, the command and
 * what is known: workflowId, exitCode), through the worker's logger and its redactor, for a log collector that
 * gathers a scheduled job's output. A command's results (stdout) never change with the format.
 */
import type { Logger as PinoLogger } from 'pino';
import { createRedactor } from '../activities/redaction';
import { createLogger } from '../telemetry/logging';

export type CliLogLevel = 'info' | 'warn' | 'error';

let json: PinoLogger | null | undefined;
let command = '';

/** The command being run, on every JSON line. */
export function setCliCommand(name: string): void {
  command = name;
}

/** Says `message` on stderr: plain (`tradeflow: message`), or a JSON line when TRADEFLOW_LOG_FORMAT=json. */
export function cliLog(level: CliLogLevel, message: string, fields: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): void {
  const logger = jsonLogger(env);
  if (!logger) {
    console.error(`tradeflow: ${message}`);
    return;
  }
  logger[level]({ ...(command ? { command } : {}), ...fields }, message);
}

function jsonLogger(env: NodeJS.ProcessEnv): PinoLogger | null {
  if (json !== undefined) return json;
  json = env.TRADEFLOW_LOG_FORMAT?.trim().toLowerCase() === 'json'
    ? createLogger({
      level: 'info', format: 'json', base: { pid: process.pid, name: 'tradeflow-cli' },
      write: (text) => void process.stderr.write(text),
      // The CLI holds no broker key, but its environment may: no line ever shows one.
      redact: createRedactor(Object.entries(env).filter(([name]) => /SECRET|API_KEY|KEY_ID/.test(name)).map(([, value]) => value)),
    })
    : null;
  return json;
}
