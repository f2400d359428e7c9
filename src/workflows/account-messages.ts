import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AccountStopOutcome, AccountStopRequest, AccountTradingState, ClaimDayAnswer, ClaimDayRequest, FinishDayRequest,
  HaltRequest, ResumeRequest,
} from '../contracts/account';
import { MESSAGE_NAMES } from '../names';

/** Halts the account: no day trades until it is resumed, and its running days stop. Answers with the new state. */
export const haltAccountUpdate = defineUpdate<AccountTradingState, [HaltRequest]>(MESSAGE_NAMES.haltAccount);
/** Lets the account trade again (and unpauses the schedule its halt paused). Answers with the new state. */
export const resumeAccountUpdate = defineUpdate<AccountTradingState, [ResumeRequest]>(MESSAGE_NAMES.resumeAccount);
export const accountStateQuery = defineQuery<AccountTradingState>(MESSAGE_NAMES.accountState);
/**
 * The account's kill switch, under the same names as a day's: halt first, stop every running day and wait until
 * none can send an order, cancel every open order, optionally close every position. Answers what it did.
 */
export const accountEmergencyStopUpdate = defineUpdate<AccountStopOutcome, [AccountStopRequest]>(MESSAGE_NAMES.emergencyStopUpdate);
/** The kill switch as a durable signal, for when no worker answers in time: it runs first when one polls. */
export const accountEmergencyStopSignal = defineSignal<[AccountStopRequest]>(MESSAGE_NAMES.emergencyStop);
/** A day's run asks for its date; refused when the date already traded or the account is halted. */
export const claimDayUpdate = defineUpdate<ClaimDayAnswer, [ClaimDayRequest]>(MESSAGE_NAMES.claimDay);
/** A day's run reports that it ended, or that it stopped and sends nothing more. */
export const finishDayUpdate = defineUpdate<void, [FinishDayRequest]>(MESSAGE_NAMES.finishDay);
