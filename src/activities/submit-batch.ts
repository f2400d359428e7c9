import { BrokerUnauthorized, DuplicateClientOrderId, FINAL_BROKER_ERRORS } from '../broker/errors';
import type { BrokerPort } from '../broker/port';
import type { SubmitBatchRequest, SubmitOutcome } from '../contracts/day';
import { orderStateOf } from '../domain/order-state';
import { sessionRefusal } from '../domain/session';
import type { BrokerOrder, MarketClock, OrderIntent } from '../domain/types';
import { ordersSubmittedSince } from './order-lookup';

/** What the batch needs from the activity it runs in; plain functions, so a unit test drives it without Temporal. */
export interface BatchContext {
  /** Attempt number of the activity: a retry first lists what the broker already holds. */
  attempt: number;
  /** The broker's clock (cached by the caller) for the session guard. */
  clock(): Promise<MarketClock>;
  /** Called before every order: it is how a cancel request (the day's stop) reaches the activity. */
  heartbeat(sent: number): void;
  /** True once the day asked to cancel the activity: no further order leaves. */
  cancelled(): boolean;
}

/**
 * Sends a batch of orders through `concurrency` lanes and answers for each: the broker's order, its final refusal,
 * or why it was not sent (the session ended, or the day was stopped). A retry (attempt > 1) lists the orders the
 * broker already holds and sends only the others; a duplicate refusal also means the order exists. An error the
 * broker may recover from stops the lanes, lets every request in flight finish, and is thrown: the activity is
 * retried and the retry finds what went through.
 */
export async function submitBatch(broker: BrokerPort, request: SubmitBatchRequest, context: BatchContext): Promise<SubmitOutcome[]> {
  const outcomes = new Map<string, SubmitOutcome>();
  if (context.attempt > 1) {
    const held = await ordersSubmittedSince(broker, request.submittedAfter, new Set(request.intents.map((intent) => intent.clientOrderId)));
    for (const order of held) outcomes.set(order.clientOrderId, { clientOrderId: order.clientOrderId, order: orderStateOf(order) });
  }
  const queue = request.intents.filter((intent) => !outcomes.has(intent.clientOrderId));
  let next = 0;
  let sent = 0;
  let failure: unknown = null;
  let refusal: string | null = null;

  const lane = async (): Promise<void> => {
    while (next < queue.length && failure === null) {
      const intent = queue[next]!;
      next += 1;
      context.heartbeat(sent);
      if (context.cancelled()) {
        outcomes.set(intent.clientOrderId, { clientOrderId: intent.clientOrderId, notSent: 'the day was stopped before this order was sent' });
        continue;
      }
      if (request.guard && refusal === null) {
        refusal = sessionRefusal(await context.clock(), request.guard.tradingDate, request.guard.notAfter);
      }
      if (refusal !== null) {
        outcomes.set(intent.clientOrderId, { clientOrderId: intent.clientOrderId, sessionOver: `not sent: ${refusal}` });
        continue;
      }
      try {
        outcomes.set(intent.clientOrderId, { clientOrderId: intent.clientOrderId, order: orderStateOf(await sendOnce(broker, intent)) });
        sent += 1;
      } catch (error) {
        if (isFinalForTheOrder(error)) {
          outcomes.set(intent.clientOrderId, { clientOrderId: intent.clientOrderId, refused: { type: error.name, message: error.message } });
        } else if (failure === null) {
          failure = error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(request.concurrency, queue.length)) }, lane));
  if (failure !== null) throw failure;
  return request.intents.map((intent) => outcomes.get(intent.clientOrderId)!);
}

/** A new order, or the one the broker already holds under its client order id (a duplicate refusal). */
export async function sendOnce(broker: BrokerPort, intent: OrderIntent): Promise<BrokerOrder> {
  try {
    return await broker.submitOrder(intent);
  } catch (error) {
    if (!(error instanceof DuplicateClientOrderId)) throw error;
    const held = await broker.getOrderByClientOrderId(intent.clientOrderId);
    if (!held) throw error;
    return held;
  }
}

/** The broker's final answer about this one order; an unauthorized key concerns every order and fails the batch. */
function isFinalForTheOrder(error: unknown): error is Error {
  return error instanceof Error && !(error instanceof BrokerUnauthorized)
    && (FINAL_BROKER_ERRORS as readonly string[]).includes(error.name);
}
