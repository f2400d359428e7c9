/**
 * The fill model: at what price and for how much an order executes against the market at an instant, when a
 * stop triggers, and where a trailing stop sits. Pure functions of the order and the prices handed in; the only
 * chance (partial fills) is drawn from the seed, keyed by the order, so runs replay.
 */
import type { OrderType, Side } from './alpaca-enums';
import type { SimQuote } from './market';
import { EPS, round9 } from './numbers';
import { unit } from './random';
import type { SimOrder } from './records';

/** The stop of a trailing stop order at a high-water mark: `trail_price` or `trail_percent` away, in cents. */
export function trailStop(o: Pick<SimOrder, 'side' | 'trailPrice' | 'trailPercent'>, hwm: number): number {
  const offset = o.trailPrice ?? (hwm * (o.trailPercent ?? 0)) / 100;
  return Math.round((o.side === 'sell' ? hwm - offset : hwm + offset) * 100) / 100;
}

/** A trailing stop's new high-water mark: the highest price seen for a sell, the lowest for a buy. */
export function highWaterMark(side: Side, hwm: number | null, last: number): number {
  return side === 'sell' ? Math.max(hwm ?? last, last) : Math.min(hwm ?? last, last);
}

/** Stop, stop-limit and trailing stop orders wait for their stop price. */
export function hasStop(type: OrderType): boolean {
  return type === 'stop' || type === 'stop_limit' || type === 'trailing_stop';
}

/** Whether the last trade reached the stop: at or above it for a buy, at or below it for a sell. */
export function stopCrossed(side: Side, stop: number, last: number): boolean {
  return side === 'buy' ? last >= stop : last <= stop;
}

/**
 * The price an order executes at against a quote: the far side (ask for a buy, bid for a sell), no worse than its
 * limit; null when the limit is not marketable. A buy stop counts as a stop-limit 4% (under $50) or 2.5% above
 * its stop, as Alpaca converts it.
 */
export function executionPrice(o: SimOrder, quote: SimQuote): number | null {
  const far = o.side === 'buy' ? quote.ask : quote.bid;
  const impliedLimit = o.type === 'stop' && o.side === 'buy' && o.stopPrice !== null
    ? o.stopPrice * (o.stopPrice < 50 ? 1.04 : 1.025) : null;
  const limit = o.type === 'limit' || o.type === 'stop_limit' ? o.limitPrice : impliedLimit;
  if (limit === null) return far;
  const marketable = o.side === 'buy' ? far <= limit + EPS : far >= limit - EPS;
  if (!marketable) return null;
  return o.side === 'buy' ? Math.min(limit, far) : Math.max(limit, far);
}

/**
 * What is left to fill at `price`: the unfilled qty, or for a notional order the unspent dollars in shares,
 * rounded down to 9 places so the order never overspends.
 */
export function quantityToFill(o: SimOrder, price: number): number {
  const remaining = o.qty !== null ? round9(o.qty - o.filledQty)
    : round9(((o.notional ?? 0) - o.filledQty * (o.filledAvgPrice ?? 0)) / price);
  return o.qty === null ? Math.floor(remaining * 1e9) / 1e9 : remaining;
}

/**
 * The remaining qty of an open order, for holds and auctions: a notional order's unspent dollars valued at
 * `price()` (the last trade), or at its average fill price (1 before any fill) when no price is given.
 */
export function remainingQty(o: SimOrder, price?: () => number): number {
  if (o.qty !== null) return round9(o.qty - o.filledQty);
  const at = price === undefined ? (o.filledAvgPrice ?? 1) : price();
  const spent = o.filledQty * (o.filledAvgPrice ?? 0);
  return Math.max(0, round9(((o.notional ?? 0) - spent) / at));
}

/**
 * The qty of the next execution out of `remaining`. An order's first execution is partial with probability
 * `partialFillRate` (never for FOK, nor under 2 shares): 20–80% of what is left, at least one share.
 */
export function fillQuantity(
  o: SimOrder, remaining: number, seed: number, partialFillRate: number,
): { qty: number; partial: boolean } {
  const partial = !o.partialDone && o.timeInForce !== 'fok' && remaining >= 2
    && unit(seed, o.accountKey, o.clientOrderId, 'partial') < partialFillRate;
  if (!partial) return { qty: remaining, partial: false };
  const fraction = 0.2 + 0.6 * unit(seed, o.accountKey, o.clientOrderId, 'fraction');
  return { qty: Math.max(1, Math.floor(remaining * fraction)), partial: true };
}

/** Whether an auction order executes at the auction price: always without a limit, else when the limit allows it. */
export function auctionCrosses(o: SimOrder, price: number): boolean {
  const limit = o.limitPrice;
  return limit === null || (o.side === 'buy' ? price <= limit + EPS : price >= limit - EPS);
}

/** Whether an order is completely filled: its qty, or all but less than a cent of a notional order's dollars. */
export function isComplete(o: SimOrder): boolean {
  return o.qty !== null ? o.filledQty >= o.qty - EPS
    : (o.notional ?? 0) - o.filledQty * (o.filledAvgPrice ?? 0) < 0.01;
}
