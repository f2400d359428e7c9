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
}
