/** How an account's requests were paced so far, for the day's status. */
export interface PacingStats {
  /** The budget: requests per rolling minute. */
  perMinute: number;
  requests: number;
  /** Requests that had to wait for the window, and how long they waited in all and at most. */
  delayed: number;
  waitedMs: number;
  maxWaitMs: number;
}

const WINDOW_MS = 60_000;

/**
 * A broker's request budget as Alpaca counts it: at most `perMinute` requests in any rolling 60 seconds, per account
 * key. A request holds a slot while in flight and counts from the moment its answer arrived, which is never earlier
 * than the broker counted it, so the window here never frees a slot before the broker's does. (The SDK's own
 * limiter is a token bucket: full, plus its refill, it lets through up to twice the budget in one minute.)
 */
export class RequestBudget {
  private readonly done: number[] = [];
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly stats: PacingStats;

  constructor(readonly perMinute: number, private readonly now: () => number = Date.now) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`requests per minute must be a positive integer, got ${perMinute}`);
    this.stats = { perMinute, requests: 0, delayed: 0, waitedMs: 0, maxWaitMs: 0 };
  }

  /** Waits for a slot; the answer is the release to call once the request's answer (or failure) is in. */
  async acquire(): Promise<() => void> {
    const asked = this.now();
    if (this.waiting.length === 0 && this.hasRoom()) {
      this.inFlight += 1;
    } else {
      // schedule() hands the slot over (counts it in flight) before it wakes this waiter.
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.schedule();
      });
      const waited = this.now() - asked;
      this.stats.delayed += 1;
      this.stats.waitedMs += waited;
      this.stats.maxWaitMs = Math.max(this.stats.maxWaitMs, waited);
    }
    this.stats.requests += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.done.push(this.now());
      this.schedule();
    };
  }

  pacing(): PacingStats {
    return { ...this.stats };
  }

  private hasRoom(): boolean {
    const since = this.now() - WINDOW_MS;
    while (this.done.length > 0 && this.done[0]! <= since) this.done.shift();
    return this.done.length + this.inFlight < this.perMinute;
  }

  /** Wakes the waiters the window has room for, in order; else wakes up when the oldest counted request leaves it. */
  private schedule(): void {
    while (this.waiting.length > 0 && this.hasRoom()) {
      this.inFlight += 1;
      this.waiting.shift()!();
    }
    if (this.timer !== null || this.waiting.length === 0) return;
    const oldest = this.done[0];
    // Every slot in flight: the next release schedules again.
    if (oldest === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule();
    }, Math.max(oldest + WINDOW_MS - this.now() + 1, 1));
    this.timer.unref?.();
  }
}
