/** Fault injection for tests: per-route failures the admin API arms and the /v2 routes consume. */

export const FAULT_KINDS = ['lose-response', 'error-500', 'error-503', 'latency', 'rate-limit'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** An armed fault. `route` is `METHOD /path` as registered (`DELETE /v2/orders/:id`) or as requested. */
export interface Fault {
  route: string;
  kind: FaultKind;
  /** Requests still to affect; Infinity until cleared. */
  remaining: number;
  latencyMs: number;
}

/** What the armed faults do to one request. */
export interface FaultPlan {
  latencyMs: number;
  /** Answer this status before the handler runs (no effect on state). */
  failStatus: 500 | 503 | 429 | null;
  /** Run the handler, then drop the connection without an answer. */
  loseResponse: boolean;
}

function matches(pattern: string, method: string, routeUrl: string, path: string): boolean {
  const [pm, ...rest] = pattern.trim().split(/\s+/);
  const pp = rest.join(' ') || '*';
  if (pm !== '*' && pm?.toUpperCase() !== method.toUpperCase()) return false;
  if (pp === '*') return true;
  if (pp.endsWith('*')) return path.startsWith(pp.slice(0, -1));
  return pp === routeUrl || pp === path;
}

export class FaultRegistry {
  private faults: Fault[] = [];

  /** Arms a fault; `count` defaults to 1 (fail once), 0 or a negative number means until cleared. */
  add(input: { route: string; kind: FaultKind; count?: number; latencyMs?: number }): Fault {
    const count = input.count ?? 1;
    const fault: Fault = {
      route: input.route,
      kind: input.kind,
      remaining: count > 0 ? count : Infinity,
      latencyMs: input.latencyMs ?? (input.kind === 'latency' ? 1000 : 0),
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Consumes the faults matching one request. */
  take(method: string, routeUrl: string, path: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0, failStatus: null, loseResponse: false };
    for (const f of this.faults) {
      if (f.remaining <= 0 || !matches(f.route, method, routeUrl, path)) continue;
      if (f.kind !== 'latency' && (plan.failStatus !== null || plan.loseResponse)) continue;
      f.remaining -= 1;
      if (f.kind === 'latency') plan.latencyMs += f.latencyMs;
      else if (f.kind === 'lose-response') plan.loseResponse = true;
      else plan.failStatus = f.kind === 'error-500' ? 500 : f.kind === 'error-503' ? 503 : 429;
      if (f.latencyMs > 0 && f.kind !== 'latency') plan.latencyMs += f.latencyMs;
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return plan;
  }
}
