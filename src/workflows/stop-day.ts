import type { AccountStopOutcome } from '../contracts/account';
import { activities } from './activity-options';
import type { DayState } from './day-state';
import { patched } from '@temporalio/workflow';
import { cancelLeftovers, finishDay, refreshOrders, resolveUnknownOrders, settleCancels, SETTLE_CANCELS_PATCH } from './day-steps';
import { nowIso } from './time';

/**
 * The day's part of the kill switch, once its submits in flight have answered (the trading scope is done): tell
 * the account's ledger it sends nothing more, pull the account's kill switch unless it came from there (halt,
 * stop the other days, cancel every open order, flatten once), then sweep every order this day may have at the
 * broker, looked up by client order id, and cancel what is open.
 */
export async function stopTheDay(day: DayState): Promise<void> {
  const stop = day.stop!;
  const { account } = day.input;
  day.beginStop();
  // Told even when the stop came while the claim was in flight: the ledger ignores a run that does not hold the date.
  await finishDay(day, 'stopped');
  let accountOutcome: AccountStopOutcome | null = null;
  if (stop.origin !== 'account') {
    accountOutcome = await activities('killSwitch', 'pull the account\'s kill switch: halt, stop its days, cancel every open order')
      .stopAccount(account, { reason: stop.reason, flatten: stop.flatten, by: day.workflowId });
  }
  const since = new Date(Date.parse(stop.at) - 24 * 3600_000).toISOString();
  await refreshOrders(day, since, day.sweepClientOrderIds());
  const canceledHere = await cancelLeftovers(day);
  await refreshOrders(day, since);
  if (patched(SETTLE_CANCELS_PATCH)) await settleCancels(day, since);
  const sweptIds = new Set(day.sweepClientOrderIds());
  const swept = day.orderList().filter((order) => sweptIds.has(order.clientOrderId));
  day.adoptStopOutcome({
    workflowId: day.workflowId,
    canceledOrderIds: [...new Set([...(accountOutcome?.canceledOrderIds ?? []), ...canceledHere])],
    closingOrders: accountOutcome?.closingOrders.map((order) => order.clientOrderId) ?? [],
    tradingState: 'HALTED',
    accountHalted: true,
    stoppedAt: stop.at,
    completedAt: nowIso(),
    sweptOrders: swept.map(({ clientOrderId, symbol, status, filledQty }) => ({ clientOrderId, symbol, status, filledQty })),
    account: accountOutcome,
  });
  // A submit whose answer was lost may still be unknown: keep looking it up (and cancel it) after the answer.
  await resolveUnknownOrders(day, since);
  day.endStop(await activities('broker', 'read the portfolio after the stop').closingPortfolio(account, {}));
}
