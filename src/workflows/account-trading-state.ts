import {
  allHandlersFinished, ApplicationFailure, condition, continueAsNew, log, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import { RUN_STATE } from '../names';
import { accountStateQuery, haltAccountUpdate, resumeAccountUpdate } from './account-messages';
import type { AccountTradingState, AccountWorkflowInput } from './account-types';

/**
 * The per-account trading state, alive across days: an emergency stop halts it here, so the halt survives the day's
 * workflow, the worker and the CLI, and every later day reads it before trading. Only a resume clears it.
 */
export async function accountTradingState(input: AccountWorkflowInput): Promise<void> {
  let current: AccountTradingState = input.state ?? {
    account: input.account, state: 'ACTIVE', reason: null, since: null, changedBy: null,
  };
  const now = () => new Date(Date.now()).toISOString();

  setHandler(accountStateQuery, () => current);
  setHandler(haltAccountUpdate, (request) => {
    if (current.state !== 'HALTED') {
      current = { account: input.account, state: 'HALTED', reason: request.reason, since: now(), changedBy: request.by };
      log.warn('account halted', { account: input.account, reason: request.reason, by: request.by });
      upsertSearchAttributes([{ key: RUN_STATE, value: 'HALTED' }]);
    }
    return current;
  }, {
    validator: (request) => {
      if (!request?.reason?.trim()) throw ApplicationFailure.nonRetryable('a halt needs a reason', 'InvalidInput');
    },
  });
  setHandler(resumeAccountUpdate, (request) => {
    if (current.state !== 'ACTIVE') {
      current = { account: input.account, state: 'ACTIVE', reason: null, since: now(), changedBy: request.by };
      log.info('account resumed', { account: input.account, by: request.by });
      upsertSearchAttributes([{ key: RUN_STATE, value: 'ACTIVE' }]);
    }
    return current;
  });

  await condition(() => workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof accountTradingState>({ account: input.account, state: current });
}
