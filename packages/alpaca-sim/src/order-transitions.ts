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
  // A replacing order waits in `pending_new` until its replace goes through (`new`) or is rejected; a cancel asked
  // meanwhile (`pending_cancel`) takes effect when it does.
  pending_new: ['accepted', 'new', 'rejected', 'canceled', 'pending_cancel'],
  accepted: ['new', 'rejected', 'partially_filled', 'filled', ...ENDINGS],
  // A bracket/OTO exit waits in `held` until its entry has completely filled.
  held: ['new', 'accepted', ...ENDINGS],
  new: ['partially_filled', 'filled', 'rejected', 'pending_cancel', 'pending_replace', 'done_for_day', ...ENDINGS],
  partially_filled: ['partially_filled', 'filled', 'pending_cancel', 'pending_replace', 'done_for_day', ...ENDINGS],
  // A GTC order partly filled at the close rests until the next open, then resumes.
  done_for_day: ['new', 'partially_filled', 'filled', ...ENDINGS],
  // A cancel can lose the race to an execution; a replacement canceled before its replace went through is rejected.
  pending_cancel: ['canceled', 'partially_filled', 'filled', 'rejected'],
  // The old order of a replace: `replaced`, or it fills first (the replace is rejected); a filling sibling exit
  // cancels it.
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

/**
 * Statuses that DELETE /v2/orders/{id} may cancel: any open one but `pending_replace` ("the order will reject cancel
 * requests while in this state"). `pending_cancel` is cancelable: a second DELETE is accepted and changes nothing.
 */
export function isCancelable(status: OrderStatus): boolean {
  return status !== 'pending_replace' && canTransition(status, 'canceled');
}

/**
 * Statuses PATCH may replace: not before the order reached the venue (`accepted`, `pending_new`), nor while a
 * cancel or another replace is in flight (`pending_cancel`, `pending_replace`).
 */
export function isReplaceable(status: OrderStatus): boolean {
  return status === 'new' || status === 'partially_filled' || status === 'held' || status === 'done_for_day';
}

/** Statuses that race a cancel or replace against executions: the order is live at the venue. */
export function isWorking(status: OrderStatus): boolean {
  return status === 'new' || status === 'partially_filled';
}
