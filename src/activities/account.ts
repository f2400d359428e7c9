import type { ActivityDeps } from './deps';
import type {
  AccountStopOutcome, AccountStopRequest, AccountTradingState, ClaimDayAnswer, ClaimDayRequest, FinishDayRequest,
} from '../contracts/account';

/** Activities over the per-account trading state and day ledger (the account's long-lived workflow). */
export function createAccountActivities({ accountStates }: ActivityDeps) {
  return {
    /** The account's trading state; ACTIVE when it was never halted. */
    async readAccountState(account: string): Promise<AccountTradingState> {
      return accountStates.read(account);
    },

    /** Halts the account for later days too (idempotent: halting a halted account changes nothing). */
    async haltAccount(account: string, reason: string, by: string): Promise<AccountTradingState> {
      return accountStates.halt(account, reason, by);
    },

    /** Asks the account's ledger for the day's date: refused when it already traded or the account is halted. */
    async claimTradingDay(account: string, request: ClaimDayRequest): Promise<ClaimDayAnswer> {
      return accountStates.claimDay(account, request);
    },

    /** Tells the account's ledger how the day's run ended (or that it stopped sending orders). */
    async finishTradingDay(account: string, request: FinishDayRequest): Promise<void> {
      await accountStates.finishDay(account, request);
    },

    /** Pulls the account's kill switch (for a stop that reached one day directly) and answers what it did. */
    async stopAccount(account: string, request: AccountStopRequest): Promise<AccountStopOutcome> {
      return accountStates.stop(account, request);
    },

    async pauseScheduleForHalt(account: string, by: string, reason: string): Promise<boolean> {
      return accountStates.pauseScheduleForHalt(account, by, reason);
    },

    async unpauseScheduleAfterHalt(account: string, by: string): Promise<boolean> {
      return accountStates.unpauseScheduleAfterHalt(account, by);
    },
  };
}
