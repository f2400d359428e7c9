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
