import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activitiesWithSummary, FINAL_ERRORS } from './activity-options';
import type { AccountStopOutcome } from './account-types';
import type { DayState } from './day-state';
import { cancelLeftovers, enter, finishDay, nowIso, refreshOrders, resolveUnknownOrders } from './day-steps';

/** The account's kill switch waits up to a minute for the account's other days: its call gets more than a broker call. */
const { stopAccount } = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '8 seconds',
  scheduleToCloseTimeout: '20 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_ERRORS },
  summary: 'pull the account\'s kill switch: halt, stop its days, cancel every open order',
});

/**
 * The day's part of the kill switch, once its submits in flight have answered (the trading scope is done): tell
 * the account's ledger it sends nothing more, pull the account's kill switch unless it came from there (halt,
 * stop the other days, cancel every open order, flatten once), then sweep every order this day may have at the
 * broker, looked up by client order id, and cancel what is open.
 */
export async function stopTheDay(day: DayState): Promise<void> {
  const stop = day.stop!;
  const { account } = day.input;
  enter(day, 'stopped');
  day.reason = `emergency stop: ${stop.reason}`;
  // Told even when the stop came while the claim was in flight: the ledger ignores a run that does not hold the date.
  await finishDay(day, 'stopped');
  let accountOutcome: AccountStopOutcome | null = null;
  if (stop.origin !== 'account') {
    accountOutcome = await stopAccount(account, { reason: stop.reason, flatten: stop.flatten, by: day.workflowId });
  }
  const since = new Date(Date.parse(stop.at) - 24 * 3600_000).toISOString();
  await refreshOrders(day, since, day.sweepClientOrderIds());
  const canceledHere = await cancelLeftovers(day);
  await refreshOrders(day, since);
  const swept = day.orderList().filter((order) => day.sweepClientOrderIds().includes(order.clientOrderId));
  day.stopOutcome = {
    workflowId: day.workflowId,
    canceledOrderIds: [...new Set([...(accountOutcome?.canceledOrderIds ?? []), ...canceledHere])],
    closingOrders: accountOutcome?.closingOrders.map((order) => order.clientOrderId) ?? [],
    tradingState: 'HALTED',
    accountHalted: true,
    stoppedAt: stop.at,
    completedAt: nowIso(),
    sweptOrders: swept.map(({ clientOrderId, symbol, status, filledQty }) => ({ clientOrderId, symbol, status, filledQty })),
    account: accountOutcome,
  };
  // A submit whose answer was lost may still be unknown: keep looking it up (and cancel it) after the answer.
  await resolveUnknownOrders(day, since);
  const closing = await activitiesWithSummary('read the portfolio after the stop').closingPortfolio(account, {});
  day.portfolio = closing.portfolio;
  day.tradingState = 'HALTED';
  enter(day, 'stopped');
}
