/** Everything one running simulator holds, shared by the /v2 routes and the admin routes. */
import type { MarketMode } from './calendar';
import { Engine } from './engine';
import { FaultRegistry } from './faults';
import { Market } from './market';
import { TimeSource } from './time-source';
import { Universe } from './universe';

export interface SimConfig {
  seed: number;
  equity: number;
  market: MarketMode;
  fillLatencyMs: number;
  partialFillRate: number;
  multiplier: number;
  rateLimitPerMinute: number;
  enforceRateLimit: boolean;
  universeCsv?: string;
}

export interface SimState {
  config: SimConfig;
  universe: Universe;
  market: Market;
  engine: Engine;
  time: TimeSource;
  faults: FaultRegistry;
  /** The secret first seen for each key id: a different one is refused. */
  secrets: Map<string, string>;
}

export function createState(config: SimConfig): SimState {
  const universe = Universe.fromCsv(config.universeCsv);
  const market = new Market(universe, config.seed, config.market);
  const engine = new Engine({
    universe, market, mode: config.market, seed: config.seed, equity: config.equity,
    partialFillRate: config.partialFillRate, fillLatencyMs: config.fillLatencyMs, multiplier: config.multiplier,
  });
  return { config, universe, market, engine, time: new TimeSource(), faults: new FaultRegistry(), secrets: new Map() };
}
