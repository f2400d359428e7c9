/**
 * Every Temporal name tradeflow uses, in one place: task queue, workflow type and ids, search attributes.
 * Signal, query and update definitions live in `workflows/messages.ts`, built from the names here.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Default task queue; `TRADEFLOW_TASK_QUEUE` overrides it. */
export const DEFAULT_TASK_QUEUE = 'tradeflow';

/** Workflow type of the daily run. */
export const DAILY_TRADING_WORKFLOW = 'dailyTrading';

/** The business key of a day: one workflow per account and trading date, so a second start is refused. */
export function dailyWorkflowId(account: string, tradingDate: string): string {
  return `trading-${account}-${tradingDate}`;
}

/** Parses a daily workflow id back into its account and date, or null when it is not one. */
export function parseDailyWorkflowId(workflowId: string): { account: string; tradingDate: string } | null {
  const match = /^trading-(.+)-(\d{4}-\d{2}-\d{2})$/.exec(workflowId);
  return match ? { account: match[1]!, tradingDate: match[2]! } : null;
}

/** Workflow type a schedule starts: it reads the day's signals and starts the day under its business id. */
export const SCHEDULED_DAY_WORKFLOW = 'scheduledTradingDay';

/** One schedule per account. */
export function scheduleId(account: string): string {
  return `trading-schedule-${account}`;
}

/** Workflow type of the long-lived per-account workflow that holds the trading state across days. */
export const ACCOUNT_TRADING_STATE_WORKFLOW = 'accountTradingState';

/** One per account: the kill switch's memory, so a halt holds for later days until resumed. */
export function accountWorkflowId(account: string): string {
  return `account-${account}`;
}

export const MESSAGE_NAMES = {
  emergencyStop: 'emergencyStop',
  emergencyStopUpdate: 'emergencyStopNow',
  pause: 'pause',
  resume: 'resume',
  status: 'status',
  portfolio: 'portfolio',
  haltAccount: 'haltAccount',
  resumeAccount: 'resumeAccount',
  accountState: 'accountState',
  claimDay: 'claimDay',
  finishDay: 'finishDay',
} as const;

/** Typed keys of the search attributes every daily run sets (registered from `temporal/search-attributes.ts`). */
export const TRADING_DATE = defineSearchAttributeKey('TradingDate', SearchAttributeType.KEYWORD);
export const TRADING_ACCOUNT = defineSearchAttributeKey('TradingAccount', SearchAttributeType.KEYWORD);
export const TRADING_MODE = defineSearchAttributeKey('TradingMode', SearchAttributeType.KEYWORD);
export const RUN_STATE = defineSearchAttributeKey('RunState', SearchAttributeType.KEYWORD);
