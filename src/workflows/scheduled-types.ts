/** Where a scheduled day finds its signals; `{date}` in a path or command becomes the trading date. */
export type SignalSource =
  | { kind: 'file'; path: string }
  | { kind: 'command'; command: string };

export interface ScheduledDayInput {
  account: string;
  mode: 'paper' | 'live';
  source: SignalSource;
}

export interface ScheduledDayResult {
  workflowId: string;
  tradingDate: string;
  outcome: 'traded' | 'already_started';
  status: string | null;
}
