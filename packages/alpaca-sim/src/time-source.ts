/**
 * The simulator's notion of now. By default the wall clock; it can start at another instant, run faster than
 * real time (`speed` simulated ms per real ms, so a 6.5-hour session plays in 6.5 s at 3600), be frozen, set and
 * advanced by the admin API. `wall` is injectable for tests.
 */
export interface TimeSourceOptions {
  /** Simulated instant at start-up (epoch ms); default: the wall clock. */
  start?: number;
  /** Simulated ms per real ms; default 1. */
  speed?: number;
  /** The real clock; default Date.now. */
  wall?: () => number;
}

/** What the admin API and the state file see of the clock. */
export interface TimeSourceState {
  now: string;
  frozen: boolean;
  speed: number;
  /** Simulated minus real time at this instant, in ms. */
  offsetMs: number;
}

export class TimeSource {
  private readonly wall: () => number;
  private readonly initial: { start: number | undefined; speed: number };
  /** Simulated instant at the real instant `anchorReal`. */
  private anchorSim = 0;
  private anchorReal = 0;
  private speedValue = 1;
  private frozen = false;

  constructor(options: TimeSourceOptions = {}) {
    this.wall = options.wall ?? Date.now;
    const speed = options.speed ?? 1;
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`clock speed must be a positive number, got ${speed}`);
    this.initial = { start: options.start, speed };
    this.reset();
  }

  now(): number {
    if (this.frozen) return this.anchorSim;
    return Math.floor(this.anchorSim + (this.wall() - this.anchorReal) * this.speedValue);
  }

  get speed(): number {
    return this.speedValue;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** Freezes time at an instant; null resumes running from the current simulated instant. */
  freeze(ms: number | null): void {
    if (ms === null) {
      if (this.frozen) this.rebase(this.anchorSim);
      this.frozen = false;
    } else {
      this.frozen = true;
      this.anchorSim = ms;
    }
  }

  /** Runs the clock from an instant onward (unfreezes). */
  setRunning(ms: number): void {
    this.frozen = false;
    this.rebase(ms);
  }

  /** Changes the rate from now on, keeping the current simulated instant. */
  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`clock speed must be a positive number, got ${speed}`);
    if (!this.frozen) this.rebase(this.now());
    this.speedValue = speed;
  }

  advance(ms: number): void {
    if (this.frozen) this.anchorSim += ms;
    else this.rebase(this.now() + ms);
  }

  /** Back to the start-up configuration: the given start instant and speed, or the wall clock at speed 1. */
  reset(): void {
    this.frozen = false;
    this.speedValue = this.initial.speed;
    this.rebase(this.initial.start ?? this.wall());
  }

  describe(): TimeSourceState {
    const now = this.now();
    return { now: new Date(now).toISOString(), frozen: this.frozen, speed: this.speedValue, offsetMs: now - this.wall() };
  }

  private rebase(simMs: number): void {
    this.anchorSim = simMs;
    this.anchorReal = this.wall();
  }
}
