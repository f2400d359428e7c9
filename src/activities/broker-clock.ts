import type { BrokerPort } from '../broker/port';
import type { MarketClock } from '../domain/types';

/**
 * A clock reading of an open market is reused this long, advanced by the elapsed time, so the day's wait for the
 * open, its snapshot and its batches of submits cost one or two clock calls, not one per batch; never within
 * CLOCK_BOUNDARY_MS of the close or the last submit time, where the broker's own clock decides.
 */
const CLOCK_REUSE_MS = 30_000;
const CLOCK_BOUNDARY_MS = 15_000;

/** Per broker (one per account in a worker), so every activity of the account shares the reading. */
const readings = new WeakMap<BrokerPort, { clock: MarketClock; readAt: number }>();
const inFlight = new WeakMap<BrokerPort, Promise<MarketClock>>();

/** Reads the broker's clock and keeps the reading for `recentClock`. */
export async function readClock(broker: BrokerPort): Promise<MarketClock> {
  let reading = inFlight.get(broker);
  if (!reading) {
    // Activities that ask at once (lanes of a batch) share one read.
    reading = broker.getClock().then((clock) => {
      readings.set(broker, { clock, readAt: Date.now() });
      return clock;
    }).finally(() => inFlight.delete(broker));
    inFlight.set(broker, reading);
  }
  return reading;
}

/** The broker's clock now: a recent reading of an open market advanced by the time since, or a fresh read. */
export async function recentClock(broker: BrokerPort, notAfter: string | null, freshAfter?: string): Promise<MarketClock> {
  const cached = readings.get(broker);
  if (cached && freshAfter !== undefined && cached.readAt < Date.parse(freshAfter)) return readClock(broker);
  const elapsed = cached ? Date.now() - cached.readAt : Infinity;
  if (cached && cached.clock.isOpen && elapsed >= 0 && elapsed < CLOCK_REUSE_MS) {
    const now = Date.parse(cached.clock.timestamp) + elapsed;
    const boundary = Math.min(Date.parse(cached.clock.nextClose), notAfter === null ? Infinity : Date.parse(notAfter));
    if (now + CLOCK_BOUNDARY_MS < boundary) return { ...cached.clock, timestamp: new Date(now).toISOString() };
  }
  return readClock(broker);
}
