import type { DayRecord, DayRunStatus } from '../domain/day-ledger';
import type { TradingState } from '../domain/types';

/** The account's trading state as the per-account workflow holds it. */
export interface AccountTradingState {
  account: string;
  state: TradingState;
  reason: string | null;
  /** When the state last changed (ISO). */
  since: string | null;
  /** The day's workflow or operator that changed it. */
  changedBy: string | null;
}

export interface HaltRequest {
  reason: string;
  by: string;
}

export interface ResumeRequest {
  by: string;
}

export interface AccountWorkflowInput {
  account: string;
  /** Carried over continue-as-new. */
  state?: AccountTradingState;
  /** The day ledger, carried over continue-as-new. */
  days?: DayRecord[];
}

/** A day's run asks to trade its date. */
export interface ClaimDayRequest {
  tradingDate: string;
  workflowId: string;
  runId: string;
}

/** A day's run says how it ended, or that it stopped sending orders. */
export interface FinishDayRequest {
  tradingDate: string;
  runId: string;
  status: Exclude<DayRunStatus, 'trading'>;
}

/** The account's kill switch. Any payload is accepted (see domain/stop-request.ts); this is the intended shape. */
export interface AccountStopRequest {
  reason: string;
  flatten?: boolean;
  /** Who pulled it: `tradeflow stop`, a day's workflow id, an operator's name. */
  by?: string;
}

/** One closing order of a flattening stop. */
export interface ClosingOrder {
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  status: string;
  detail?: string;
}

/** What the account's kill switch did: the answer of its update and a day's stop report. */
export interface AccountStopOutcome {
  account: string;
  state: 'HALTED';
  reason: string;
  by: string;
  stoppedAt: string;
  completedAt: string;
  /**
   * The account's days that were running, and whether each confirmed it sends nothing more (`stopped`), had
   * already ended (`ended`) or did not answer in time (`unconfirmed`: its orders are still cancelled below).
   */
  days: Array<{ workflowId: string; tradingDate: string; confirmation: 'stopped' | 'ended' | 'unconfirmed' }>;
  /** Broker order ids of the open orders cancelled (every open order of the account). */
  canceledOrderIds: string[];
  /** Orders sent to close every position, when flattening. */
  closingOrders: ClosingOrder[];
  /** Whether the account's schedule was paused (false when it has none). */
  schedulePaused: boolean;
}
