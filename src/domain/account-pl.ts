import type { Account } from './types';

/** Daily P&L as a share of the previous close's equity (0 without a usable lastEquity). */
export function dailyPlPct(account: Account): number {
  return account.lastEquity > 0 ? (account.equity - account.lastEquity) / account.lastEquity : 0;
}
