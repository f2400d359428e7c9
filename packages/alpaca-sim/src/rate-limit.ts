/**
 * Alpaca's request budget: a fixed one-minute window per API key, counted separately for the Trading API and
 * the Market Data API (both are served on this port; Alpaca runs them on two hosts with a budget each). Every
 * /v2 response carries `X-RateLimit-Limit/Remaining/Reset` (reset in epoch seconds); past the budget, when
 * enforced, the answer is 429 with `Retry-After`. Windows run on real time: the budget is about load, not about
 * the simulated clock.
 */

/** The headers and verdict for one request. */
export interface RateLimitVerdict {
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window resets. */
  reset: number;
  limited: boolean;
  /** Seconds until the reset, at least 1. */
  retryAfter: number;
}

export interface RateLimitOptions {
  /** Requests per window per key and API; default 200 (Alpaca's per-account budget). */
  limit?: number;
  /** Answer 429 past the budget; when false the headers are still sent. */
  enforce?: boolean;
  windowMs?: number;
  wall?: () => number;
}

export class RateLimiter {
  limit: number;
  enforce: boolean;
  private readonly windowMs: number;
  private readonly wall: () => number;
  private readonly windows = new Map<string, { start: number; count: number }>();

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

  /** Counts one request of a key against its window. */
  hit(keyId: string, api: 'trading' | 'data'): RateLimitVerdict {
    const t = this.wall();
    const bucket = `${api}|${keyId}`;
    let w = this.windows.get(bucket);
    if (!w || t - w.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.windows.clear();
      w = { start: t, count: 0 };
      this.windows.set(bucket, w);
    }
    w.count += 1;
    const resetMs = w.start + this.windowMs;
    return {
      limit: this.limit,
      remaining: Math.max(0, this.limit - w.count),
      reset: Math.ceil(resetMs / 1000),
      limited: this.enforce && w.count > this.limit,
      retryAfter: Math.max(1, Math.ceil((resetMs - t) / 1000)),
    };
  }

  /** Forgets every window (a new budget for everyone). */
  clear(): void {
    this.windows.clear();
  }
}
