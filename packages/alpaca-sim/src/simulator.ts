/**
 * `startSimulator`: an Alpaca-compatible paper broker on 127.0.0.1 (Trading API v2 and Market Data v2 stock
 * endpoints, talked to by the real `@alpacahq/alpaca-trade-api` client), its options and its handle. See
 * `admin.ts` for the test hooks.
 */
import type { AddressInfo } from 'node:net';
import { exposureWarning, isLoopback, urlOf } from './bind-address';
import { buildServer } from './server';
import { marketClock } from './calendar';
import { validateFaultRule, type FaultRule } from './faults';
import type { SimStats } from './request-stats';
import { createState, type SimState } from './state';
import { MAX_SYNTHETIC_SYMBOLS } from './universe';

function instantOf(start: string | number): number {
  const ms = typeof start === 'number' ? start : Date.parse(start);
  if (!Number.isFinite(ms)) throw new Error(`start must be an ISO-8601 instant, got ${String(start)}`);
  return ms;
}

export interface SimulatorOptions {
  /** 0 = ephemeral; default 8900. */
  port?: number;
  /** Address to bind; default 127.0.0.1. Anything but loopback is warned about: see `onWarning`. */
  host?: string;
  /** Seeds prices, order ids and partial fills; default 42. */
  seed?: number;
  /** Starting equity (all cash) of every new account; default 100000. */
  equity?: number;
  /** `always-open` (default): the clock is always open. `real`: NYSE regular hours 09:30–16:00 ET, weekdays, holidays. */
  market?: 'always-open' | 'real';
  /** Delay from acceptance (and between partial fills) to execution; default 50. */
  fillLatencyMs?: number;
  /**
   * How long a cancel (DELETE) or replace (PATCH) of a working order stays `pending_cancel`/`pending_replace`
   * before the matcher settles it at its next step, where a fill may win the race; 0 makes both immediate (the
   * order is `canceled`/`replaced` when the request answers). Default: the fill latency, at most 25 (one tick).
   */
  cancelLatencyMs?: number;
  /** Share of orders whose first execution is partial; default 0.1. */
  partialFillRate?: number;
  /** Buying-power multiplier: 1 cash account (no shorts), 2 Reg-T margin (default). */
  multiplier?: number;
  /** Requests per key (and API: trading, data) in any rolling 60 s; shown in X-RateLimit-Limit; default 200. */
  rateLimitPerMinute?: number;
  /** Answer 429 past the per-key limit; default false here (tests make many requests), on in the `alpaca-sim` command. */
  enforceRateLimit?: boolean;
  /** Constituents CSV (columns Symbol, Security, GICS Sector); default the package's data/sp500-constituents.csv. */
  universeCsv?: string;
  /**
   * Synthetic US equities added beyond the universe CSV, at most 10000: `SYAAA`, `SYAAB`, ... (letters only),
   * tradable, marginable, fractionable, shortable and easy to borrow, with seeded prices like every symbol (base
   * prices $35–$170, paths within about $20–$300), quotes, trades and a year of bars. Default 0.
   */
  syntheticSymbols?: number;
  /** Simulated ms per real ms (3600 plays a 6.5-hour session in 6.5 s); default 1. */
  clockSpeed?: number;
  /** Start the simulated clock at this instant (ISO string or epoch ms); default now, or where a state file stopped. */
  start?: string | number;
  /** Keep accounts, orders, fills and positions in this SQLite file (write-through); default in memory. */
  stateFile?: string;
  /** Faults armed from the start, e.g. `[{ route: 'POST /v2/orders', kind: 'error-503', rate: 0.2 }]`. */
  faults?: FaultRule[];
  /** Hears warnings (a bind beyond loopback, a state file that was open to others); default: a line on stderr. */
  onWarning?: (message: string) => void;
}

export interface RunningSimulator {
  /** http://HOST:PORT of the address the server really bound (http://0.0.0.0:PORT for a wildcard bind). */
  url: string;
  /** The bound address, e.g. 127.0.0.1, 0.0.0.0 or ::1. */
  host: string;
  port: number;
  /** The request counters, as `GET /admin/stats` answers them. */
  stats(): SimStats;
  /** Zeroes the request counters; answers them as they were (`DELETE /admin/stats`). */
  resetStats(): SimStats;
  close(): Promise<void>;
}

/** Starts a simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`simulator: warning: ${message}\n`));
  const fillLatencyMs = Math.max(0, options.fillLatencyMs ?? 50);
  const cancelLatencyMs = Math.max(0, options.cancelLatencyMs ?? Math.min(fillLatencyMs, 25));
  const synthetic = options.syntheticSymbols ?? 0;
  if (!Number.isInteger(synthetic) || synthetic < 0 || synthetic > MAX_SYNTHETIC_SYMBOLS) {
    throw new RangeError(`syntheticSymbols must be a whole number from 0 to ${MAX_SYNTHETIC_SYMBOLS}, got ${String(options.syntheticSymbols)}`);
  }
  const state: SimState = createState({
    seed: options.seed ?? 42,
    equity: options.equity ?? 100_000,
    market: options.market ?? 'always-open',
    fillLatencyMs,
    cancelLatencyMs,
    partialFillRate: Math.min(1, Math.max(0, options.partialFillRate ?? 0.1)),
    multiplier: options.multiplier ?? 2,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 200,
    enforceRateLimit: options.enforceRateLimit ?? false,
    ...(options.universeCsv !== undefined ? { universeCsv: options.universeCsv } : {}),
    ...(synthetic > 0 ? { syntheticSymbols: synthetic } : {}),
    ...(options.clockSpeed !== undefined ? { clockSpeed: options.clockSpeed } : {}),
    ...(options.start !== undefined ? { startAt: instantOf(options.start) } : {}),
    ...(options.stateFile !== undefined ? { stateFile: options.stateFile } : {}),
    ...(options.faults !== undefined ? { faults: options.faults.map(validateFaultRule) } : {}),
  }, warn);
  const app = buildServer(state);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 8900 });
  } catch (error) {
    state.close();
    throw error;
  }
  const bound = app.server.address() as AddressInfo;
  const url = urlOf(bound);
  if (!isLoopback(bound.address)) warn(exposureWarning(url));

  const tickMs = Math.min(50, Math.max(5, Math.floor(fillLatencyMs / 2)));
  let lastTick = state.time.now();
  const ticker = setInterval(() => {
    try {
      const now = state.time.now();
      // An admin clock jump steps the book itself: never step again at a boundary it already went past.
      lastTick = Math.max(lastTick, state.engine.lastStepAt);
      // A fast clock can jump past the open or the close between ticks: step at the boundary first, so orders
      // fill at the open and day orders expire at the close, not a simulated minute later.
      if (now > lastTick) {
        const clock = marketClock(state.config.market, lastTick);
        for (const boundary of [clock.nextOpen, clock.nextClose].sort((x, y) => x - y)) {
          if (boundary > lastTick && boundary < now) state.engine.step(boundary);
        }
      }
      state.engine.step(now);
      lastTick = Math.max(lastTick, now);
      state.commit();
    } catch {
      // A matcher bug must not take the server down; the next tick retries.
    }
  }, tickMs);
  ticker.unref();

  let closed = false;
  return {
    url,
    host: bound.address,
    port: bound.port,
    stats: () => state.stats.snapshot(),
    resetStats: () => state.stats.reset(),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      await app.close();
      state.commit();
      state.close();
    },
  };
}
