import { condition, log } from '@temporalio/workflow';
import type { SessionGuard } from '../contracts/day';
import type { OrderIntent } from '../domain/types';
import type { DayState } from './day-state';
import { submit, submitBatch } from './day-steps';

/** How a day sends its orders: inside its session, with its retry budget. */
export interface Sending {
  /** Submits in flight at once (1: one after the other, as days before the fast-execution patch). */
  concurrency: number;
  ledger: boolean;
  notAfter: string;
  guard: SessionGuard | undefined;
  retryMinutes: number;
  /** Orders per submit activity (days on the batched-submits patch); absent: one activity per order. */
  batchSize?: number;
  /** The day's orders were all submitted after this instant (a batch's retry lists them from here). */
  submittedAfter?: string;
}

/**
 * Sends the orders one after the other, waiting while paused; the session's end leaves the rest unsent, each
 * explained. False when a stop came (nothing more is sent).
 */
export async function submitAll(day: DayState, orders: OrderIntent[], sending: Sending): Promise<boolean> {
  if (sending.batchSize !== undefined) return submitInBatches(day, orders, sending);
  if (sending.concurrency > 1) return submitConcurrently(day, orders, sending);
  for (const [index, intent] of orders.entries()) {
    if (day.paused) await resumeAfterPause(day, sending);
    // Stopped while a submit was in flight: that submit has answered; nothing more is sent.
    if (sending.ledger && day.stop) return false;
    if (sending.ledger && !day.sessionOver && Date.now() >= Date.parse(sending.notAfter)) {
      day.endSession(`past the last submit time ${sending.notAfter}`);
    }
    if (day.sessionOver) {
      day.markSessionOver(orders.slice(index), day.sessionOver);
      log.warn('session over: the rest of the plan is not sent', { reason: day.sessionOver, unsent: orders.length - index });
      break;
    }
    await submit(day, intent, sending.guard, sending.retryMinutes);
  }
  return true;
}

/**
 * Sends the sells, then the buys, each side through `concurrency` lanes that take the next order as soon as their
 * last one is answered. Every lane is awaited before this returns, even when a stop cancels the day, so the stop's
 * sweep only starts once every submit in flight has been answered. False when a stop came.
 */
async function submitConcurrently(day: DayState, orders: OrderIntent[], sending: Sending): Promise<boolean> {
  for (const side of ['sell', 'buy'] as const) {
    const queue = orders.filter((order) => order.side === side);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < queue.length) {
        if (day.paused) {
          await resumeAfterPause(day, sending);
          continue;
        }
        if (day.stop) return;
        if (!day.sessionOver && Date.now() >= Date.parse(sending.notAfter)) day.endSession(`past the last submit time ${sending.notAfter}`);
        if (day.sessionOver) {
          const unsent = queue.slice(next);
          next = queue.length;
          day.markSessionOver(unsent, day.sessionOver);
          log.warn('session over: the rest of the plan is not sent', { reason: day.sessionOver, unsent: unsent.length });
          return;
        }
        const intent = queue[next]!;
        next += 1;
        await submit(day, intent, sending.guard, sending.retryMinutes);
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(sending.concurrency, queue.length) }, lane));
    const failed = lanes.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    if (day.stop) return false;
  }
  return true;
}

/**
 * Sends the sells, then the buys, in batches of `batchSize` orders, one submit activity each (the activity runs
 * `concurrency` lanes). Between batches the day honours a pause, a stop and the session's end; a stop during a batch
 * reaches the activity itself, which sends nothing more and answers. False when a stop came.
 */
async function submitInBatches(day: DayState, orders: OrderIntent[], sending: Sending): Promise<boolean> {
  const batchSize = sending.batchSize!;
  for (const side of ['sell', 'buy'] as const) {
    const queue = orders.filter((order) => order.side === side);
    for (let start = 0; start < queue.length; start += batchSize) {
      if (day.paused) await resumeAfterPause(day, sending);
      if (day.stop) return false;
      if (!day.sessionOver && Date.now() >= Date.parse(sending.notAfter)) day.endSession(`past the last submit time ${sending.notAfter}`);
      if (day.sessionOver) {
        const unsent = queue.slice(start);
        day.markSessionOver(unsent, day.sessionOver);
        log.warn('session over: the rest of the plan is not sent', { reason: day.sessionOver, unsent: unsent.length });
        break;
      }
      await submitBatch(day, queue.slice(start, start + batchSize), sending);
    }
    if (day.stop) return false;
  }
  return true;
}

/**
 * Waits out a pause. After it the broker's clock must be read afresh: a reading the worker kept from before the
 * pause would be advanced by the worker's own elapsed time, which says nothing of a broker clock that moved otherwise.
 */
async function resumeAfterPause(day: DayState, sending: Sending): Promise<void> {
  day.describe();
  await condition(() => !day.paused);
  if (sending.guard) sending.guard = { ...sending.guard, freshClockAfter: new Date().toISOString() };
}
