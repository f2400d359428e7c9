/**
 * The schedule's boundary: what a schedule (`operations/schedule.ts`) starts `scheduledTradingDay` with, what that
 * workflow answers, and what its signal-source activity reads. Types only.
 */
import type { Signal } from '../domain/types';

export interface ScheduledDayInput {
  account: string;
  mode: 'paper' | 'live';
  /** The key of a signal source in the worker's config (`signal_sources`); never a path or a command. */
  source: string;
}

export interface ScheduledDayResult {
  workflowId: string;
  tradingDate: string;
  outcome: 'traded' | 'already_started';
  status: string | null;
}

/** The day's signals as read from a configured source, and a label of the source for the report and the UI. */
export interface ScheduledSignals {
  signals: Signal[];
  source: string;
}
