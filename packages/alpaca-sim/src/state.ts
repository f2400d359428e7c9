/** Everything one running simulator holds, shared by the /v2 routes and the admin routes. */
import type { MarketMode } from './calendar';
import { Engine } from './engine';
import { FaultRegistry, type FaultRule } from './faults';
import { KeySecrets } from './key-secrets';
import { Market } from './market';
import { SimStore } from './persistence';
import { RateLimiter } from './rate-limit';
import { RequestStats } from './request-stats';
import { TimeSource } from './time-source';
import { Universe } from './universe';

export interface SimConfig {
  seed: number;
  equity: number;
  market: MarketMode;
  fillLatencyMs: number;
  /** How long a cancel or replace of a working order is pending; 0: immediate. */
  cancelLatencyMs: number;
  partialFillRate: number;
  multiplier: number;
  rateLimitPerMinute: number;
  enforceRateLimit: boolean;
  universeCsv?: string;
  /** Synthetic equities added to the universe (`SYAAA`, `SYAAB`, ...); default 0. */
  syntheticSymbols?: number;
  /** Simulated ms per real ms; default 1. */
  clockSpeed?: number;
  /** Simulated start instant (epoch ms); default the wall clock (or, with a state file, where it stopped). */
  startAt?: number;
  /** SQLite state file; in memory without it. */
  stateFile?: string;
  /** Faults armed from the start. */
  faults?: FaultRule[];
}

export interface SimState {
  config: SimConfig;
  universe: Universe;
  market: Market;
  engine: Engine;
  time: TimeSource;
  faults: FaultRegistry;
  limiter: RateLimiter;
  /** Request counters (GET /admin/stats). */
  stats: RequestStats;
  /** The secret first seen for each key id (as a hash): a different one is refused. */
  secrets: KeySecrets;
  /** The state file, when there is one. */
  store: SimStore | null;
  /** Writes what changed to the state file (no-op in memory). Call after every mutation. */
  commit(): void;
  /** Closes the state file. */
  close(): void;
}

/** `warn` hears what an operator should know about (a state file that was readable by others). */
export function createState(config: SimConfig, warn: (message: string) => void): SimState {
  const store = config.stateFile ? SimStore.open(config.stateFile, warn) : null;
  const loaded = store?.load() ?? null;
  const universe = Universe.fromCsv(config.universeCsv, config.syntheticSymbols ?? 0);
  const market = new Market(universe, config.seed, config.market);
  const engine = new Engine({
    universe, market, mode: config.market, seed: config.seed, equity: config.equity,
    partialFillRate: config.partialFillRate, fillLatencyMs: config.fillLatencyMs,
    cancelLatencyMs: config.cancelLatencyMs, multiplier: config.multiplier,
    ...(loaded && loaded.generation > 0 ? { idSalt: loaded.generation } : {}),
  });
  const time = new TimeSource({
    ...(config.startAt !== undefined ? { start: config.startAt } : {}),
    ...(config.clockSpeed !== undefined ? { speed: config.clockSpeed } : {}),
  });
  if (loaded) {
    engine.restore(loaded.accounts);
    // Without an explicit start, a simulated clock continues from where the last run left it.
    const c = loaded.clock;
    if (c && config.startAt === undefined && (c.frozen || c.speed !== 1 || Math.abs(c.offsetMs) > 1000)) {
      if (config.clockSpeed === undefined) time.setSpeed(c.speed);
      if (c.frozen) time.freeze(Date.parse(c.now));
      else time.setRunning(Date.parse(c.now));
    }
    store?.setSeed(config.seed);
  }
  const secrets = new KeySecrets(loaded?.secretHashes);
  return {
    config, universe, market, engine, time, secrets, store,
    faults: new FaultRegistry(config.seed, config.faults ?? []),
    limiter: new RateLimiter({ limit: config.rateLimitPerMinute, enforce: config.enforceRateLimit }),
    stats: new RequestStats(),
    commit() {
      store?.commit(engine.allAccounts(), secrets.stored(), time.describe());
    },
    close() {
      store?.close();
    },
  };
}
