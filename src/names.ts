/**
 * Every Temporal name tradeflow uses, in one place: task queue, workflow types, every workflow id pattern (and the
 * kill switch's order-id prefix), message names, search attributes. Signal, query and update definitions live in
 * `workflows/messages.ts` and `workflows/account-messages.ts`, built from the names here.
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

/** The id each action of the account's schedule starts `scheduledTradingDay` under (one at a time: no overlap). */
export function scheduledDayWorkflowId(account: string): string {
  return `scheduled-${account}`;
}

/** Workflow type of the long-lived per-account workflow that holds the trading state across days. */
export const ACCOUNT_TRADING_STATE_WORKFLOW = 'accountTradingState';

/** One per account: the kill switch's memory, so a halt holds for later days until resumed. */
export function accountWorkflowId(account: string): string {
  return `account-${account}`;
}

/**
 * The id of one pull of the account's kill switch, from the time it stopped: the prefix of its closing orders'
 * client order ids (`stop-main-20261127T153000123Z.AAPL.sell.flatten`), so a retried flatten sends none twice.
 */
export function accountStopId(account: string, stoppedAt: string): string {
  return `stop-${account}-${stoppedAt.replace(/[-:.]/g, '')}`;
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

/**
 * The custom search attributes of tradeflow, by name and type: the one list. The typed keys below are built from
 * it, and `temporal/search-attributes.ts` registers exactly these with the server (dev server, test support,
 * `deploy/register-search-attributes.sh`, which a unit test keeps equal).
 */
export const SEARCH_ATTRIBUTE_TYPES = {
  TradingDate: SearchAttributeType.KEYWORD,
  TradingAccount: SearchAttributeType.KEYWORD,
  TradingMode: SearchAttributeType.KEYWORD,
  RunState: SearchAttributeType.KEYWORD,
} as const satisfies Record<string, SearchAttributeType>;

/** A search-attribute name of tradeflow. */
export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTE_TYPES;

/** The typed key of one of tradeflow's search attributes: its name and type from the list above. */
function searchAttributeKey<N extends SearchAttributeName>(name: N) {
  return defineSearchAttributeKey(name, SEARCH_ATTRIBUTE_TYPES[name]);
}

/** Typed keys of the search attributes every daily run sets. */
export const TRADING_DATE = searchAttributeKey('TradingDate');
export const TRADING_ACCOUNT = searchAttributeKey('TradingAccount');
export const TRADING_MODE = searchAttributeKey('TradingMode');
export const RUN_STATE = searchAttributeKey('RunState');
