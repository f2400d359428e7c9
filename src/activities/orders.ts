import { CancelledFailure, Context, log } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import type { Account, BrokerOrder, OrderIntent, Position } from '../domain/types';
import { NotFound, OrderNotCancelable } from '../broker/errors';
import type { BrokerPort } from '../broker/port';
import { sessionRefusal } from '../domain/session';
import { readOrders } from './order-lookup';
import type { FetchedOrders, SessionGuard, SubmitBatchRequest, SubmitOutcome } from '../contracts/day';
import { sendOnce, submitBatch } from './submit-batch';
import { recentClock } from './broker-clock';
import { packOrderStates } from '../domain/order-state';

/** The broker's clock says the order's session is over (or not begun): final, the order is not sent. */
export class SessionOver extends Error {
  override name = 'SessionOver';
}

/** How often `awaitNoOpenOrders` looks. */
const OPEN_ORDERS_POLL_MS = 500;

/** Side-effecting broker activities. Each is idempotent, keyed by ids the workflow derives. */
export function createOrderActivities({ brokerFor }: ActivityDeps) {
  return {
    /**
     * Submits an intent exactly once. The broker may have taken an earlier attempt whose answer was lost, so a retry
     * looks the order up by its client order id first (the first attempt has no earlier one: it saves the broker a
     * request per order); a duplicate rejection also means it exists already. With a
     * guard, a new order is sent only inside its trading date's session, by the broker's clock; and never once
     * the day has asked to cancel this submit (its kill switch): what was not sent by then is not sent at all.
     */
    async submitOrder(account: string, intent: OrderIntent, guard?: SessionGuard): Promise<BrokerOrder> {
      const broker = brokerFor(account);
      const existing = attempt() > 1 ? await broker.getOrderByClientOrderId(intent.clientOrderId) : null;
      if (existing) {
        log.info('order already at the broker, not resubmitting', { clientOrderId: intent.clientOrderId });
        return existing;
      }
      if (guard) {
        const refusal = sessionRefusal(await recentClock(broker, guard.notAfter, guard.freshClockAfter), guard.tradingDate, guard.notAfter);
        if (refusal) throw new SessionOver(`not sent: ${refusal}`);
      }
      if (cancelRequested()) throw new CancelledFailure('the day was stopped before this order was sent');
      return sendOnce(broker, intent);
    },

    /**
     * Submits a batch of orders exactly once each (see submitBatch). It beats before every order, so the day's stop
     * reaches it within the worker's heartbeat throttle (worker.ts) and no order leaves after that; it then answers
     * normally, naming the orders it did not send, and the day's stop sweeps after this answer.
     */
    async submitOrders(account: string, request: SubmitBatchRequest): Promise<SubmitOutcome[]> {
      const broker = brokerFor(account);
      const notAfter = request.guard?.notAfter ?? null;
      const freshAfter = request.guard?.freshClockAfter;
      return submitBatch(broker, request, {
        attempt: attempt(),
        clock: () => recentClock(broker, notAfter, freshAfter),
        heartbeat: (sent) => heartbeat(sent),
        cancelled: cancelRequested,
      });
    },

    /** The current state of the given orders, by client order id; orders the broker does not know are absent. */
    async fetchOrders(account: string, clientOrderIds: string[], submittedAfter: string): Promise<FetchedOrders> {
      const broker = brokerFor(account);
      const orders = await readOrders(broker, submittedAfter, new Set(clientOrderIds));
      return { ...packOrderStates(orders), pacing: broker.pacing?.() ?? null };
    },

    /** Cancels orders; an order that is already final or gone counts as done. Returns the ids asked to cancel. */
    async cancelOrders(account: string, orderIds: string[]): Promise<string[]> {
      return cancelEach(brokerFor(account), orderIds);
    },

    /** The kill switch at the broker: cancel every open order of the account. Safe to repeat. */
    async cancelAllOpenOrders(account: string): Promise<string[]> {
      const results = await brokerFor(account).cancelAllOrders();
      return results.map((result) => result.orderId);
    },

    /** Cancels the open orders whose client order id starts with `prefix` (a failed run's, before it is resumed). */
    async cancelOpenOrdersWithPrefix(account: string, prefix: string): Promise<string[]> {
      const broker = brokerFor(account);
      const open = await broker.listOrders({ status: 'open', limit: 500 });
      return cancelEach(broker, open.filter((order) => order.clientOrderId.startsWith(prefix)).map((order) => order.id));
    },

    /** Waits up to `timeoutMs` until the account has no open order; true when it has none. */
    async awaitNoOpenOrders(account: string, timeoutMs: number): Promise<boolean> {
      const broker = brokerFor(account);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if ((await broker.listOrders({ status: 'open', limit: 500 })).length === 0) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, OPEN_ORDERS_POLL_MS));
      }
    },

    /** The account now: equity against the previous close, for the intraday daily-loss check. */
    async getAccount(account: string): Promise<Account> {
      return brokerFor(account).getAccount();
    },

    /** The account's positions now (for flattening). */
    async getPositions(account: string): Promise<Position[]> {
      return brokerFor(account).getPositions();
    },
  };
}

/** The attempt number of the running activity (1 outside an activity, as in unit tests). */
function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** Heartbeats the running activity (nothing outside an activity, as in unit tests). */
function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not in an activity
  }
}

/** Whether the workflow asked to cancel the running activity (false outside an activity, as in unit tests). */
function cancelRequested(): boolean {
  try {
    return Context.current().cancellationSignal.aborted;
  } catch {
    return false;
  }
}

/** Cancels orders one by one; one already final or gone counts as done. Returns the ids asked to cancel. */
async function cancelEach(broker: BrokerPort, orderIds: string[]): Promise<string[]> {
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
}
