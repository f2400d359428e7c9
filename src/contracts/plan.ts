/**
 * The planning boundary between the day's workflow and the snapshot and planning activities: what a plan is asked
 * with and what comes back into the workflow's history (kept small: quotes, assets and bars stay in the worker),
 * where the full decision trail was written, and where the risk statistics came from. Types only.
 */
import type {
  Account, Asset, BrokerOrder, DayPlan, MarketClock, OrderIntent, Position, Quote, Rejection, Signal, SymbolDecision,
  TradingState,
} from '../domain/types';
import type { OrderTable } from '../domain/order-table';

/** Everything the day's decisions are made from, taken at one moment. */
export interface MarketSnapshot {
  account: Account;
  positions: Position[];
  openOrders: BrokerOrder[];
  quotes: Record<string, Quote>;
  assets: Record<string, Asset>;
  clock: MarketClock;
}

/** The plan of a day from a snapshot the workflow holds (`planOrders`: days before the compact-plan patch). */
export interface PlanRequest {
  runId: string;
  signals: Signal[];
  snapshot: MarketSnapshot;
  tradingState: TradingState;
  ordersSubmittedToday: number;
  /**
   * The account whose broker serves the daily bars; default: execution.account. On a several-account worker the
   * workflow must pass it, or the plan goes ahead without volatility and correlation (the verdicts say so).
   */
  account?: string;
}

/** The plan of a day, snapshot taken by the activity itself (`planTheDay`). */
export interface DayPlanRequest {
  runId: string;
  signals: Signal[];
  tradingState: TradingState;
  ordersSubmittedToday: number;
}

/** Where the plan's volatility and correlation came from: small enough to sit in the workflow history. */
export interface MarketDataSummary {
  /** Symbols bars were asked for (signals and holdings). */
  symbols: number;
  /** Of those, symbols with enough daily returns for volatility and correlation. */
  withHistory: number;
  /** Symbols whose risk checks report VOLATILITY_UNKNOWN / CORRELATION_UNKNOWN. */
  missing: string[];
  firstDate: string | null;
  lastDate: string | null;
  /** Return dates on the aligned axis. */
  days: number;
  /** Why no bars could be read, when the bars request failed; planning goes on without them. */
  error: string | null;
}

/** The plan as the workflow receives it from `planOrders`. */
export type PlanResult = DayPlan & { tradingState: TradingState; marketData?: MarketDataSummary };

/** Where a day's full decision trail was written, as the report names it. */
export interface TrailLocation {
  /** Absolute path on the worker that planned the day (mount trail_dir on a shared volume to read it elsewhere). */
  path: string;
  symbols: number;
  bytes: number;
}

/**
 * The plan of a day as its history carries it (`planTheDay`): the orders (a table beyond ORDER_TABLE_FROM orders),
 * every rejection (symbol and reason code), the decisions (all of them on a day of up to FULL_DECISIONS_MAX
 * symbols; beyond, each order's arrival price and only the decisions the second wave needs), counts by outcome, the
 * snapshot the workflow needs (account, positions, clock), and where the full trail lives.
 */
export interface CompactDayPlan {
  /** Empty when `orderTable` carries them. */
  orders: OrderIntent[];
  orderTable?: OrderTable;
  rejected: Rejection[];
  decisions: SymbolDecision[];
  /** On a large day: the price each order's decision was made at (its decisions are in the trail). */
  arrivalPrices?: Record<string, number>;
  /** Decisions by outcome, all symbols. */
  decisionCounts: Record<SymbolDecision['outcome'], number>;
  /** The full trail (every symbol, every check's verdict, the snapshot's quotes); null when it could not be written. */
  trail: TrailLocation | null;
  tradingState: TradingState;
  marketData: MarketDataSummary & { missingCount: number };
  account: Account;
  positions: Position[];
  clock: MarketClock;
}
