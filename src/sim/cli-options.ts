/** `tradeflow sim` flags to simulator options, validated once with every problem named. */
import { readFileSync } from 'node:fs';
import { parseFaultSpec, validateFaultRule, type FaultRule } from './faults';
import type { SimulatorOptions } from './index';

/** The flags as commander hands them over. */
export interface SimCliFlags {
  port: number;
  host: string;
  seed: number;
  equity: number;
  market: string;
  speed?: string;
  start?: string;
  state?: string;
  fault?: string[];
  faults?: string;
  /** `--no-rate-limit` sets false; `--rate-limit N` a number. */
  rateLimit?: boolean | string;
}

/** Collects a repeatable option into an array (commander's reducer). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Builds the options. Unlike the library default, the CLI enforces Alpaca's budget of 200 requests a minute
 * per key unless told `--no-rate-limit`. Throws one Error listing every invalid flag.
 */
export function simOptionsFromFlags(flags: SimCliFlags): SimulatorOptions {
  const problems: string[] = [];
  if (flags.market !== 'always-open' && flags.market !== 'real') problems.push('--market must be always-open or real');
  const options: SimulatorOptions = {
    port: flags.port, host: flags.host, seed: flags.seed, equity: flags.equity,
    market: flags.market === 'real' ? 'real' : 'always-open',
    enforceRateLimit: flags.rateLimit !== false,
  };
  if (!(Number.isFinite(flags.equity) && flags.equity > 0)) problems.push('--equity must be a positive number');
  if (typeof flags.rateLimit === 'string') {
    const n = Number(flags.rateLimit);
    if (!Number.isInteger(n) || n < 1) problems.push('--rate-limit must be a whole number >= 1');
    else options.rateLimitPerMinute = n;
  }
  if (flags.speed !== undefined) {
    const speed = Number(flags.speed);
    if (!(Number.isFinite(speed) && speed > 0)) problems.push('--speed must be a number > 0');
    else options.clockSpeed = speed;
  }
  if (flags.start !== undefined) {
    if (Number.isNaN(Date.parse(flags.start))) problems.push(`--start must be an ISO-8601 instant, got ${flags.start}`);
    else options.start = flags.start;
  }
  if (flags.state !== undefined) options.stateFile = flags.state;
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
  if (problems.length > 0) throw new Error(problems.join('; '));
  return options;
}
