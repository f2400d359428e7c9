import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { OrderRecord } from '../contracts/day';
import { unpackOrderStates } from '../domain/order-state';
import { ACTIVITY_OPTIONS } from './activity-options';
import type { DayState } from './day-state';
import { actOnDailyLoss, trackFills, watchDailyLoss, type DailyLossRules } from './day-steps';

/** REST reads of the day's orders between stream events, as a safety net. */
const SAFETY_POLL_MS = 30_000;
/** How often the watch re-reads equity for the daily loss limit. */
const RISK_CHECK_MS = 15_000;

/**
 * Waits for the day's orders on the broker's `trade_updates` stream, in one activity: it returns when every order
 * in `waitingFor` is final or the cutoff comes. A breach of the daily loss limit seen meanwhile is acted on at once
 * (cancels, trading state) and the watch goes on for what is left open. A broker without a stream is polled on
 * durable timers from `firstPollMs`, as before.
 */
export async function watchFills(
  day: DayState, submittedAfter: string, cutoff: number,
  options: { firstPollMs: number; risk?: { rules: DailyLossRules; holdings: Record<string, number> }; waitingFor?: () => OrderRecord[] },
): Promise<void> {
  const waitingFor = options.waitingFor ?? (() => day.openOrders());
  const { account } = day.input;
  for (;;) {
    const open = waitingFor();
    if (open.length === 0 || Date.now() >= cutoff) return;
    const watchRisk = options.risk !== undefined && day.dailyLoss === null;
    const { awaitFills } = proxyActivities<Activities>({
      ...ACTIVITY_OPTIONS.fillWatch,
      startToCloseTimeout: `${Math.max(Math.ceil((cutoff - Date.now()) / 1000) + 120, 60)} seconds`,
      summary: `follow ${open.length} orders on the broker's stream until they are final`,
    });
    const result = await awaitFills(account, {
      clientOrderIds: open.map((order) => order.clientOrderId),
      submittedAfter,
      deadline: new Date(cutoff).toISOString(),
      safetyPollMs: SAFETY_POLL_MS,
      riskCheckMs: RISK_CHECK_MS,
      ...(watchRisk ? { maxDailyLoss: options.risk!.rules.max_daily_loss } : {}),
    });
    for (const order of unpackOrderStates(result)) day.applyBrokerOrder(order);
    if (result.pacing) day.pacing = result.pacing;
    day.touch();
    if (result.ended === 'no_stream') {
      await trackFills(day, submittedAfter, cutoff, options.firstPollMs, {
        waitingFor,
        ...(options.risk ? { watch: () => watchDailyLoss(day, options.risk!.rules, options.risk!.holdings) } : {}),
      });
      return;
    }
    if (result.ended !== 'daily_loss' || !result.account || !options.risk) return;
    await actOnDailyLoss(day, options.risk.rules, options.risk.holdings, result.account);
  }
}
