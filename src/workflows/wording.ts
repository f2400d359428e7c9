import type { OrderIntent } from '../domain/types';

/** "BUY 12 AAPL limit 187.20": how an order reads in summaries and logs. */
export function describeIntent(intent: OrderIntent): string {
  const size = intent.qty !== undefined ? `${intent.qty}` : `$${intent.notional}`;
  const prices = [intent.limitPrice, intent.stopPrice].filter((price) => price !== undefined).map((p) => p!.toFixed(2));
  return [intent.side.toUpperCase(), size, intent.symbol, intent.type.replace('_', '-'), ...prices].join(' ');
}

export { newYorkDate } from '../domain/market-time';
