/**
 * The portfolio as it crosses from the activities to the day's workflow and on to its report, queries and the CLI:
 * the summary (the domain's, re-exported here, not redefined), the reconciliation against the expected holdings,
 * the day's P&L and what `closingPortfolio` takes and gives. Types only.
 */
import type { PerformanceMetrics, PortfolioSummary, PositionDifference, SlippageReport } from '../domain/portfolio';
import type { Side } from '../domain/types';
import type { ListTables } from '../domain/large-lists';
import type { TrailLocation } from './plan';

export type {
  PerformanceMetrics, PortfolioSummary, PositionDifference, PositionSummary, SlippageReport,
} from '../domain/portfolio';

/** Symbols whose broker quantity differs from what the day expected (empty when none). */
export type Reconciliation = PositionDifference[];

/** The day's P&L: realized from the fills on average cost, unrealized from the broker's positions. */
export interface DayPnl {
  realized: number;
  realizedBySymbol: Record<string, number>;
  unrealized: number;
  /** equity − lastEquity: includes both, and price moves of untouched holdings. */
  daily: number;
  dailyPct: number;
  /** Traded notional of the day's fills, and that over equity. */
  tradedNotional: number;
  turnover: number;
}

/** Optional inputs of closingPortfolio that let it measure the day: all plain data the workflow already holds. */
export interface ClosingDetails {
  /** The day's orders as recorded (only filled quantities count). */
  orders?: Array<{ symbol: string; side: Side; filledQty: number; filledAvgPrice: number | null }>;
  /** Arrival price per symbol: the reference price each decision was planned at. */
  arrivalPrices?: Record<string, number>;
  /** Holdings before the day's fills (symbol, qty, average entry), for realized P&L on average cost. */
  startingPositions?: Array<{ symbol: string; qty: number; avgEntryPrice: number }>;
  /** Portfolio history period for the performance figures (Alpaca's `1M`, `3M`, `1A`...); default `1A`. */
  historyPeriod?: string;
  /** The day's run id: names the file a large day's positions and fills are written to. */
  runId?: string;
}

/** What closingPortfolio returns: `portfolio` and `reconciliation` always; the rest when the details allow it. */
export interface ClosingPortfolio {
  portfolio: PortfolioSummary;
  reconciliation: Reconciliation;
  pnl?: DayPnl;
  slippage?: SlippageReport;
  /** Performance over the account's equity history and the day's fills; null when the broker serves no history. */
  performance?: PerformanceMetrics | null;
  /** On a large day, the lists of CLOSING_LISTS as tables (see domain/large-lists). */
  tables?: ListTables;
  /**
   * On a day of more than CLOSING_FILE_FROM positions or fills: where the worker wrote them; the answer
   * then carries them empty, with the totals, so the report stays within a payload.
   */
  closingFile?: TrailLocation | null;
}

/** Beyond this many positions or fills, they go to the closing file instead of the history. */
export const CLOSING_FILE_FROM = 500;

/** The lists a closing answer carries as tables on a large day. */
export const CLOSING_LISTS = ['portfolio.positions', 'slippage.fills', 'reconciliation'] as const;
