/**
 * Alpaca's request budget: a rolling window (60 s by default) per API key, counted separately for the Trading API
 * and the Market Data API (both are served on this port; Alpaca runs them on two hosts with a budget each). A
 * request is admitted when fewer than `limit` requests of its key and API were admitted in the last window; a
 * refused one (429) does not count. Every /v2 response carries `X-RateLimit-Limit/Remaining/Reset`, Reset being
 * the epoch second at which the oldest counted request leaves the window (and a slot frees); past the budget,
 * when enforced, the answer is 429 with `Retry-After`. Windows run on real time: the budget is about load, not
 * about the simulated clock.
 */

/** The headers and verdict for one request. */
export interface RateLimitVerdict {
  limit: number;
  /** Requests the key may still make in the window after this one. */
  remaining: number;
  /** Epoch seconds at which the oldest counted request leaves the window. */
  reset: number;
  limited: boolean;
  /** Seconds until a slot frees, at least 1. */
  retryAfter: number;
}

export interface RateLimitOptions {
  /** Requests per window per key and API; default 200 (Alpaca's per-account budget). */
  limit?: number;
  /** Answer 429 past the budget; when false the headers are still sent. */
  enforce?: boolean;
  /** The rolling window; default 60 000 ms. */
  windowMs?: number;
  wall?: () => number;
}

/** The admission times of one key and API, oldest first, from `head` on. */
interface Bucket {
  times: number[];
  head: number;
}

/** Every this many requests, buckets with an empty window are dropped. */
const SWEEP_EVERY = 4096;

export class RateLimiter {
  limit: number;
  enforce: boolean;
  windowMs: number;
  private readonly wall: () => number;
  private readonly buckets = new Map<string, Bucket>();
  private hits = 0;

  constructor(options: RateLimitOptions = {}) {
    this.limit = options.limit ?? 200;
    this.enforce = options.enforce ?? false;
    this.windowMs = options.windowMs ?? 60_000;
    this.wall = options.wall ?? Date.now;
  }

  /** `trading` or `data`, by path. */
  static apiOf(path: string): 'trading' | 'data' {
    return path.startsWith('/v2/stocks') ? 'data' : 'trading';
  }

  /** Counts one request of a key against its rolling window (unless it is refused). */
  hit(keyId: string, api: 'trading' | 'data'): RateLimitVerdict {
    const t = this.wall();
    if (++this.hits % SWEEP_EVERY === 0) this.sweep(t);
    const name = `${api}|${keyId}`;
    let b = this.buckets.get(name);
    if (!b) {
      b = { times: [], head: 0 };
      this.buckets.set(name, b);
    }
    this.prune(b, t);
    let used = this.trim(b);
    const limited = this.enforce && used >= this.limit;
    if (!limited) {
      b.times.push(t);
      used = this.trim(b);
    }
    const oldest = b.times[b.head] ?? t;
    const freesAt = oldest + this.windowMs;
    return {
      limit: this.limit,
      remaining: Math.max(0, this.limit - used),
      reset: Math.ceil(freesAt / 1000),
      limited,
      retryAfter: Math.max(1, Math.ceil((freesAt - t) / 1000)),
    };
  }

  /** How many requests each key and API has in its window now, e.g. `{ 'trading|me': 12 }`. */
  usage(): Record<string, number> {
    const t = this.wall();
    const out: Record<string, number> = {};
    for (const [name, b] of this.buckets) {
      this.prune(b, t);
      if (b.times.length > b.head) out[name] = b.times.length - b.head;
    }
    return out;
  }

  /** Forgets every window (a new budget for everyone). */
  clear(): void {
    this.buckets.clear();
  }

  /** Drops the admissions that left the window, compacting the array now and then. */
  private prune(b: Bucket, t: number): void {
    const from = t - this.windowMs;
    while (b.head < b.times.length && (b.times[b.head] ?? t) <= from) b.head += 1;
    if (b.head > 64 && b.head * 2 > b.times.length) {
      b.times = b.times.slice(b.head);
      b.head = 0;
    }
  }

  /**
   * Keeps only the newest `limit` admissions and answers how many are left: a request is admitted exactly when the
   * `limit`-th newest has left the window, so older ones (past an unenforced budget, or a lowered limit) never
   * matter. Raising the limit later counts from what was kept.
   */
  private trim(b: Bucket): number {
    const used = b.times.length - b.head;
    if (used <= this.limit) return used;
    b.head += used - this.limit;
    return this.limit;
  }

  /** Removes the buckets whose window is empty, so keys that stopped calling cost nothing. */
  private sweep(t: number): void {
    for (const [name, b] of this.buckets) {
      this.prune(b, t);
      if (b.head >= b.times.length) this.buckets.delete(name);
    }
  }
}
