import {
  WithStartWorkflowOperation, WorkflowNotFoundError, type Client,
} from '@temporalio/client';
import { ACCOUNT_TRADING_STATE_WORKFLOW, accountWorkflowId, TRADING_ACCOUNT, RUN_STATE } from '../names';
import { accountStateQuery, haltAccountUpdate, resumeAccountUpdate } from '../workflows/account-messages';
import type { AccountTradingState } from '../workflows/account-types';
import { pauseScheduleForHalt, unpauseScheduleAfterHalt } from './schedule';

/** Reads and changes an account's trading state, which lives in its long-lived workflow. */
export interface AccountStateStore {
  read(account: string): Promise<AccountTradingState>;
  halt(account: string, reason: string, by: string): Promise<AccountTradingState>;
  resume(account: string, by: string): Promise<AccountTradingState>;
}

/** The store over a Temporal client: halts and resumes start the account's workflow when it is not running yet. */
export function temporalAccountStateStore(client: Client, taskQueue: string): AccountStateStore {
  const startOperation = (account: string) => new WithStartWorkflowOperation(ACCOUNT_TRADING_STATE_WORKFLOW, {
    workflowId: accountWorkflowId(account),
    taskQueue,
    args: [{ account }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [{ key: TRADING_ACCOUNT, value: account }, { key: RUN_STATE, value: 'ACTIVE' }],
    staticSummary: `Trading state of account ${account}`,
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
    async halt(account, reason, by) {
      const state = await client.workflow.executeUpdateWithStart(haltAccountUpdate, { args: [{ reason, by }], startWorkflowOperation: startOperation(account) });
      await pauseScheduleForHalt(client, account, by, reason);
      return state;
    },
    async resume(account, by) {
      const state = await client.workflow.executeUpdateWithStart(resumeAccountUpdate, { args: [{ by }], startWorkflowOperation: startOperation(account) });
      await unpauseScheduleAfterHalt(client, account, by);
      return state;
    },
  };
}
