import { dailyPlPct } from './account-pl';
import { roundTo, roundToCents, FRACTIONAL_SHARE_DECIMALS } from './money';
import type { Account, Position, Side } from './types';

/** One position as the portfolio summary reports it. */
export interface PositionSummary {
  symbol: string;
  qty: number;
  marketValue: number;
  /** Signed share of equity (0 when equity is not positive). */
  weight: number;
  unrealizedPl: number;
}

/** Account-level exposure and P&L. */
export interface PortfolioSummary {
  equity: number;
  cash: number;
  buyingPower: number;
  longExposure: number;
  /** Absolute dollar value of the shorts. */
  shortExposure: number;
  grossExposure: number;
  netExposure: number;
  unrealizedPl: number;
  /** equity − lastEquity. */
  dailyPl: number;
  /** dailyPl / lastEquity (0 without a usable lastEquity). */
  dailyPlPct: number;
  positions: PositionSummary[];
}

/** Exposure, P&L and per-position weights from the broker's account and positions, positions sorted by symbol. */
export function summarizePortfolio(account: Account, positions: Position[]): PortfolioSummary {
  let longExposure = 0;
  let shortExposure = 0;
  let unrealizedPl = 0;
  for (const position of positions) {
    if (position.marketValue >= 0) longExposure += position.marketValue;
    else shortExposure += -position.marketValue;
    unrealizedPl += position.unrealizedPl;
  }
  const dailyPl = account.equity - account.lastEquity;
  return {
    equity: account.equity,
    cash: account.cash,
    buyingPower: account.buyingPower,
    longExposure,
    shortExposure,
    grossExposure: longExposure + shortExposure,
    netExposure: longExposure - shortExposure,
    unrealizedPl,
    dailyPl,
    dailyPlPct: dailyPlPct(account),
    positions: [...positions]
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0))
      .map((position) => ({
        symbol: position.symbol,
        qty: position.qty,
        marketValue: position.marketValue,
        weight: account.equity > 0 ? position.marketValue / account.equity : 0,
        unrealizedPl: position.unrealizedPl,
      })),
  };
}

/** A symbol whose broker quantity differs from what we expected. */
export interface PositionDifference {
  symbol: string;
  expectedQty: number;
  actualQty: number;
  /** actualQty − expectedQty. */
  difference: number;
  /** missing_at_broker: expected, none held; unexpected_at_broker: held, none expected; else quantity_mismatch. */
  kind: 'missing_at_broker' | 'unexpected_at_broker' | 'quantity_mismatch';
}

/** Symbols where the broker's positions differ from the expected quantities (missing on either side counts as 0), sorted by symbol. */
export function reconcile(expected: Record<string, number>, actual: Position[]): PositionDifference[] {
  const actualQty: Record<string, number> = {};
  for (const position of actual) actualQty[position.symbol] = (actualQty[position.symbol] ?? 0) + position.qty;
  const symbols = [...new Set([...Object.keys(expected), ...Object.keys(actualQty)])].sort();
  const differences: PositionDifference[] = [];
  for (const symbol of symbols) {
    const expectedQty = expected[symbol] ?? 0;
    const held = actualQty[symbol] ?? 0;
    // Fractional quantities carry at most 9 decimals; anything finer is float noise, not a discrepancy.
    const difference = roundTo(held - expectedQty, FRACTIONAL_SHARE_DECIMALS);
    if (difference === 0) continue;
    const kind = held === 0 ? 'missing_at_broker' : expectedQty === 0 ? 'unexpected_at_broker' : 'quantity_mismatch';
    differences.push({ symbol, expectedQty, actualQty: held, difference, kind });
  }
  return differences;
}

/** One execution, as the day's order records report it (an order's total fill at its average price). */
export interface Fill {
  symbol: string;
  side: Side;
  qty: number;
  price: number;
}

/** The fills in a list of order records: those with a filled quantity and an average price. */
export function fillsOf(orders: ReadonlyArray<{ symbol: string; side: Side; filledQty: number; filledAvgPrice: number | null }>): Fill[] {
  return orders
    .filter((order) => order.filledQty > 0 && order.filledAvgPrice !== null && order.filledAvgPrice > 0)
    .map((order) => ({ symbol: order.symbol, side: order.side, qty: order.filledQty, price: order.filledAvgPrice! }));
}

/** Realized P&L of fills on average cost, from the holdings before them. */
export interface RealizedPnl {
  total: number;
  bySymbol: Record<string, number>;
  /** Fills that closed (part of) a position, with what that part realized: the base of the hit rate. */
  closing: Array<{ symbol: string; qty: number; pnl: number }>;
}

/**
 * Realized P&L on average cost: a fill that shrinks a position realizes (price − average entry) per share closed
 * (mirrored for shorts); one that grows it moves the average; one that crosses zero does both.
 */
export function realizedPnl(
  starting: ReadonlyArray<{ symbol: string; qty: number; avgEntryPrice: number }>, fills: readonly Fill[],
): RealizedPnl {
  const book = new Map<string, { qty: number; cost: number }>();
  for (const position of starting) book.set(position.symbol, { qty: position.qty, cost: position.avgEntryPrice });
  const bySymbol: Record<string, number> = {};
  const closing: RealizedPnl['closing'] = [];
  let total = 0;
  for (const fill of fills) {
    const held = book.get(fill.symbol) ?? { qty: 0, cost: 0 };
    const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
    let qty = held.qty;
    let cost = held.cost;
    if (qty !== 0 && Math.sign(signed) === -Math.sign(qty)) {
      const closed = Math.min(Math.abs(signed), Math.abs(qty));
      const pnl = roundToCents(closed * (fill.price - cost) * Math.sign(qty));
      total += pnl;
      bySymbol[fill.symbol] = roundToCents((bySymbol[fill.symbol] ?? 0) + pnl);
      closing.push({ symbol: fill.symbol, qty: closed, pnl });
      const rest = Math.abs(signed) - closed;
      qty = roundTo(qty + Math.sign(signed) * closed, FRACTIONAL_SHARE_DECIMALS);
      if (rest > 0) {
        qty = roundTo(Math.sign(signed) * rest, FRACTIONAL_SHARE_DECIMALS);
        cost = fill.price;
      }
      if (qty === 0) cost = 0;
    } else {
      const next = roundTo(qty + signed, FRACTIONAL_SHARE_DECIMALS);
      cost = next === 0 ? 0 : (Math.abs(qty) * cost + Math.abs(signed) * fill.price) / Math.abs(next);
      qty = next;
    }
    book.set(fill.symbol, { qty, cost });
  }
  return { total: roundToCents(total), bySymbol, closing };
}

/** How far one fill was from the arrival price (the quote when the order was planned). */
export interface FillSlippage {
  symbol: string;
  side: Side;
  qty: number;
  arrivalPrice: number;
  fillPrice: number;
  /** Positive is a cost: paid above arrival on a buy, sold below it on a sell. */
  slippageBps: number;
  /** Dollars lost to slippage (negative when the fill beat the arrival price). */
  cost: number;
}

/** Slippage of every fill with a known arrival price, and the notional-weighted total. */
export interface SlippageReport {
  fills: FillSlippage[];
  /** Fills without an arrival price, by symbol. */
  unmeasured: string[];
  notional: number;
  cost: number;
  /** cost / arrival notional × 10,000 (0 without fills). */
  weightedBps: number;
}

/** Slippage against arrival prices: side × (fill − arrival) / arrival. */
export function slippageReport(fills: readonly Fill[], arrivalPrices: Readonly<Record<string, number>>): SlippageReport {
  const measured: FillSlippage[] = [];
  const unmeasured: string[] = [];
  let notional = 0;
  let cost = 0;
  for (const fill of fills) {
    const arrival = arrivalPrices[fill.symbol];
    if (arrival === undefined || !(arrival > 0)) {
      unmeasured.push(fill.symbol);
      continue;
    }
    const direction = fill.side === 'buy' ? 1 : -1;
    const fillCost = direction * (fill.price - arrival) * fill.qty;
    measured.push({
      symbol: fill.symbol, side: fill.side, qty: fill.qty, arrivalPrice: arrival, fillPrice: fill.price,
      slippageBps: roundTo((direction * (fill.price - arrival) / arrival) * 10_000, 2), cost: roundToCents(fillCost),
    });
    notional += arrival * fill.qty;
    cost += fillCost;
  }
  return {
    fills: measured, unmeasured, notional: roundToCents(notional), cost: roundToCents(cost),
    weightedBps: notional > 0 ? roundTo((cost / notional) * 10_000, 2) : 0,
  };
}

/** Performance of an equity series (one point per period) and the fills over it. */
export interface PerformanceMetrics {
  periods: number;
  from: string;
  to: string;
  startEquity: number;
  endEquity: number;
  /** endEquity / startEquity − 1. */
  totalReturn: number;
  /** Standard deviation of period returns × √periodsPerYear. */
  annualizedVolatility: number;
  /** mean / standard deviation of period returns × √periodsPerYear, risk-free rate 0; null when the deviation is 0. */
  sharpe: number | null;
  /** mean / downside deviation × √periodsPerYear; null without a losing period. */
  sortino: number | null;
  /** Largest peak-to-trough fall, as a positive share of the peak. */
  maxDrawdown: number;
  /** Traded notional of the fills / average equity. */
  turnover: number;
  /** Share of position-closing fills that realized a gain; null without any. */
  hitRate: number | null;
  /**
   * The equity series the figures were computed from, compact: `[date, equity]` (the date alone on a daily series,
   * else the period's start instant), for the report's equity chart. Absent on reports written before it.
   */
  equityCurve?: Array<[string, number]>;
}

/** Points an equity curve keeps at most (a year of daily points fits; a longer series is thinned, its ends kept). */
export const EQUITY_CURVE_MAX = 400;

/**
 * `[date, equity]` pairs of an equity series with positive equity (as performanceMetrics uses it): the date part of
 * each timestamp on a daily (`1D`) series, the whole timestamp otherwise; thinned evenly to `max` points.
 */
export function equityCurveOf(
  series: ReadonlyArray<{ timestamp: string; equity: number }>, timeframe = '1D', max = EQUITY_CURVE_MAX,
): Array<[string, number]> {
  const points = series.filter((point) => Number.isFinite(point.equity) && point.equity > 0);
  const step = points.length > max ? (points.length - 1) / (max - 1) : 1;
  const picked = step === 1 ? points : Array.from({ length: max }, (_, i) => points[Math.round(i * step)]!);
  return picked.map((point) => [timeframe === '1D' ? point.timestamp.slice(0, 10) : point.timestamp, roundToCents(point.equity)]);
}

/**
 * Return, volatility, Sharpe, Sortino and drawdown of an equity series, and turnover and hit rate of the fills over
 * it; null with fewer than two usable points. Points with non-positive equity (an account not yet funded) are dropped.
 */
export function performanceMetrics(
  series: ReadonlyArray<{ timestamp: string; equity: number }>, fills: readonly Fill[] = [],
  startingPositions: ReadonlyArray<{ symbol: string; qty: number; avgEntryPrice: number }> = [], periodsPerYear = 252,
): PerformanceMetrics | null {
  const points = series.filter((point) => Number.isFinite(point.equity) && point.equity > 0);
  if (points.length < 2) return null;
  const returns: number[] = [];
  for (let i = 1; i < points.length; i++) returns.push(points[i]!.equity / points[i - 1]!.equity - 1);
  const mean = returns.reduce((sum, r) => sum + r, 0) / returns.length;
  const variance = returns.length > 1 ? returns.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (returns.length - 1) : 0;
  const deviation = Math.sqrt(variance);
  const downside = Math.sqrt(returns.reduce((sum, r) => sum + Math.min(0, r) ** 2, 0) / returns.length);
  const annualize = Math.sqrt(periodsPerYear);
  let peak = 0;
  let maxDrawdown = 0;
  for (const point of points) {
    peak = Math.max(peak, point.equity);
    maxDrawdown = Math.max(maxDrawdown, 1 - point.equity / peak);
  }
  const averageEquity = points.reduce((sum, point) => sum + point.equity, 0) / points.length;
  const traded = fills.reduce((sum, fill) => sum + fill.qty * fill.price, 0);
  const closing = realizedPnl(startingPositions, fills).closing;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return {
    periods: returns.length,
    from: first.timestamp,
    to: last.timestamp,
    startEquity: first.equity,
    endEquity: last.equity,
    totalReturn: roundTo(last.equity / first.equity - 1, 8),
    annualizedVolatility: roundTo(deviation * annualize, 8),
    sharpe: deviation > 0 ? roundTo((mean / deviation) * annualize, 6) : null,
    sortino: downside > 0 ? roundTo((mean / downside) * annualize, 6) : null,
    maxDrawdown: roundTo(maxDrawdown, 8),
    turnover: roundTo(traded / averageEquity, 8),
    hitRate: closing.length > 0 ? roundTo(closing.filter((c) => c.pnl > 0).length / closing.length, 6) : null,
  };
}
