import type { OrderRecord } from '../contracts/day';
import { isTerminalStatus } from './orders';
import type { OrderStatus } from './types';

/** `12 orders: 10 sent (8 filled, 2 open), 2 never sent`: what reached the broker apart from what did not. */
export function orderCounts(orders: readonly OrderRecord[]): string {
  const neverSent = orders.filter((order) => order.status === 'unsubmitted' || order.status === 'submit_failed').length;
  const unknown = orders.filter((order) => order.status === 'unknown').length;
  const sent = orders.length - neverSent - unknown;
  const filled = orders.filter((order) => order.status === 'filled').length;
  const open = orders.filter((order) => order.brokerOrderId !== null && !isTerminalStatus(order.status as OrderStatus)).length;
  return `${orders.length} orders: ${sent} sent (${filled} filled, ${open} open), ${neverSent} never sent`
    + `${unknown > 0 ? `, ${unknown} outcome unknown (being looked up)` : ''}`;
}
