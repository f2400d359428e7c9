/**
 * An Alpaca-compatible paper broker on 127.0.0.1: Trading API v2 and Market Data v2 stock endpoints, talked
 * to by the real `@alpacahq/alpaca-trade-api` client. See `admin.ts` for the test hooks.
 */
import { buildServer } from './server';
import { createState, type SimState } from './state';

export interface SimulatorOptions {
  /** 0 = ephemeral; default 8900. */
  port?: number;
  /** Address to bind; default 127.0.0.1. The admin API answers loopback callers only, whatever the bind. */
  host?: string;
  /** Seeds prices, order ids and partial fills; default 42. */
  seed?: number;
  /** Starting equity (all cash) of every new account; default 100000. */
  equity?: number;
  /** `always-open` (default): the clock is always open. `real`: NYSE regular hours 09:30–16:00 ET, weekdays, holidays. */
  market?: 'always-open' | 'real';
  /** Delay from acceptance (and between partial fills) to execution; default 50. */
  fillLatencyMs?: number;
  /** Share of orders whose first execution is partial; default 0.1. */
  partialFillRate?: number;
  /** Buying-power multiplier: 1 cash account (no shorts), 2 Reg-T margin (default). */
  multiplier?: number;
  /** Shown in X-RateLimit-Limit; default 200. */
  rateLimitPerMinute?: number;
  /** Answer 429 past the per-key limit; default false. */
  enforceRateLimit?: boolean;
  /** Constituents CSV; default data/sp500-constituents.csv. */
  universeCsv?: string;
}

export interface RunningSimulator {
  /** http://127.0.0.1:PORT (the bound host, or 127.0.0.1 for a wildcard bind) */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts a simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const fillLatencyMs = Math.max(0, options.fillLatencyMs ?? 50);
  const state: SimState = createState({
    seed: options.seed ?? 42,
    equity: options.equity ?? 100_000,
    market: options.market ?? 'always-open',
    fillLatencyMs,
    partialFillRate: Math.min(1, Math.max(0, options.partialFillRate ?? 0.1)),
    multiplier: options.multiplier ?? 2,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 200,
    enforceRateLimit: options.enforceRateLimit ?? false,
    ...(options.universeCsv !== undefined ? { universeCsv: options.universeCsv } : {}),
  });
  const app = buildServer(state);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8900 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8900);

  const tickMs = Math.min(50, Math.max(5, Math.floor(fillLatencyMs / 2)));
  const ticker = setInterval(() => {
    try {
      state.engine.step(state.time.now());
    } catch {
      // A matcher bug must not take the server down; the next tick retries.
    }
  }, tickMs);
  ticker.unref();

  let closed = false;
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      await app.close();
    },
  };
}
