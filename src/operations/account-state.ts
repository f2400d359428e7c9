import {
  WithStartWorkflowOperation, WorkflowNotFoundError, type Client, type WorkflowStartOptions,
} from '@temporalio/client';
import type { AccountStateStore, AccountStopRequest } from '../contracts/account';
import { ACCOUNT_TRADING_STATE_WORKFLOW, accountWorkflowId, TRADING_ACCOUNT, RUN_STATE } from '../names';
import type { accountTradingState } from '../workflows';
import {
  accountEmergencyStopSignal, accountEmergencyStopUpdate, accountStateQuery, claimDayUpdate, finishDayUpdate,
  haltAccountUpdate, resumeAccountUpdate,
} from '../workflows/account-messages';
import { pauseScheduleForHalt, unpauseScheduleAfterHalt } from './schedule';

/** How the account's workflow is started when a message finds it not running yet. */
export function accountWorkflowStart(account: string, taskQueue: string): WorkflowStartOptions<typeof accountTradingState> {
  return {
    workflowId: accountWorkflowId(account),
    taskQueue,
    args: [{ account }],
    typedSearchAttributes: [{ key: TRADING_ACCOUNT, value: account }, { key: RUN_STATE, value: 'ACTIVE' }],
    staticSummary: `Trading state of account ${account}`,
  };
}

/** The store over a Temporal client: every change starts the account's workflow when it is not running yet. */
export function temporalAccountStateStore(client: Client, taskQueue: string): AccountStateStore {
  const startOperation = (account: string) => new WithStartWorkflowOperation<typeof accountTradingState>(ACCOUNT_TRADING_STATE_WORKFLOW, {
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
  await client.workflow.signalWithStart<typeof accountTradingState, [AccountStopRequest]>(ACCOUNT_TRADING_STATE_WORKFLOW, {
    ...accountWorkflowStart(account, taskQueue),
    signal: accountEmergencyStopSignal,
    signalArgs: [request],
  });
}
