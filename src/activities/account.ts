import type { ActivityDeps } from './deps';
import type { AccountTradingState } from '../workflows/account-types';

/** Activities over the per-account trading state. */
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
  };
}
