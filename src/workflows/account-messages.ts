import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { MESSAGE_NAMES } from '../names';
import type { AccountTradingState, HaltRequest, ResumeRequest } from './account-types';

/** Halts the account: no day trades until it is resumed. Answers with the new state. */
export const haltAccountUpdate = defineUpdate<AccountTradingState, [HaltRequest]>(MESSAGE_NAMES.haltAccount);
/** Lets the account trade again. Answers with the new state. */
export const resumeAccountUpdate = defineUpdate<AccountTradingState, [ResumeRequest]>(MESSAGE_NAMES.resumeAccount);
export const accountStateQuery = defineQuery<AccountTradingState>(MESSAGE_NAMES.accountState);
