/** The simulator's notion of now: the wall clock, optionally shifted or frozen by the admin API. */
export class TimeSource {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  /** Freezes time at an instant (null resumes the wall clock from the current simulated instant). */
  freeze(ms: number | null): void {
    if (ms === null) {
      if (this.frozenAt !== null) this.offsetMs = this.frozenAt - Date.now();
      this.frozenAt = null;
    } else this.frozenAt = ms;
  }

  /** Runs the clock from an instant onward. */
  setRunning(ms: number): void {
    this.frozenAt = null;
    this.offsetMs = ms - Date.now();
  }

  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
    this.frozenAt = null;
  }

  describe(): { now: string; frozen: boolean; offsetMs: number } {
    return { now: new Date(this.now()).toISOString(), frozen: this.frozenAt !== null, offsetMs: this.offsetMs };
  }
}
