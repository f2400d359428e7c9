/**
 * Market statistics from daily closes: log returns aligned by date, annualized volatility, covariance and
 * correlation matrices, and correlated groups. Pure: the bars are a parameter, nothing is fetched or timed here.
 */

/** One daily bar as the broker port returns it; `date` is the New York session date, YYYY-MM-DD. */
export interface DailyBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Trading sessions per year: the annualization factor of daily statistics. */
export const TRADING_DAYS_PER_YEAR = 252;

/** Fewest daily returns (per symbol, or in common per pair) a statistic is computed from; fewer gives "unknown". */
export const MIN_OBSERVATIONS = 20;

/** Daily log returns of every symbol on one shared, sorted date axis; NaN where a symbol has no return that day. */
export interface ReturnPanel {
  /** The date each return ends on, ascending. */
  dates: string[];
  symbols: string[];
  /** returns[k][t]: log(close_t / close_{t−1}) of symbols[k], NaN unless both closes exist. */
  returns: Float64Array[];
}

/** A square matrix over `symbols` (row and column order); NaN marks a pair with too few common observations. */
export interface SymbolMatrix {
  symbols: string[];
  values: Float64Array[];
}

/** Log returns of a close series: one fewer than the closes; non-positive or non-finite closes give NaN. */
export function logReturns(closes: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < closes.length; i++) {
    const a = closes[i - 1]!;
    const b = closes[i]!;
    out.push(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b) ? Math.log(b / a) : Number.NaN);
  }
  return out;
}

/**
 * Aligns every symbol's closes on the union of their dates and takes log returns between consecutive dates of
 * that axis. A symbol missing a date (a halt, a late listing) gets NaN there and on the next date, rather than a
 * multi-day return posing as a daily one. Symbols are sorted so the result does not depend on key order.
 */
export function alignReturns(bars: Record<string, readonly DailyBar[]>): ReturnPanel {
  const dateSet = new Set<string>();
  for (const series of Object.values(bars)) for (const bar of series) dateSet.add(bar.date);
  const axis = [...dateSet].sort();
  const position = new Map(axis.map((date, i) => [date, i]));
  const symbols = Object.keys(bars).sort();
  const returns = symbols.map((symbol) => {
    const closes = new Float64Array(axis.length).fill(Number.NaN);
    for (const bar of bars[symbol] ?? []) {
      if (bar.close > 0 && Number.isFinite(bar.close)) closes[position.get(bar.date)!] = bar.close;
    }
    const out = new Float64Array(Math.max(0, axis.length - 1));
    for (let t = 1; t < axis.length; t++) out[t - 1] = Math.log(closes[t]! / closes[t - 1]!); // NaN propagates
    return out;
  });
  return { dates: axis.slice(1), symbols, returns };
}

/** The last `window` return dates of a panel. */
export function lastReturns(panel: ReturnPanel, window: number): ReturnPanel {
  const from = Math.max(0, panel.dates.length - window);
  return { dates: panel.dates.slice(from), symbols: panel.symbols, returns: panel.returns.map((series) => series.subarray(from)) };
}

function validCount(series: Float64Array): number {
  let n = 0;
  for (let t = 0; t < series.length; t++) if (!Number.isNaN(series[t]!)) n++;
  return n;
}

/** Sample standard deviation of the non-NaN values × √252; NaN with fewer than MIN_OBSERVATIONS values. */
export function annualizedVolatilityOf(series: ArrayLike<number>): number {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let t = 0; t < series.length; t++) {
    const x = series[t]!;
    if (Number.isNaN(x)) continue;
    n++;
    sum += x;
    sumSq += x * x;
  }
  if (n < MIN_OBSERVATIONS) return Number.NaN;
  const variance = Math.max(0, (sumSq - (sum * sum) / n) / (n - 1));
  return Math.sqrt(variance * TRADING_DAYS_PER_YEAR);
}

/** Annualized volatility per symbol over the last `window` returns; symbols with too little history are absent. */
export function annualizedVolatility(panel: ReturnPanel, window: number): Record<string, number> {
  const recent = lastReturns(panel, window);
  const out: Record<string, number> = {};
  recent.symbols.forEach((symbol, k) => {
    const sigma = annualizedVolatilityOf(recent.returns[k]!);
    if (Number.isFinite(sigma)) out[symbol] = sigma;
  });
  return out;
}

/**
 * Pairwise-complete sample covariance (kind 'covariance', annualized) or correlation (kind 'correlation') over
 * the last `window` returns. Only symbols with at least MIN_OBSERVATIONS returns are in the matrix; a pair with
 * fewer common returns is NaN. One pass per pair keeps a 500-symbol year well under a second.
 */
function pairwise(panel: ReturnPanel, window: number, kind: 'covariance' | 'correlation'): SymbolMatrix {
  const recent = lastReturns(panel, window);
  const keep = recent.symbols.map((_, k) => k).filter((k) => validCount(recent.returns[k]!) >= MIN_OBSERVATIONS);
  const symbols = keep.map((k) => recent.symbols[k]!);
  const series = keep.map((k) => recent.returns[k]!);
  const n = symbols.length;
  const values = Array.from({ length: n }, () => new Float64Array(n));
  const length = recent.dates.length;
  for (let i = 0; i < n; i++) {
    const x = series[i]!;
    for (let j = i; j < n; j++) {
      const y = series[j]!;
      let count = 0;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let t = 0; t < length; t++) {
        const a = x[t]!;
        const b = y[t]!;
        if (a !== a || b !== b) continue; // NaN
        count++;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
      }
      let value = Number.NaN;
      if (count >= MIN_OBSERVATIONS) {
        const cov = (sxy - (sx * sy) / count) / (count - 1);
        if (kind === 'covariance') {
          value = cov * TRADING_DAYS_PER_YEAR;
        } else {
          const vx = (sxx - (sx * sx) / count) / (count - 1);
          const vy = (syy - (sy * sy) / count) / (count - 1);
          // A constant series has no defined correlation; i === j is 1 by definition.
          value = i === j ? 1 : vx > 0 && vy > 0 ? Math.max(-1, Math.min(1, cov / Math.sqrt(vx * vy))) : Number.NaN;
        }
      }
      values[i]![j] = value;
      values[j]![i] = value;
    }
  }
  return { symbols, values };
}

/** Annualized covariance matrix of daily log returns over the last `window` returns. */
export function covarianceMatrix(panel: ReturnPanel, window: number): SymbolMatrix {
  return pairwise(panel, window, 'covariance');
}

/** Correlation matrix of daily log returns over the last `window` returns. */
export function correlationMatrix(panel: ReturnPanel, window: number): SymbolMatrix {
  return pairwise(panel, window, 'correlation');
}

/** Row/column index of each symbol of a matrix. */
export function matrixIndex(matrix: SymbolMatrix): Map<string, number> {
  return new Map(matrix.symbols.map((symbol, i) => [symbol, i]));
}

/** The matrix entry for two symbols; NaN when either is absent or the pair is unknown. */
export function matrixValue(matrix: SymbolMatrix, index: Map<string, number>, a: string, b: string): number {
  const i = index.get(a);
  const j = index.get(b);
  return i === undefined || j === undefined ? Number.NaN : matrix.values[i]![j]!;
}

/**
 * Groups symbols whose pairwise return correlation exceeds `threshold`, transitively (union-find over the pairs):
 * if A~B and B~C, then A, B and C share one exposure cap even when A and C are less correlated. Returns each
 * symbol in a group of two or more → the group's members, sorted. Unknown (NaN) pairs never join.
 */
export function correlatedGroups(correlation: SymbolMatrix, threshold: number): Record<string, string[]> {
  const n = correlation.symbols.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[i] !== root) {
      const next = parent[i]!;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  for (let i = 0; i < n; i++) {
    const row = correlation.values[i]!;
    for (let j = i + 1; j < n; j++) {
      if (row[j]! > threshold) {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const members = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    const list = members.get(root) ?? [];
    list.push(correlation.symbols[i]!);
    members.set(root, list);
  }
  const groups: Record<string, string[]> = {};
  for (const list of members.values()) {
    if (list.length < 2) continue;
    const sorted = [...list].sort();
    for (const symbol of sorted) groups[symbol] = sorted;
  }
  return groups;
}

/** What planning needs from the bars: volatility, covariance for sizing, correlation for grouping. */
export interface MarketStats {
  /** Annualized volatility by symbol (volatility window); symbols without enough history are absent. */
  volatility: Record<string, number>;
  /** Annualized covariance (volatility window). */
  covariance: SymbolMatrix;
  /** Correlation (correlation window). */
  correlation: SymbolMatrix;
  /** Requested symbols with fewer than MIN_OBSERVATIONS daily returns: their risk checks say "unknown". */
  missing: string[];
  /** Return dates in the panel: first and last, and how many. */
  firstDate: string | null;
  lastDate: string | null;
  days: number;
}

/** All market statistics from daily bars, for the requested symbols (those without bars are listed as missing). */
export function marketStats(
  bars: Record<string, readonly DailyBar[]>, symbols: readonly string[], windows: { volatility: number; correlation: number },
): MarketStats {
  const wanted: Record<string, readonly DailyBar[]> = {};
  for (const symbol of symbols) wanted[symbol] = bars[symbol] ?? [];
  const panel = alignReturns(wanted);
  const volatility = annualizedVolatility(panel, windows.volatility);
  return {
    volatility,
    covariance: covarianceMatrix(panel, windows.volatility),
    correlation: correlationMatrix(panel, windows.correlation),
    missing: [...new Set(symbols)].filter((symbol) => volatility[symbol] === undefined).sort(),
    firstDate: panel.dates[0] ?? null,
    lastDate: panel.dates[panel.dates.length - 1] ?? null,
    days: panel.dates.length,
  };
}
