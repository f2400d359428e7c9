import { CancelledFailure, Context, log } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import type { AwaitFillsRequest, AwaitFillsResult } from '../contracts/day';
import type { BrokerPort } from '../broker/port';
import { dailyLossBreach } from '../domain/daily-loss';
import { packOrderStates } from '../domain/order-state';
import { isTerminalStatus } from '../domain/orders';
import type { BrokerOrder } from '../domain/types';
import { readOrders } from './order-lookup';

/** How long the stream may take to authenticate before the wait falls back to reading the broker over REST. */
const STREAM_READY_MS = 10_000;
/** Reads asked for by the stream (a reconnect, an unreadable update) are at least this far apart: a stream that
 * sends garbage without pause cannot turn the wait into a flood of REST reads. */
const MIN_RECONCILE_GAP_MS = 250;

/**
 * Waiting for fills, the way an execution engine does it: the account's `trade_updates` stream tells when each
 * order changes, REST reads reconcile on every (re)connect and every `safetyPollMs` as a safety net, and the
 * equity is re-read every `riskCheckMs` for the daily loss limit.
 */
export function createFillActivities({ brokerFor }: ActivityDeps) {
  return {
    /**
     * Follows the given orders until each is final, the deadline comes, or (with `maxDailyLoss`) equity falls
     * through the daily loss limit; answers the orders as the broker last showed them and why it returned. A
     * broker without a stream (a test's fake) is read once and answered `no_stream`: the day then polls.
     */
    async awaitFills(account: string, request: AwaitFillsRequest): Promise<AwaitFillsResult> {
      const broker = brokerFor(account);
      const wanted = new Set(request.clientOrderIds);
      const latest = new Map<string, BrokerOrder>();
      const deadline = Date.parse(request.deadline);
      let wake: (() => void) | null = null;
      let reconcileNeeded = true;
      const nudge = () => {
        const resume = wake;
        wake = null;
        resume?.();
      };
      const open = () => [...wanted].filter((id) => {
        const order = latest.get(id);
        return !order || !isTerminalStatus(order.status);
      });

      if (!broker.watchOrders) {
        // No stream to follow: one read now; the day polls on durable timers (which a test server can skip).
        await reconcile(broker, request.submittedAfter, wanted, latest);
        return { ended: open().length === 0 ? 'final' : 'no_stream', ...packOrderStates([...latest.values()]), pacing: broker.pacing?.() ?? null, streamed: false };
      }
      // Taken now: the stream's callbacks may run outside the activity's async context.
      const activityLog = Context.current().log;
      const stream = broker.watchOrders({
        onOrder(order) {
          if (!wanted.has(order.clientOrderId)) return;
          latest.set(order.clientOrderId, order);
          if (isTerminalStatus(order.status)) nudge();
        },
        onConnection(state) {
          // After a (re)connect, what happened while it was down is read over REST.
          if (state === 'connected') reconcileNeeded = true;
          nudge();
        },
        onUnreadable(reason) {
          // What the stream could not tell is read over REST now, not at the next safety poll.
          activityLog.warn('an unreadable trade update: reading the orders over REST', { account, reason });
          reconcileNeeded = true;
          nudge();
        },
      });
      const cancelled = Context.current().cancellationSignal;
      const onCancel = () => nudge();
      cancelled.addEventListener('abort', onCancel);
      try {
        await Promise.race([stream.ready, sleep(STREAM_READY_MS)]);
        let lastReconcile = 0;
        let lastRiskCheck = Date.now();
        for (;;) {
          if (cancelled.aborted) throw new CancelledFailure('the day stopped waiting for fills');
          const now = Date.now();
          if ((reconcileNeeded && now - lastReconcile >= MIN_RECONCILE_GAP_MS) || now - lastReconcile >= request.safetyPollMs) {
            reconcileNeeded = false;
            lastReconcile = now;
            await reconcile(broker, request.submittedAfter, wanted, latest);
          }
          if (open().length === 0) return result('final');
          if (request.maxDailyLoss !== undefined && now - lastRiskCheck >= request.riskCheckMs) {
            lastRiskCheck = now;
            const equityNow = await broker.getAccount();
            if (dailyLossBreach(equityNow, request.maxDailyLoss)) return { ...result('daily_loss'), account: equityNow };
          }
          if (now >= deadline) return result('deadline');
          const nextRisk = request.maxDailyLoss === undefined ? Infinity : lastRiskCheck + request.riskCheckMs;
          const nextReconcile = lastReconcile + (reconcileNeeded ? MIN_RECONCILE_GAP_MS : request.safetyPollMs);
          const until = Math.min(deadline, nextReconcile, nextRisk);
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(nudge, Math.max(until - Date.now(), 1)).unref?.();
          });
        }
      } finally {
        cancelled.removeEventListener('abort', onCancel);
        await stream.close().catch((error: unknown) => log.warn('closing the trade updates stream failed', { error: String(error) }));
      }

      function result(ended: AwaitFillsResult['ended']): AwaitFillsResult {
        return { ended, ...packOrderStates([...latest.values()]), pacing: broker.pacing?.() ?? null, streamed: true };
      }
    },
  };
}

/** Reads the wanted orders over REST; a read that started before a final update the stream told never reopens it. */
async function reconcile(broker: BrokerPort, after: string, wanted: Set<string>, latest: Map<string, BrokerOrder>): Promise<void> {
  for (const order of await readOrders(broker, after, wanted)) {
    const known = latest.get(order.clientOrderId);
    if (!known || !isTerminalStatus(known.status)) latest.set(order.clientOrderId, order);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
