/**
 * The account's boundary: what crosses between a day's workflow, the activities, the clients (CLI, worker) and the
 * account's long-lived workflow (`account-<account>`): its trading state, the day ledger's claims, the kill switch's
 * request and outcome, and the store the activities reach it through. Types only.
 */
import type { ClaimAnswer, DayClaim, DayRecord, DayRunStatus } from '../domain/day-ledger';
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

/** Input of the account's workflow. */
export interface AccountWorkflowInput {
  account: string;
  /** Carried over continue-as-new. */
  state?: AccountTradingState;
  /** The day ledger, carried over continue-as-new. */
  days?: DayRecord[];
}

/** A day's run asks to trade its date (the ledger's own claim). */
export type ClaimDayRequest = DayClaim;

/** The ledger's answer to a claim, with the account's state (for a halted account's reason). */
export type ClaimDayAnswer = ClaimAnswer & { accountState: AccountTradingState };

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

/**
 * Reads and changes an account's trading state and day ledger, which live in its long-lived workflow. The worker's
 * activities use it; `operations/account-state.ts` implements it over a Temporal client (tests: in memory).
 */
export interface AccountStateStore {
  read(account: string): Promise<AccountTradingState>;
  /** Halts the account and tells its running days to stop (no cancel-all: see `stop`). */
  halt(account: string, reason: string, by: string): Promise<AccountTradingState>;
  resume(account: string, by: string): Promise<AccountTradingState>;
  /** The kill switch: halt, stop every running day, cancel every open order, optionally flatten. */
  stop(account: string, request: AccountStopRequest): Promise<AccountStopOutcome>;
  claimDay(account: string, request: ClaimDayRequest): Promise<ClaimDayAnswer>;
  finishDay(account: string, request: FinishDayRequest): Promise<void>;
  /** Pauses the account's schedule for a halt; false when it has none. */
  pauseScheduleForHalt(account: string, by: string, reason: string): Promise<boolean>;
  /** Unpauses the schedule if a halt paused it; false when it has none. */
  unpauseScheduleAfterHalt(account: string, by: string): Promise<boolean>;
}
