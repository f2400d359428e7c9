import {
  WithStartWorkflowOperation, WorkflowNotFoundError, type Client,
} from '@temporalio/client';
import type { ClaimAnswer } from '../domain/day-ledger';
import { ACCOUNT_TRADING_STATE_WORKFLOW, accountWorkflowId, TRADING_ACCOUNT, RUN_STATE } from '../names';
import {
  accountEmergencyStopSignal, accountEmergencyStopUpdate, accountStateQuery, claimDayUpdate, finishDayUpdate,
  haltAccountUpdate, resumeAccountUpdate,
} from '../workflows/account-messages';
import type {
  AccountStopOutcome, AccountStopRequest, AccountTradingState, ClaimDayRequest, FinishDayRequest,
} from '../workflows/account-types';
import { pauseScheduleForHalt, unpauseScheduleAfterHalt } from './schedule';

/** Reads and changes an account's trading state and day ledger, which live in its long-lived workflow. */
export interface AccountStateStore {
  read(account: string): Promise<AccountTradingState>;
  /** Halts the account and tells its running days to stop (no cancel-all: see `stop`). */
  halt(account: string, reason: string, by: string): Promise<AccountTradingState>;
  resume(account: string, by: string): Promise<AccountTradingState>;
  /** The kill switch: halt, stop every running day, cancel every open order, optionally flatten. */
  stop(account: string, request: AccountStopRequest): Promise<AccountStopOutcome>;
  claimDay(account: string, request: ClaimDayRequest): Promise<ClaimAnswer & { accountState: AccountTradingState }>;
  finishDay(account: string, request: FinishDayRequest): Promise<void>;
  /** Pauses the account's schedule for a halt; false when it has none. */
  pauseScheduleForHalt(account: string, by: string, reason: string): Promise<boolean>;
  /** Unpauses the schedule if a halt paused it; false when it has none. */
  unpauseScheduleAfterHalt(account: string, by: string): Promise<boolean>;
}

/** How the account's workflow is started when a message finds it not running yet. */
export function accountWorkflowStart(account: string, taskQueue: string) {
  return {
    workflowId: accountWorkflowId(account),
    taskQueue,
    args: [{ account }] as [{ account: string }],
    typedSearchAttributes: [{ key: TRADING_ACCOUNT, value: account }, { key: RUN_STATE, value: 'ACTIVE' }],
    staticSummary: `Trading state of account ${account}`,
  };
}

/** The store over a Temporal client: every change starts the account's workflow when it is not running yet. */
export function temporalAccountStateStore(client: Client, taskQueue: string): AccountStateStore {
  const startOperation = (account: string) => new WithStartWorkflowOperation(ACCOUNT_TRADING_STATE_WORKFLOW, {
    ...accountWorkflowStart(account, taskQueue),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return {
    async read(account) {
      try {
        return await client.workflow.getHandle(accountWorkflowId(account)).query(accountStateQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { account, state: 'ACTIVE', reason: null, since: null, changedBy: null };
        throw error;
      }
    },
    halt(account, reason, by) {
      return client.workflow.executeUpdateWithStart(haltAccountUpdate, { args: [{ reason, by }], startWorkflowOperation: startOperation(account) });
    },
    resume(account, by) {
      return client.workflow.executeUpdateWithStart(resumeAccountUpdate, { args: [{ by }], startWorkflowOperation: startOperation(account) });
    },
    stop(account, request) {
      return client.workflow.executeUpdateWithStart(accountEmergencyStopUpdate, { args: [request], startWorkflowOperation: startOperation(account) });
    },
    claimDay(account, request) {
      return client.workflow.executeUpdateWithStart(claimDayUpdate, { args: [request], startWorkflowOperation: startOperation(account) });
    },
    finishDay(account, request) {
      return client.workflow.executeUpdateWithStart(finishDayUpdate, { args: [request], startWorkflowOperation: startOperation(account) });
    },
    pauseScheduleForHalt: (account, by, reason) => pauseScheduleForHalt(client, account, by, reason),
    unpauseScheduleAfterHalt: (account, by) => unpauseScheduleAfterHalt(client, account, by),
  };
}

/** Leaves the kill switch as a durable signal on the account's workflow (starting it if needed): for when no worker answers. */
export async function signalAccountStop(client: Client, account: string, taskQueue: string, request: AccountStopRequest): Promise<void> {
  await client.workflow.signalWithStart(ACCOUNT_TRADING_STATE_WORKFLOW, {
    ...accountWorkflowStart(account, taskQueue),
    signal: accountEmergencyStopSignal,
    signalArgs: [request],
  });
}
