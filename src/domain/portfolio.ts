import { roundTo, FRACTIONAL_SHARE_DECIMALS } from './money';
import type { Account, Position } from './types';

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
    dailyPlPct: account.lastEquity > 0 ? dailyPl / account.lastEquity : 0,
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
    if (difference !== 0) differences.push({ symbol, expectedQty, actualQty: held, difference });
  }
  return differences;
}
