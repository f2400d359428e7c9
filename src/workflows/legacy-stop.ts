import { patched } from '@temporalio/workflow';
import { flattenIntents } from '../domain/flatten';
import { activities, DEFAULT_SUBMIT_RETRY_MINUTES } from './activity-options';
import type { DayState } from './day-state';
import { refreshOrders, submit, trackFills } from './day-steps';
import { nowIso } from './time';

/** How long a stop waits for its flattening orders to fill before it reports. */
const FLATTEN_WAIT_MS = 2 * 60_000;

/**
 * The kill switch as days started before the `day-ledger` patch ran it, kept so their histories replay: cancel
 * all, halt the account, flatten from this day.
 */
export async function legacyStop(day: DayState, accountStatePatch: string): Promise<void> {
  const stop = day.stop!;
  const { account } = day.input;
  day.beginStop();
  const canceledOrderIds = await activities('broker', `emergency stop: cancel all open orders (${stop.reason})`).cancelAllOpenOrders(account);
  let accountHalted = false;
  if (patched(accountStatePatch)) {
    await activities('account', `halt account ${account} for later days`).haltAccount(account, stop.reason, day.workflowId);
    accountHalted = true;
  }
  const since = new Date(Date.parse(stop.at) - 24 * 3600_000).toISOString();
  await refreshOrders(day, since);
  const closingOrders: string[] = [];
  if (stop.flatten) {
    const positions = await activities('broker', 'read positions to flatten').getPositions(account);
    for (const intent of flattenIntents(day.workflowId, positions)) {
      day.addIntent(intent);
      await submit(day, intent, undefined, DEFAULT_SUBMIT_RETRY_MINUTES);
      closingOrders.push(intent.clientOrderId);
    }
  }
  day.adoptStopOutcome({
    workflowId: day.workflowId, canceledOrderIds, closingOrders, tradingState: 'HALTED', accountHalted,
    stoppedAt: stop.at, completedAt: nowIso(),
  });
  if (stop.flatten) await trackFills(day, since, Date.now() + FLATTEN_WAIT_MS, 1000);
  day.endStop(await activities('broker', 'read the portfolio after the stop').closingPortfolio(account, {}));
}
