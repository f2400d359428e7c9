import { log } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import type { BrokerOrder, OrderIntent, Position } from '../domain/types';
import { DuplicateClientOrderId, NotFound, OrderNotCancelable } from '../broker/errors';

/** Side-effecting broker activities. Each is idempotent, keyed by ids the workflow derives. */
export function createOrderActivities({ brokerFor }: ActivityDeps) {
  return {
    /**
     * Submits an intent exactly once. The broker may have taken an earlier attempt whose answer was lost, so look
     * the order up by its client order id first; a duplicate rejection also means it exists already.
     */
    async submitOrder(account: string, intent: OrderIntent): Promise<BrokerOrder> {
      const broker = brokerFor(account);
      const existing = await broker.getOrderByClientOrderId(intent.clientOrderId);
      if (existing) {
        log.info('order already at the broker, not resubmitting', { clientOrderId: intent.clientOrderId });
        return existing;
      }
      try {
        return await broker.submitOrder(intent);
      } catch (error) {
        if (!(error instanceof DuplicateClientOrderId)) throw error;
        const raced = await broker.getOrderByClientOrderId(intent.clientOrderId);
        if (!raced) throw error;
        return raced;
      }
    },

    /** The current state of the given orders, by client order id; orders the broker does not know are absent. */
    async fetchOrders(account: string, clientOrderIds: string[], submittedAfter: string): Promise<BrokerOrder[]> {
      const wanted = new Set(clientOrderIds);
      const orders = await brokerFor(account).listOrders({ status: 'all', after: submittedAfter, limit: 500 });
      const found = orders.filter((order) => wanted.has(order.clientOrderId));
      if (found.length === wanted.size) return found;
      const missing = [...wanted].filter((id) => !found.some((order) => order.clientOrderId === id));
      const lookedUp = await Promise.all(missing.map((id) => brokerFor(account).getOrderByClientOrderId(id)));
      return [...found, ...lookedUp.filter((order): order is BrokerOrder => order !== null)];
    },

    /** Cancels orders; an order that is already final or gone counts as done. Returns the ids asked to cancel. */
    async cancelOrders(account: string, orderIds: string[]): Promise<string[]> {
      const broker = brokerFor(account);
      const canceled: string[] = [];
      for (const orderId of orderIds) {
        try {
          await broker.cancelOrder(orderId);
          canceled.push(orderId);
        } catch (error) {
          if (!(error instanceof OrderNotCancelable || error instanceof NotFound)) throw error;
        }
      }
      return canceled;
    },

    /** The kill switch at the broker: cancel every open order of the account. Safe to repeat. */
    async cancelAllOpenOrders(account: string): Promise<string[]> {
      const results = await brokerFor(account).cancelAllOrders();
      return results.map((result) => result.orderId);
    },

    /** The account's positions now (for flattening). */
    async getPositions(account: string): Promise<Position[]> {
      return brokerFor(account).getPositions();
    },
  };
}
