/**
 * Fault injection: per-route failures armed at start-up (`faults` option, `--fault SPEC`, `--faults FILE`) or at
 * run time through the admin API, and consumed by the /v2 route wrapper. A fault fires on a matching request
 * with probability `rate` (drawn from the simulator's seed, so a run replays) until its `count` is used up.
 */
import { createRng, hash32 } from './random';

export const FAULT_KINDS = ['lose-response', 'error-500', 'error-503', 'latency', 'rate-limit', 'reset'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const KIND_ALIASES: Readonly<Record<string, FaultKind>> = {
  '500': 'error-500', '503': 'error-503', '429': 'rate-limit', 'error-429': 'rate-limit',
  'connection-reset': 'reset', 'econnreset': 'reset', 'drop-response': 'lose-response',
};

/**
 * A fault as configured. `route` is `METHOD /path` with the path as registered (`DELETE /v2/orders/:id`), as
 * requested, or a prefix ending in `*`; `*` alone (or `* /v2/*`) matches every method.
 */
export interface FaultRule {
  route: string;
  kind: FaultKind;
  /** Probability that a matching request is affected; default 1. */
  rate?: number;
  /** Requests to affect before the fault disarms; 0 or absent from a start-up rule means until cleared. */
  count?: number;
  /** Added delay for `latency` (default 1000), or before any other kind (default 0). */
  latencyMs?: number;
}

/** An armed fault. */
export interface Fault {
  id: number;
  route: string;
  kind: FaultKind;
  rate: number;
  /** Requests still to affect; Infinity until cleared. */
  remaining: number;
  latencyMs: number;
  /** Requests it has affected so far. */
  hits: number;
}

/** What the armed faults do to one request. */
export interface FaultPlan {
  latencyMs: number;
  /** Answer this status before the handler runs (no effect on state). */
  failStatus: 500 | 503 | 429 | null;
  /** Reset the connection before the handler runs (no effect on state). */
  reset: boolean;
  /** Run the handler, commit, then drop the connection without an answer. */
  loseResponse: boolean;
}

/** A fault kind by name or alias, or undefined. */
export function faultKind(name: string): FaultKind | undefined {
  const n = name.trim().toLowerCase();
  return (FAULT_KINDS as readonly string[]).includes(n) ? (n as FaultKind) : KIND_ALIASES[n];
}

/** Checks a rule's fields and returns a clean copy; throws an Error naming the field otherwise. */
export function validateFaultRule(input: unknown): FaultRule {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new Error('a fault must be an object');
  const r = input as Record<string, unknown>;
  const route = typeof r.route === 'string' && r.route.trim() !== '' ? r.route.trim() : '*';
  const kind = typeof r.kind === 'string' ? faultKind(r.kind) : undefined;
  if (!kind) throw new Error(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  const rule: FaultRule = { route, kind };
  if (r.rate !== undefined) {
    if (typeof r.rate !== 'number' || !(r.rate >= 0 && r.rate <= 1)) throw new Error('rate must be a number from 0 to 1');
    rule.rate = r.rate;
  }
  if (r.count !== undefined) {
    if (typeof r.count !== 'number' || !Number.isInteger(r.count)) throw new Error('count must be a whole number');
    rule.count = r.count;
  }
  if (r.latencyMs !== undefined) {
    if (typeof r.latencyMs !== 'number' || !(r.latencyMs >= 0)) throw new Error('latencyMs must be a number >= 0');
    rule.latencyMs = r.latencyMs;
  }
  return rule;
}

/**
 * Parses `ROUTE:KIND[:key=value]...`, e.g. `POST /v2/orders:error-503:rate=0.2`, `GET /v2/account:latency:ms=300`,
 * `*:reset:rate=0.05`, `DELETE /v2/orders/:id:lose-response:count=1`. The route may itself contain colons: the
 * first segment that names a kind ends it. Keys: `rate`, `count`, `ms` (or `latency`, `latencyMs`).
 */
export function parseFaultSpec(spec: string): FaultRule {
  const parts = spec.split(':');
  const at = parts.findIndex((p) => faultKind(p) !== undefined);
  if (at < 0) throw new Error(`fault "${spec}": no kind (one of ${FAULT_KINDS.join(', ')})`);
  const rule: Record<string, unknown> = { route: parts.slice(0, at).join(':').trim() || '*', kind: faultKind(parts[at] ?? '') };
  for (const option of parts.slice(at + 1)) {
    const m = /^\s*([a-zA-Z]+)\s*=\s*([^\s]+)\s*$/.exec(option);
    if (!m) throw new Error(`fault "${spec}": option "${option}" is not key=value`);
    const value = Number(m[2]);
    if (!Number.isFinite(value)) throw new Error(`fault "${spec}": ${m[1]} must be a number`);
    const key = (m[1] ?? '').toLowerCase();
    if (key === 'rate' || key === 'p') rule.rate = value;
    else if (key === 'count' || key === 'n') rule.count = value;
    else if (key === 'ms' || key === 'latency' || key === 'latencyms') rule.latencyMs = value;
    else throw new Error(`fault "${spec}": unknown option ${m[1]} (rate, count, ms)`);
  }
  try {
    return validateFaultRule(rule);
  } catch (error) {
    throw new Error(`fault "${spec}": ${(error as Error).message}`);
  }
}

function matches(pattern: string, method: string, routeUrl: string, path: string): boolean {
  const [pm, ...rest] = pattern.trim().split(/\s+/);
  let pp = rest.join(' ');
  let pmethod = pm ?? '*';
  if (pp === '' && pmethod.startsWith('/')) { pp = pmethod; pmethod = '*'; }
  if (pp === '') pp = '*';
  if (pmethod !== '*' && pmethod.toUpperCase() !== method.toUpperCase()) return false;
  if (pp === '*') return true;
  if (pp.endsWith('*')) return path.startsWith(pp.slice(0, -1));
  return pp === routeUrl || pp === path;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  private nextId = 1;
  private readonly rng: () => number;

  constructor(seed = 42, rules: FaultRule[] = []) {
    this.rng = createRng(hash32('faults', seed));
    for (const rule of rules) this.add(rule, 0);
  }

  /**
   * Arms a fault. Without a count it fires once when armed at run time (`defaultCount` 1) unless it has a rate,
   * and until cleared when configured at start-up; 0 or a negative count means until cleared.
   */
  add(rule: FaultRule, defaultCount = rule.rate !== undefined ? 0 : 1): Fault {
    const count = rule.count ?? defaultCount;
    const fault: Fault = {
      id: this.nextId++,
      route: rule.route,
      kind: rule.kind,
      rate: rule.rate ?? 1,
      remaining: count > 0 ? count : Infinity,
      latencyMs: rule.latencyMs ?? (rule.kind === 'latency' ? 1000 : 0),
      hits: 0,
    };
    this.faults.push(fault);
    return { ...fault };
  }

  /** Disarms one fault; false when there is none with that id. */
  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Draws the faults matching one request; at most one of the failing kinds applies, latencies add up. */
  take(method: string, routeUrl: string, path: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0, failStatus: null, reset: false, loseResponse: false };
    for (const f of this.faults) {
      if (f.remaining <= 0 || !matches(f.route, method, routeUrl, path)) continue;
      const failing = plan.failStatus !== null || plan.loseResponse || plan.reset;
      if (f.kind !== 'latency' && failing) continue;
      if (f.rate < 1 && this.rng() >= f.rate) continue;
      f.remaining -= 1;
      f.hits += 1;
      plan.latencyMs += f.latencyMs;
      if (f.kind === 'lose-response') plan.loseResponse = true;
      else if (f.kind === 'reset') plan.reset = true;
      else if (f.kind !== 'latency') plan.failStatus = f.kind === 'error-500' ? 500 : f.kind === 'error-503' ? 503 : 429;
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return plan;
  }
}
