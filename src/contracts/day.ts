/**
 * The day's boundary: what a client (CLI, signal job, schedule) starts `dailyTrading` with, what its queries,
 * updates and result answer, and the session guard the day's submits carry to the order activity. Types only.
 */
import type { FillLatency } from '../domain/fill-latency';
import type {
  Account, BrokerOrder, OrderIntent, Rejection, Side, Signal, SymbolDecision, TradingState,
} from '../domain/types';
import type { PacingStats } from '../broker/request-budget';
import type { OrderState, OrderStates } from '../domain/order-state';
import type { ListTables } from '../domain/large-lists';
import type { DayRecord } from '../domain/day-ledger';
import type { AccountStopOutcome } from './account';
import type { MarketDataSummary, TrailLocation } from './plan';
import type { DayPnl, PerformanceMetrics, PortfolioSummary, Reconciliation, SlippageReport } from './portfolio';

/** Input of one day's run: what the signal job starts, as JSON (see README). */
export interface DailyTradingInput {
  account: string;
  /** YYYY-MM-DD, the New York trading date. */
  tradingDate: string;
  /** A list, or the signal file's map `{"AAPL": 0.8}` (the workflow turns it into a list). */
  signals: Signal[];
  /** Where the signals came from (a file name, a job id), for the report and the UI. */
  source?: string;
}

/** Where the day is; also the RunState search attribute. */
export type DayPhase =
  | 'starting' | 'waiting_for_open' | 'planning' | 'submitting' | 'awaiting_fills' | 'closing_out'
  | 'reconciling' | 'completed' | 'stopped' | 'market_closed' | 'halted' | 'failed'
  /** Another run already traded this account and date: this one ends without a broker call. */
  | 'duplicate';

/** One order of the day, as the report shows it. */
export interface OrderRecord {
  clientOrderId: string;
  brokerOrderId: string | null;
  symbol: string;
  side: Side;
  type: OrderIntent['type'];
  qty: number | null;
  notional: number | null;
  /**
   * `unknown`: the submit's answer never came (the broker may or may not have the order); the day looks it up by
   * client order id until the broker answers.
   */
  status: BrokerOrder['status'] | 'unsubmitted' | 'submit_failed' | 'unknown';
  filledQty: number;
  filledAvgPrice: number | null;
  /** When the broker accepted the order, by its clock (absent until it did, and on days recorded before times were kept). */
  submittedAt?: string | null;
  /** When the order filled completely, by the broker's clock. */
  filledAt?: string | null;
}

export interface EmergencyStopRequest {
  reason: string;
  flatten?: boolean;
  /** `account`: the account's kill switch stopping its days (it cancels and flattens for the whole account). */
  origin?: 'account' | 'direct';
}

/** What an emergency stop did, as the update answers it. */
export interface EmergencyStopOutcome {
  workflowId: string;
  /** Broker order ids the stop asked the broker to cancel (every open order of the account). */
  canceledOrderIds: string[];
  /** Client order ids of the orders that close positions, when flattening. */
  closingOrders: string[];
  tradingState: 'HALTED';
  /** True when the account stays halted for later days. */
  accountHalted: boolean;
  stoppedAt: string;
  completedAt: string;
  /** This day's orders after the sweep, by client order id: final status of each, `unknown` while unanswered. */
  sweptOrders?: Array<{ clientOrderId: string; symbol: string; status: OrderRecord['status']; filledQty: number }>;
  /** What the account's kill switch did for every running day (absent when a day was stopped by the account). */
  account?: AccountStopOutcome | null;
}

/** Answer of the status query. */
export interface DayStatus {
  workflowId: string;
  account: string;
  tradingDate: string;
  phase: DayPhase;
  paused: boolean;
  tradingState: TradingState;
  stop: (EmergencyStopRequest & { at: string }) | null;
  signals: number;
  orders: OrderRecord[];
  rejected: Rejection[];
  lastError: string | null;
  updatedAt: string;
  /** What the day waits for (`waiting for the open at …`) or why it ended (`no session on …`); absent before. */
  reason?: string | null;
  /** Set when the answer is not the workflow's own (no worker answered): what it is and why. */
  note?: string;
  /** How the worker paced the account's broker requests to its budget, as of the last fill check. */
  pacing?: PacingStats | null;
}

/** The orders a fill check read, and the account's pacing so far (days before it answered a bare list). */
export type FetchedOrders = OrderStates & { pacing: PacingStats | null };

/** What the fill watch follows, until when, and how often it reads the broker itself. */
export interface AwaitFillsRequest {
  clientOrderIds: string[];
  /** The day's orders were all submitted after this instant (the REST reads' lower bound). */
  submittedAfter: string;
  /** ISO instant: the watch returns then whatever the orders' state. */
  deadline: string;
  /** REST reads between stream events, as a safety net. */
  safetyPollMs: number;
  /** With this, equity is re-read every riskCheckMs and a breach of it ends the watch. */
  maxDailyLoss?: number;
  riskCheckMs: number;
}

/** How the fill watch ended, with the orders as the broker last showed them. */
export interface AwaitFillsResult {
  /** `no_stream`: the broker has no stream to follow (the orders as read once); the day polls instead. */
  ended: 'final' | 'deadline' | 'daily_loss' | 'no_stream';
  /** The orders' states (a table on a large day); answers recorded before carry whole broker orders. */
  orders: OrderState[];
  orderTable?: OrderStates['orderTable'];
  pacing: PacingStats | null;
  /** Whether the broker's trade_updates stream was followed (else REST reads alone). */
  streamed: boolean;
  /** The account when the daily loss limit was breached. */
  account?: Account;
}

/** The lists a day's report carries as tables on a large day (see domain/large-lists). */
export const REPORT_LISTS = ['orders', 'rejected', 'portfolio.positions', 'startingPositions', 'slippage.fills', 'reconciliation'] as const;

/** The day's report: the workflow's result, printed by `tradeflow run --wait --json`. */
export interface DayReport {
  workflowId: string;
  tradingDate: string;
  status: DayPhase;
  reason: string | null;
  tradingState: TradingState;
  stop: DayStatus['stop'];
  signals: number;
  /** Read a report through `readDayReport`: on a large day this and the other REPORT_LISTS are empty, in `tables`. */
  orders: OrderRecord[];
  tables?: ListTables;
  /** A large day's positions and fills, written by the worker (`portfolio.positions` and `slippage.fills` are empty). */
  closingFile?: TrailLocation | null;
  rejected: Rejection[];
  decisions: SymbolDecision[];
  portfolio: PortfolioSummary | null;
  /**
   * The holdings before the day, as its snapshot read them (the report's before-the-day exposure); absent on a day
   * that took no snapshot, on reports written before it, and on an account of more than CLOSING_FILE_FROM positions.
   */
  startingPositions?: StartingPosition[];
  reconciliation: Reconciliation | null;
  /** The day's realized, unrealized and daily P&L and turnover. */
  pnl?: DayPnl | null;
  /** Each fill against the price the order was planned at. */
  slippage?: SlippageReport | null;
  /** Return, volatility, Sharpe, Sortino, drawdown over the account's history; null when the broker has none. */
  performance?: PerformanceMetrics | null;
  /** Where the risk statistics came from. */
  marketData?: MarketDataSummary | null;
  /** For a `duplicate` run: the run that holds the day. */
  firstRun?: DayRecord | null;
  /** 1 for the day's first trading run; more when a run resumed a failed one. */
  generation?: number;
  /** What the emergency stop did, when the day was stopped. */
  stopOutcome?: EmergencyStopOutcome | null;
  /** How the worker paced the account's broker requests to its budget. */
  pacing?: PacingStats | null;
  /** The intraday breach of max_daily_loss, when equity fell through it while the day traded. */
  dailyLoss?: DailyLossOutcome | null;
  /**
   * Decisions by outcome over every symbol. On a day of more than 500 symbols `decisions` holds only those that
   * became orders; every decision, with each check's verdict, is in the trail file.
   */
  decisionCounts?: Record<string, number>;
  /** On a day of more than 50 decisions, how many were left out of `decisions` (they are in the trail file). */
  decisionsOmitted?: number;
  /** Where the worker that planned the day wrote its full decision trail (JSON); null if it could not. */
  trail?: TrailLocation | null;
  /** Signal-to-fill latency over the day's fills (absent when nothing filled or on days recorded before it existed). */
  fillLatency?: FillLatency | null;
  /** A failed day: the error it failed with and the phase it was in (its report is written by the worker). */
  failure?: { phase: DayPhase; error: string } | null;
  /** Where the worker wrote this report as files (`reports.report_dir` on its machine). */
  reportFiles?: { json: string; html: string } | null;
}

/** One holding before the day: signed quantity, and its market value when the snapshot read it. */
export interface StartingPosition {
  symbol: string;
  qty: number;
  marketValue: number | null;
}

/** What the day did when equity fell through max_daily_loss while it waited for fills. */
export interface DailyLossOutcome {
  at: string;
  /** Signed daily P&L as a share of start equity. */
  plPct: number;
  startEquity: number;
  equity: number;
  /** The trading state the day moved to (risk_management.on_daily_loss_breach). */
  tradingState: 'REDUCING' | 'HALTED';
  /** Client order ids of the open orders it cancelled: every one when HALTED, the risk-increasing ones when REDUCING. */
  canceledClientOrderIds: string[];
  /** Whether the account was halted for later days (risk_management.halt_account_on_daily_loss). */
  accountHalted: boolean;
  detail: string;
}

/** The session an order belongs to: the order activity never sends it outside it. */
/** A batch of orders for `submitOrders` (days on the batched-submits patch): one activity for many orders. */
export interface SubmitBatchRequest {
  intents: OrderIntent[];
  guard?: SessionGuard;
  /** Orders in flight at once within the batch (`timing.submit_concurrency`). */
  concurrency: number;
  /** The day's orders were all submitted after this instant (a retry lists them from here). */
  submittedAfter: string;
}

/**
 * How one order of a batch ended: taken (the broker's order), refused for good (`refused`, the broker's error type
 * and message), not sent because the session ended (`sessionOver`) or the day was stopped (`notSent`).
 */
export type SubmitOutcome = { clientOrderId: string } & (
  | { order: OrderState }
  | { refused: { type: string; message: string } }
  | { sessionOver: string }
  | { notSent: string }
);

export interface SessionGuard {
  tradingDate: string;
  /** The last instant to submit (the close less the cancel-before-close margin), ISO; null: until the close. */
  notAfter: string | null;
  /** A clock reading taken before this instant is not reused (set after a pause: time passed that it cannot know). */
  freshClockAfter?: string;
}
