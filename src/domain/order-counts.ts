import type { OrderRecord } from '../contracts/day';
import { isTerminalStatus } from './orders';
import type { OrderStatus } from './types';

export interface OrderTally { total: number; sent: number; filled: number; open: number; neverSent: number; unknown: number }

/** How many of the day's orders reached the broker, filled, stay open, never left, or await their outcome. */
export function orderTally(orders: readonly OrderRecord[]): OrderTally {
  const neverSent = orders.filter((order) => order.status === 'unsubmitted' || order.status === 'submit_failed').length;
  const unknown = orders.filter((order) => order.status === 'unknown').length;
  return {
    total: orders.length,
    sent: orders.length - neverSent - unknown,
    filled: orders.filter((order) => order.status === 'filled').length,
    open: orders.filter((order) => order.brokerOrderId !== null && !isTerminalStatus(order.status as OrderStatus)).length,
    neverSent,
    unknown,
  };
}

/** `12 orders: 10 sent (8 filled, 2 open), 2 never sent`: what reached the broker apart from what did not. */
export function orderCounts(orders: readonly OrderRecord[]): string {
  const { total, sent, filled, open, neverSent, unknown } = orderTally(orders);
  return `${total} orders: ${sent} sent (${filled} filled, ${open} open), ${neverSent} never sent`
    + `${unknown > 0 ? `, ${unknown} outcome unknown (being looked up)` : ''}`;
}
