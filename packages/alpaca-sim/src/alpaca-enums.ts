/**
 * Alpaca's wire vocabulary for equity orders, as the Trading API v2 spec spells it. The simulator's own copy:
 * it speaks Alpaca's protocol and depends on no client of it.
 */

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok' | 'opg' | 'cls';

/** Alpaca's order statuses (the spec's OrderStatus enum). */
export type OrderStatus =
  | 'new' | 'partially_filled' | 'filled' | 'done_for_day' | 'canceled' | 'expired' | 'replaced'
  | 'pending_cancel' | 'pending_replace' | 'accepted' | 'pending_new' | 'accepted_for_bidding'
  | 'stopped' | 'rejected' | 'suspended' | 'calculated' | 'held';
