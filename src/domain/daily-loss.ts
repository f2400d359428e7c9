import { dailyPlPct } from './account-pl';
import type { Account, Side } from './types';

/** A breach of `max_daily_loss`, with the figures a risk desk reads. */
export interface DailyLossBreach {
  /** Signed daily P&L as a share of start equity (negative). */
  plPct: number;
  /** Equity at the previous close: the base of the limit. */
  startEquity: number;
  equity: number;
  maxDailyLoss: number;
  /** `-2.3% of start equity $100,000 (equity $97,700; max_daily_loss 2%)` */
  detail: string;
}

/**
 * The breach of `max_daily_loss` on the account as the broker shows it now, or null. A flat or winning day never
 * breaches; a loss of exactly the limit does (the limit is what may not be lost).
 */
export function dailyLossBreach(account: Account, maxDailyLoss: number): DailyLossBreach | null {
  const plPct = dailyPlPct(account);
  if (!(plPct < 0) || -plPct < maxDailyLoss - 1e-12) return null;
  return {
    plPct,
    startEquity: account.lastEquity,
    equity: account.equity,
    maxDailyLoss,
    detail: `${formatPct(plPct)} of start equity ${formatDollars(account.lastEquity)} `
      + `(equity ${formatDollars(account.equity)}; max_daily_loss ${formatPct(maxDailyLoss)})`,
  };
}

/**
 * True when an order on `side` adds exposure to a symbol held `heldQty` (signed): a buy while flat or long, a sell
 * while flat or short. Orders that shrink a position are risk-reducing and survive a REDUCING state.
 */
export function increasesRisk(side: Side, heldQty: number): boolean {
  return side === 'buy' ? heldQty >= 0 : heldQty <= 0;
}

/** `-2.3%`: two decimals at most (four below 0.01%, so a tiny loss never reads 0%), no trailing zeros. */
export function formatPct(share: number): string {
  const pct = share * 100;
  return `${Number(pct.toFixed(Math.abs(pct) >= 0.01 || pct === 0 ? 2 : 4))}%`;
}

/** `$100,000` or `$97,712.35`: thousands separated, cents only when there are some. */
export function formatDollars(amount: number): string {
  const cents = Math.round(Math.abs(amount) * 100);
  const whole = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = cents % 100;
  return `${amount < 0 ? '-' : ''}$${whole}${rest ? `.${rest.toString().padStart(2, '0')}` : ''}`;
}
