/** Command-line flags (the `alpaca-sim` command) to simulator options, validated once with every problem named. */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseFaultSpec, validateFaultRule, type FaultRule } from './faults';
import { SimFlagError } from './flag-error';
import type { SimulatorOptions } from './simulator';
import { MAX_SYNTHETIC_SYMBOLS } from './universe';

/** The flags as commander hands them over: numbers already parsed, or the raw strings, validated here. */
export interface SimCliFlags {
  port: number | string;
  host: string;
  seed: number | string;
  equity: number | string;
  market: string;
  speed?: string;
  start?: string;
  state?: string;
  fault?: string[];
  faults?: string;
  /** `--no-rate-limit` sets false; `--rate-limit N` a number. */
  rateLimit?: boolean | string;
  /** `--synthetic-symbols N`: synthetic equities beyond the universe CSV. */
  syntheticSymbols?: number | string;
}

/** Collects a repeatable option into an array (commander's reducer). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A whole number in [0, max], or null. */
function wholeNumber(value: number | string, max: number): number | null {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 && n <= max ? n : null;
}

/** Why SQLite could not open `file` read-write (creating it if missing), or null. */
function stateFileProblem(file: string): string | null {
  try {
    let target = file;
    try {
      if (statSync(file).isDirectory()) return 'is a directory';
    } catch {
      target = path.dirname(path.resolve(file));
    }
    accessSync(target, constants.R_OK | constants.W_OK);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Builds the options. Unlike the library default, the CLI enforces Alpaca's budget of 200 requests a minute
 * per key unless told `--no-rate-limit`. Throws one SimFlagError (exit code 2) listing every invalid flag on one line.
 */
export function simOptionsFromFlags(flags: SimCliFlags): SimulatorOptions {
  const problems: string[] = [];
  const port = wholeNumber(flags.port, 65_535);
  if (port === null) problems.push(`--port must be a whole number from 0 to 65535, got ${String(flags.port)}`);
  if (flags.host.trim() === '') problems.push('--host must not be empty');
  const seed = wholeNumber(flags.seed, Number.MAX_SAFE_INTEGER);
  if (seed === null) problems.push(`--seed must be a whole number, got ${String(flags.seed)}`);
  const equity = Number(flags.equity);
  if (!(Number.isFinite(equity) && equity > 0)) problems.push(`--equity must be a positive number, got ${String(flags.equity)}`);
  if (flags.market !== 'always-open' && flags.market !== 'real') problems.push(`--market must be always-open or real, got ${flags.market}`);
  const options: SimulatorOptions = {
    port: port ?? 0, host: flags.host, seed: seed ?? 0, equity,
    market: flags.market === 'real' ? 'real' : 'always-open',
    enforceRateLimit: flags.rateLimit !== false,
  };
  if (typeof flags.rateLimit === 'string') {
    const n = Number(flags.rateLimit);
    if (!Number.isInteger(n) || n < 1) problems.push('--rate-limit must be a whole number >= 1');
    else options.rateLimitPerMinute = n;
  }
  if (flags.syntheticSymbols !== undefined) {
    const n = wholeNumber(flags.syntheticSymbols, MAX_SYNTHETIC_SYMBOLS);
    if (n === null) problems.push(`--synthetic-symbols must be a whole number from 0 to ${MAX_SYNTHETIC_SYMBOLS}, got ${String(flags.syntheticSymbols)}`);
    else if (n > 0) options.syntheticSymbols = n;
  }
  if (flags.speed !== undefined) {
    const speed = Number(flags.speed);
    if (!(Number.isFinite(speed) && speed > 0)) problems.push(`--speed must be a number > 0, got ${flags.speed}`);
    else options.clockSpeed = speed;
  }
  if (flags.start !== undefined) {
    if (Number.isNaN(Date.parse(flags.start))) problems.push(`--start must be an ISO-8601 instant, got ${flags.start}`);
    else options.start = flags.start;
  }
  if (flags.state !== undefined) {
    const problem = stateFileProblem(flags.state);
    if (problem !== null) problems.push(`--state ${flags.state}: ${problem}`);
    else options.stateFile = flags.state;
  }
  const faults: FaultRule[] = [];
  for (const spec of flags.fault ?? []) {
    try {
      faults.push(parseFaultSpec(spec));
    } catch (error) {
      problems.push(`--fault: ${(error as Error).message}`);
    }
  }
  if (flags.faults !== undefined) {
    try {
      const parsed = JSON.parse(readFileSync(flags.faults, 'utf8')) as unknown;
      const list = Array.isArray(parsed) ? parsed : [parsed];
      list.forEach((item, i) => {
        try {
          faults.push(typeof item === 'string' ? parseFaultSpec(item) : validateFaultRule(item));
        } catch (error) {
          problems.push(`--faults ${flags.faults ?? ''} [${i}]: ${(error as Error).message}`);
        }
      });
    } catch (error) {
      problems.push(`--faults ${flags.faults}: ${(error as Error).message}`);
    }
  }
  if (faults.length > 0) options.faults = faults;
  if (problems.length > 0) throw new SimFlagError(problems.join('; ').replace(/\s*\n\s*/g, ' '));
  return options;
}
