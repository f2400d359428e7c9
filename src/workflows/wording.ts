import type { OrderIntent } from '../domain/types';

/** "BUY 12 AAPL limit 187.20": how an order reads in summaries and logs. */
export function describeIntent(intent: OrderIntent): string {
  const size = intent.qty !== undefined ? `${intent.qty}` : `$${intent.notional}`;
  const prices = [intent.limitPrice, intent.stopPrice].filter((price) => price !== undefined).map((p) => p!.toFixed(2));
  return [intent.side.toUpperCase(), size, intent.symbol, intent.type.replace('_', '-'), ...prices].join(' ');
}

const NEW_YORK_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit',
});

/** The New York calendar date (YYYY-MM-DD) of an instant. */
export function newYorkDate(timestamp: string | number): string {
  return NEW_YORK_DATE.format(new Date(timestamp));
}
