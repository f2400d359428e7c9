/**
 * Signal-to-fill latency: from the moment the day could act on its signals (the broker's clock when the market was
 * found open, after the signals arrived) to each order's fill, by the broker's clock on both ends.
 */
export interface FillLatency {
  /** The broker's time the day could act on its signals. */
  from: string;
  fills: number;
  p50Seconds: number;
  p95Seconds: number;
  maxSeconds: number;
}

/** Latency over the orders that carry a fill time; null when none does or `from` is unknown. */
export function fillLatency(orders: ReadonlyArray<{ filledAt?: string | null }>, from: string | null): FillLatency | null {
  if (!from) return null;
  const start = Date.parse(from);
  if (!Number.isFinite(start)) return null;
  const seconds = orders
    .map((order) => (order.filledAt ? (Date.parse(order.filledAt) - start) / 1000 : Number.NaN))
    .filter((value) => Number.isFinite(value))
    .map((value) => Math.max(0, value))
    .sort((a, b) => a - b);
  if (seconds.length === 0) return null;
  return {
    from, fills: seconds.length,
    p50Seconds: round3(nearestRank(seconds, 0.5)), p95Seconds: round3(nearestRank(seconds, 0.95)), maxSeconds: round3(seconds[seconds.length - 1]!),
  };
}

/** The nearest-rank percentile of sorted values: the smallest value with at least `q` of the values at or below it. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** `42 s`, `3 min 5 s`, `2 h 14 min`: an age for a terminal table. */
export function shortDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
