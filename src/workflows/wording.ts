import type { AccountTradingState } from '../contracts/account';
import type { OrderIntent } from '../domain/types';

/** "BUY 12 AAPL limit 187.20": how an order reads in summaries and logs. */
export function describeIntent(intent: OrderIntent): string {
  const size = intent.qty !== undefined ? `${intent.qty}` : `$${intent.notional}`;
  const prices = [intent.limitPrice, intent.stopPrice].filter((price) => price !== undefined).map((p) => p!.toFixed(2));
  return [intent.side.toUpperCase(), size, intent.symbol, intent.type.replace('_', '-'), ...prices].join(' ');
}

/** Why a day of a halted account does not trade, and what lifts the halt. */
export function haltedReason(account: string, state: Pick<AccountTradingState, 'since' | 'reason'>): string {
  return `account ${account} is halted since ${state.since} (${state.reason}); run tradeflow resume to trade again`;
}
