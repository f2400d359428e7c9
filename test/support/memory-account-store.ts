import type { AccountStateStore } from '../../src/contracts/account';
import { DayLedger } from '../../src/domain/day-ledger';
import type { AccountTradingState } from '../../src/contracts/account';

/** An in-process account store for tests without the account's workflow: one ledger, always ACTIVE unless halted. */
export function memoryAccountStore(): AccountStateStore {
  const ledgers = new Map<string, DayLedger>();
  const states = new Map<string, AccountTradingState>();
  const ledger = (account: string) => {
    if (!ledgers.has(account)) ledgers.set(account, new DayLedger());
    return ledgers.get(account)!;
  };
  const state = (account: string): AccountTradingState => states.get(account) ?? { account, state: 'ACTIVE', reason: null, since: null, changedBy: null };
  const now = () => new Date().toISOString();
  return {
    read: async (account) => state(account),
    halt: async (account, reason, by) => {
      states.set(account, { account, state: 'HALTED', reason, since: now(), changedBy: by });
      return state(account);
    },
    resume: async (account, by) => {
      states.set(account, { account, state: 'ACTIVE', reason: null, since: now(), changedBy: by });
      return state(account);
    },
    stop: async () => { throw new Error('the kill switch needs the account workflow'); },
    claimDay: async (account, request) => ({ ...ledger(account).claim(request, state(account).state === 'HALTED', now()), accountState: state(account) }),
    finishDay: async (account, request) => {
      ledger(account).finish(request.tradingDate, request.runId, request.status, now());
    },
    pauseScheduleForHalt: async () => false,
    unpauseScheduleAfterHalt: async () => false,
  };
}
