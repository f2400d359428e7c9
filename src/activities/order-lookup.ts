import type { BrokerPort } from '../broker/port';
import type { BrokerOrder } from '../domain/types';

/** The broker's largest page of orders. */
const ORDERS_PAGE = 500;
/** A day of 10,000 orders is 20 pages: past this, the rest is looked up one by one. */
const MAX_ORDER_PAGES = 40;

/**
 * The wanted orders among those submitted since `after`, oldest first, page by page (500 a page), so a day of
 * thousands of orders is read in a few requests rather than one lookup per order. Pages overlap by a millisecond
 * (the broker's `after` is exclusive and several orders can share an instant); duplicates are dropped by id.
 */
export async function ordersSubmittedSince(broker: BrokerPort, after: string, wanted: Set<string>): Promise<BrokerOrder[]> {
  const byId = new Map<string, BrokerOrder>();
  let cursor = after;
  for (let page = 0; page < MAX_ORDER_PAGES; page++) {
    const batch = await broker.listOrders({ status: 'all', after: cursor, limit: ORDERS_PAGE, direction: 'asc' });
    for (const order of batch) if (wanted.has(order.clientOrderId)) byId.set(order.id, order);
    const last = batch[batch.length - 1]?.submittedAt;
    if (batch.length < ORDERS_PAGE || byId.size >= wanted.size || !last) break;
    const next = new Date(Date.parse(last) - 1).toISOString();
    if (next <= cursor) break;
    cursor = next;
  }
  return [...byId.values()];
}

/** The wanted orders as the broker shows them: read page by page, then any not listed looked up by client order id. */
export async function readOrders(broker: BrokerPort, after: string, wanted: Set<string>): Promise<BrokerOrder[]> {
  const found = await ordersSubmittedSince(broker, after, wanted);
  const listed = new Set(found.map((order) => order.clientOrderId));
  const missing = [...wanted].filter((id) => !listed.has(id));
  if (missing.length === 0) return found;
  const lookedUp = await Promise.all(missing.map((id) => broker.getOrderByClientOrderId(id)));
  return [...found, ...lookedUp.filter((order): order is BrokerOrder => order !== null)];
}
