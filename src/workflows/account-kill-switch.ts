import { condition, getExternalWorkflowHandle, log } from '@temporalio/workflow';
import type { DayLedger, DayRecord } from '../domain/day-ledger';
import { flattenIntents } from '../domain/flatten';
import type { StopRequest } from '../domain/stop-request';
import type { AccountStopOutcome, ClosingOrder } from '../contracts/account';
import { accountStopId } from '../names';
import { activities } from './activity-options';
import { errorMessage } from './day-steps';
import { emergencyStopSignal } from './messages';
import { nowIso } from './time';
import { describeIntent } from './wording';

/** How long the kill switch waits for a running day to confirm it sends nothing more. */
const DAY_CONFIRM_TIMEOUT_MS = 60_000;
/** How long a flattening stop waits for cancelled orders to leave the book before it reads the positions. */
const CANCEL_SETTLE_MS = 15_000;

/** The days a halt told to stop, and which of them had already ended (so nothing waits for them). */
export interface SignalledDays {
  days: DayRecord[];
  ended: Promise<Set<string>>;
}

/** Tells every running day of the ledger to stop; the account's kill switch does the account-wide part. */
export function stopRunningDays(ledger: DayLedger, reason: string): SignalledDays {
  const days = ledger.trading();
  const ended = new Set<string>();
  const sent = days.map(async (day) => {
    try {
      await getExternalWorkflowHandle(day.workflowId, day.runId).signal(emergencyStopSignal, { reason, origin: 'account' });
    } catch (error) {
      log.info('a running day could not be signalled: it has ended', { workflowId: day.workflowId, runId: day.runId, error });
      ended.add(day.runId);
    }
  });
  return { days, ended: Promise.all(sent).then(() => ended) };
}

/**
 * The account-wide part of the kill switch, once the account is halted and its days were told to stop: wait until
 * none of them can send an order (their in-flight submits answered), cancel every open order, and with `flatten`
 * close every position. Days that do not confirm in time are reported; their orders are cancelled all the same.
 */
export async function runAccountStop(
  account: string, ledger: DayLedger, request: StopRequest & { by: string }, signalled: SignalledDays,
): Promise<Omit<AccountStopOutcome, 'schedulePaused'>> {
  const stoppedAt = nowIso();
  const ended = await signalled.ended;
  const stillTrading = (day: DayRecord) => {
    const record = ledger.get(day.tradingDate);
    return !ended.has(day.runId) && record?.runId === day.runId && record.status === 'trading';
  };
  await condition(() => !signalled.days.some(stillTrading), DAY_CONFIRM_TIMEOUT_MS);
  const days = signalled.days.map((day) => ({
    workflowId: day.workflowId,
    tradingDate: day.tradingDate,
    confirmation: ended.has(day.runId) ? 'ended' as const : stillTrading(day) ? 'unconfirmed' as const : 'stopped' as const,
  }));
  const canceledOrderIds = await activities('broker', `kill switch: cancel every open order of ${account} (${request.reason})`)
    .cancelAllOpenOrders(account);
  const closingOrders = request.flatten ? await flatten(account, stoppedAt) : [];
  log.warn('kill switch done', { account, days, canceled: canceledOrderIds.length, closing: closingOrders.length });
  return {
    account, state: 'HALTED', reason: request.reason, by: request.by, stoppedAt, completedAt: nowIso(),
    days, canceledOrderIds, closingOrders,
  };
}

/** Closes every position with market orders whose client order ids name this stop, so a retry sends none twice. */
async function flatten(account: string, stoppedAt: string): Promise<ClosingOrder[]> {
  await activities('broker', 'wait for the cancelled orders to leave the book').awaitNoOpenOrders(account, CANCEL_SETTLE_MS);
  const positions = await activities('broker', 'read the positions to close').getPositions(account);
  const stopId = accountStopId(account, stoppedAt);
  const closing: ClosingOrder[] = [];
  for (const intent of flattenIntents(stopId, positions)) {
    const base = { clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side, qty: intent.qty ?? 0 };
    try {
      const order = await activities('broker', `kill switch: ${describeIntent(intent)}`).submitOrder(account, intent);
      closing.push({ ...base, status: order.status });
    } catch (error) {
      log.error('a closing order was not accepted', { clientOrderId: intent.clientOrderId, error });
      closing.push({ ...base, status: 'submit_failed', detail: errorMessage(error) });
    }
  }
  return closing;
}
