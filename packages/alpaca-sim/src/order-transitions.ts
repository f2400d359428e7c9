/**
 * Order status transitions as a pure table, and the `trade_updates` event each status change emits. Alpaca
 * publishes no state machine: this is NOTES.md §2.7, derived from the status descriptions and the stream events.
 */
import type { OrderStatus } from './alpaca-enums';

/** The `trade_updates` events the simulator emits. */
export type TradeEvent =
  | 'new' | 'fill' | 'partial_fill' | 'canceled' | 'expired' | 'replaced' | 'rejected' | 'done_for_day'
  | 'pending_new' | 'pending_cancel' | 'pending_replace' | 'order_replace_rejected' | 'order_cancel_rejected';

/** Statuses after which an order never changes. */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

const ENDINGS: readonly OrderStatus[] = ['canceled', 'expired', 'replaced'];

/** from → the statuses it may move to. Final statuses move nowhere. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_new: ['accepted', 'new', 'rejected', 'canceled'],
  accepted: ['new', 'rejected', 'partially_filled', 'filled', ...ENDINGS],
  // A bracket/OTO exit waits in `held` until its entry has completely filled.
  held: ['new', 'accepted', ...ENDINGS],
  new: ['partially_filled', 'filled', 'rejected', 'pending_cancel', 'pending_replace', 'done_for_day', ...ENDINGS],
  partially_filled: ['partially_filled', 'filled', 'pending_cancel', 'pending_replace', 'done_for_day', ...ENDINGS],
  done_for_day: ['new', 'partially_filled', 'filled', ...ENDINGS],
  pending_cancel: ['canceled', 'partially_filled', 'filled'],
  pending_replace: ['replaced', 'partially_filled', 'filled', 'canceled'],
  accepted_for_bidding: ['new', 'rejected', 'canceled'],
  stopped: ['filled', 'canceled'],
  suspended: ['new', 'canceled'],
  calculated: ['filled'],
  filled: [],
  canceled: [],
  expired: [],
  replaced: [],
  rejected: [],
};

/** The event announcing arrival in a status (none for `accepted`, which Alpaca does not stream). */
export const EVENT_FOR_STATUS: Readonly<Partial<Record<OrderStatus, TradeEvent>>> = {
  new: 'new',
  partially_filled: 'partial_fill',
  filled: 'fill',
  canceled: 'canceled',
  expired: 'expired',
  replaced: 'replaced',
  rejected: 'rejected',
  done_for_day: 'done_for_day',
  pending_new: 'pending_new',
  pending_cancel: 'pending_cancel',
  pending_replace: 'pending_replace',
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** Statuses that DELETE /v2/orders/{id} may cancel. */
export function isCancelable(status: OrderStatus): boolean {
  return canTransition(status, 'canceled');
}

/** Statuses PATCH may replace: not before the order reached the venue (`accepted`, `pending_*`). */
export function isReplaceable(status: OrderStatus): boolean {
  return status === 'new' || status === 'partially_filled' || status === 'held';
}
