import { newYorkDate } from './market-time';
import type { MarketClock } from './types';

/**
 * Whether an order of `tradingDate` may still be sent at the broker's clock: the market is open, on that date,
 * and before `notAfter` (the close less the day's cancel-before-close margin). Null when it may; else why not.
 */
export function sessionRefusal(clock: MarketClock, tradingDate: string, notAfter: string | null): string | null {
  const brokerDate = newYorkDate(clock.timestamp);
  if (brokerDate !== tradingDate) return `the broker's date is ${brokerDate}, not the trading date ${tradingDate}`;
  if (!clock.isOpen) return `the market is closed at ${clock.timestamp}`;
  if (notAfter !== null && Date.parse(clock.timestamp) >= Date.parse(notAfter)) {
    return `past the last submit time ${notAfter} (broker time ${clock.timestamp})`;
  }
  return null;
}

/** The last instant a day submits orders: the close less the margin it keeps to cancel what is left. */
export function lastSubmitTime(nextClose: string, cancelBeforeCloseMinutes: number): string {
  return new Date(Date.parse(nextClose) - cancelBeforeCloseMinutes * 60_000).toISOString();
}
