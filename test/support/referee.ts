/**
 * The judge of exactly-once, for the chaos bench and the cluster tests: a day's report against the simulator's own
 * order log. Only the broker's records count; the report says what the day meant to send.
 */
import type { RunningSimulator } from 'alpaca-sim';
import type { OrderRecord } from '../../src/contracts/day';

/** An order as the simulator's admin log lists it. */
export interface SimOrder { client_order_id: string; symbol: string; side: string; created_at: string }

export interface OrderLogVerdict {
  /** Orders the day sent or meant to send (its report, less those it never sent). */
  intended: number;
  atBroker: number;
  /** Orders beyond the first for the same symbol and side. */
  duplicates: number;
  /** Intended orders the broker never got. */
  lost: number;
  /** Orders at the broker the day did not intend. */
  phantom: number;
  /** Orders the broker created after the stop answered (0 without a stop). */
  afterStop: number;
}

/** The simulator's key id of an account (each key id is its own account there). */
export function simKeyId(account: string): string {
  return `KEY-${account.toUpperCase()}`;
}

/** The account's orders in the simulator's admin log. */
export async function simOrders(sim: { url: string } | RunningSimulator, account: string): Promise<SimOrder[]> {
  const response = await fetch(`${sim.url}/admin/orders?account=${encodeURIComponent(simKeyId(account))}`);
  if (!response.ok) throw new Error(`admin orders: ${response.status}`);
  const body = (await response.json()) as unknown;
  return (Array.isArray(body) ? body : (body as { orders: SimOrder[] }).orders) as SimOrder[];
}

/**
 * Compares the day's intents with the broker's order log. A stopped day intended only the orders it sent (the rest
 * stay unsubmitted); the kill switch's closing orders (`stop-...`) are its own and not phantoms.
 */
export function judgeOrderLog(
  reportOrders: readonly Pick<OrderRecord, 'clientOrderId' | 'status'>[], log: readonly SimOrder[], stoppedAt: number | null = null,
): OrderLogVerdict {
  const afterStop = stoppedAt === null ? 0 : log.filter((order) => Date.parse(order.created_at) > stoppedAt).length;
  const orders = log.filter((order) => !order.client_order_id.startsWith('stop-'));
  const notSent = new Set<string>(['submit_failed', ...(stoppedAt !== null ? ['unsubmitted'] : [])]);
  const intended = new Set(reportOrders.filter((order) => !notSent.has(order.status)).map((order) => order.clientOrderId));
  const perIntent = new Map<string, number>();
  for (const order of orders) perIntent.set(`${order.symbol}/${order.side}`, (perIntent.get(`${order.symbol}/${order.side}`) ?? 0) + 1);
  const atBroker = new Set(orders.map((order) => order.client_order_id));
  return {
    intended: intended.size,
    atBroker: orders.length,
    duplicates: [...perIntent.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0),
    lost: [...intended].filter((id) => !atBroker.has(id)).length,
    phantom: orders.filter((order) => !intended.has(order.client_order_id)).length,
    afterStop,
  };
}
