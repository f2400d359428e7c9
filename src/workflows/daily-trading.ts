import {
  allHandlersFinished, ApplicationFailure, CancellationScope, condition, isCancellation, log, patched,
  setCurrentDetails, setHandler, sleep, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { ExecutionConfig } from '../config-schema';
import { flattenIntents } from '../domain/flatten';
import { summarizePortfolio } from '../domain/portfolio';
import { signalsSchema } from '../domain/signals';
import type { MarketClock, OrderIntent } from '../domain/types';
import { RUN_STATE } from '../names';
import { activitiesWithSummary } from './activity-options';
import { DayState } from './day-state';
import type { DailyTradingInput, DayPhase, DayReport, EmergencyStopRequest } from './day-types';
import {
  emergencyStopSignal, emergencyStopUpdate, pauseSignal, portfolioQuery, resumeSignal, statusQuery,
} from './messages';
import { describeIntent, newYorkDate } from './wording';

/** Longest gap between two fill checks: keeps a full day's polling far below Temporal's history limits. */
const MAX_POLL_INTERVAL_MS = 5 * 60_000;
/** How long a stop waits for its flattening orders to fill before it reports. */
const FLATTEN_WAIT_MS = 2 * 60_000;
/** Patch: days read the account's trading state before trading, and a stop halts the account for later days. */
const ACCOUNT_STATE_PATCH = 'account-trading-state';

/**
 * One account's trading day: wait for the open, snapshot, size and check, submit, track fills, cancel leftovers
 * before the close, reconcile and report. An emergency stop interrupts any phase.
 */
export async function dailyTrading(input: DailyTradingInput): Promise<DayReport> {
  const parsed = signalsSchema.safeParse(input.signals);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid signals: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'InvalidInput');
  }
  const day = new DayState(input, workflowInfo().workflowId, nowIso());
  const trading = new CancellationScope();

  setHandler(statusQuery, () => day.status());
  setHandler(portfolioQuery, () => day.portfolio);
  setHandler(pauseSignal, () => {
    day.paused = true;
    log.info('paused');
    describe(day);
  });
  setHandler(resumeSignal, () => {
    day.paused = false;
    log.info('resumed');
    describe(day);
  });
  const requestStop = (request: EmergencyStopRequest) => {
    log.warn('emergency stop requested', { reason: request.reason, flatten: request.flatten ?? false });
    day.requestStop(request, nowIso());
    trading.cancel();
  };
  setHandler(emergencyStopSignal, requestStop);
  setHandler(emergencyStopUpdate, async (request) => {
    requestStop(request);
    await condition(() => day.stopOutcome !== null);
    return day.stopOutcome!;
  }, {
    validator: (request) => {
      if (typeof request?.reason !== 'string' || request.reason.trim() === '') {
        throw ApplicationFailure.nonRetryable('emergencyStop needs a reason', 'InvalidInput');
      }
    },
  });

  try {
    await trading.run(() => tradeTheDay(day));
  } catch (error) {
    if (!(isCancellation(error) && day.stop)) {
      await CancellationScope.nonCancellable(() => cancelLeftovers(day));
      throw error;
    }
  }
  if (day.stop) await CancellationScope.nonCancellable(() => stopTheDay(day));
  await condition(allHandlersFinished);
  return day.report();
}

async function tradeTheDay(day: DayState): Promise<void> {
  const { account, tradingDate, signals } = day.input;
  const config = await activitiesWithSummary('load the execution config').loadExecutionConfig();
  if (patched(ACCOUNT_STATE_PATCH)) {
    const accountState = await activitiesWithSummary(`read the trading state of account ${account}`).readAccountState(account);
    if (accountState.state === 'HALTED') {
      day.tradingState = 'HALTED';
      day.reason = `account ${account} is halted since ${accountState.since} (${accountState.reason}); run tradeflow resume to trade again`;
      enter(day, 'halted');
      return;
    }
  }

  enter(day, 'waiting_for_open');
  const clock = await waitForOpen(day, config);
  if (!clock) return;

  enter(day, 'planning');
  const symbols = signals.map((signal) => signal.symbol);
  const snapshot = await activitiesWithSummary(`snapshot ${account}: account, positions, orders, ${symbols.length} quotes`)
    .takeSnapshot(account, symbols);
  day.portfolio = summarizePortfolio(snapshot.account, snapshot.positions);
  const startingHoldings = Object.fromEntries(snapshot.positions.map((p) => [p.symbol, p.qty]));
  const plan = await activitiesWithSummary(`size and risk-check ${signals.length} signals`).planOrders({
    runId: day.workflowId,
    signals,
    snapshot,
    tradingState: day.tradingState,
    ordersSubmittedToday: 0,
    account,
  });
  day.marketData = plan.marketData ?? null;
  day.adoptPlan(plan);
  const submittedAfter = new Date(Date.parse(snapshot.clock.timestamp) - 60_000).toISOString();

  enter(day, 'submitting');
  for (const intent of plan.orders) {
    if (day.paused) {
      describe(day);
      await condition(() => !day.paused);
    }
    await submit(day, intent);
  }

  enter(day, 'awaiting_fills');
  const cutoff = Math.min(
    Date.parse(clock.nextClose) - config.timing.cancel_before_close_minutes * 60_000,
    Date.now() + config.timing.max_fill_wait_minutes * 60_000,
  );
  await trackFills(day, submittedAfter, cutoff, config.timing.poll_interval_seconds * 1000);

  enter(day, 'closing_out');
  await cancelLeftovers(day);
  await refreshOrders(day, submittedAfter);

  enter(day, 'reconciling');
  const closing = await activitiesWithSummary('reconcile positions with the broker')
    .closingPortfolio(account, day.expectedHoldings(startingHoldings), {
      orders: day.orderList(),
      arrivalPrices: Object.fromEntries(day.decisions.filter((d) => d.price !== null).map((d) => [d.symbol, d.price!])),
      startingPositions: snapshot.positions.map(({ symbol, qty, avgEntryPrice }) => ({ symbol, qty, avgEntryPrice })),
    });
  day.portfolio = closing.portfolio;
  day.reconciliation = closing.reconciliation;
  day.pnl = closing.pnl ?? null;
  day.slippage = closing.slippage ?? null;
  day.performance = closing.performance ?? null;
  enter(day, 'completed');
  log.info('day completed', { tradingDate, orders: day.orderList().length, rejected: day.rejected.length });
}

/** Sleeps on durable timers until the trading date's session is open; null when there is none to trade. */
async function waitForOpen(day: DayState, config: ExecutionConfig): Promise<MarketClock | null> {
  const { account, tradingDate } = day.input;
  for (;;) {
    const clock = await activitiesWithSummary('read the market clock').getMarketClock(account);
    const today = newYorkDate(clock.timestamp);
    if (today > tradingDate) return closeWithout(day, `trading date ${tradingDate} has passed (market date is ${today})`);
    if (clock.isOpen && today === tradingDate) return clock;
    if (!config.timing.wait_for_open) return clock;
    const openDate = newYorkDate(clock.nextOpen);
    if (openDate > tradingDate) return closeWithout(day, `no session on ${tradingDate}: the market next opens ${clock.nextOpen}`);
    const waitMs = Math.max(Date.parse(clock.nextOpen) - Date.parse(clock.timestamp), 1000);
    day.reason = `waiting for the open at ${clock.nextOpen}`;
    describe(day);
    await sleep(waitMs, { summary: `wait for the open at ${clock.nextOpen}` });
    day.reason = null;
  }
}

function closeWithout(day: DayState, reason: string): null {
  day.reason = reason;
  enter(day, 'market_closed');
  log.info('no trading', { reason });
  return null;
}

async function submit(day: DayState, intent: OrderIntent): Promise<void> {
  try {
    const order = await activitiesWithSummary(`submit ${describeIntent(intent)}`).submitOrder(day.input.account, intent);
    day.applyBrokerOrder(order);
  } catch (error) {
    if (isCancellation(error)) throw error;
    const detail = errorMessage(error);
    log.warn('order not submitted', { clientOrderId: intent.clientOrderId, detail });
    day.markSubmitFailed(intent.clientOrderId, intent.symbol, 'BROKER_REJECTED', detail);
    day.lastError = detail;
  }
  day.updatedAt = nowIso();
  describe(day);
}

/** Polls with growing durable sleeps until every order is final or the cutoff comes. */
async function trackFills(day: DayState, submittedAfter: string, cutoff: number, firstIntervalMs: number): Promise<void> {
  let intervalMs = firstIntervalMs;
  while (day.openOrders().length > 0 && Date.now() < cutoff) {
    const waitMs = Math.max(Math.min(intervalMs, cutoff - Date.now()), 1);
    await sleep(waitMs, { summary: `wait ${Math.round(waitMs / 1000)}s for ${day.openOrders().length} open orders to fill` });
    await refreshOrders(day, submittedAfter);
    intervalMs = Math.min(intervalMs * 2, MAX_POLL_INTERVAL_MS);
  }
}

async function refreshOrders(day: DayState, submittedAfter: string): Promise<void> {
  const ids = day.submittedClientOrderIds();
  if (ids.length === 0) return;
  const orders = await activitiesWithSummary(`check ${ids.length} orders`).fetchOrders(day.input.account, ids, submittedAfter);
  for (const order of orders) day.applyBrokerOrder(order);
  day.updatedAt = nowIso();
  describe(day);
}

async function cancelLeftovers(day: DayState): Promise<void> {
  const open = day.openOrders();
  if (open.length === 0) return;
  await activitiesWithSummary(`cancel ${open.length} unfilled orders`)
    .cancelOrders(day.input.account, open.map((order) => order.brokerOrderId!));
}

/** The kill switch: cancel every open order, optionally flatten, and leave the account HALTED. */
async function stopTheDay(day: DayState): Promise<void> {
  const stop = day.stop!;
  const { account } = day.input;
  enter(day, 'stopped');
  day.reason = `emergency stop: ${stop.reason}`;
  const canceledOrderIds = await activitiesWithSummary(`emergency stop: cancel all open orders (${stop.reason})`).cancelAllOpenOrders(account);
  let accountHalted = false;
  if (patched(ACCOUNT_STATE_PATCH)) {
    await activitiesWithSummary(`halt account ${account} for later days`).haltAccount(account, stop.reason, day.workflowId);
    accountHalted = true;
  }
  const since = new Date(Date.parse(stop.at) - 24 * 3600_000).toISOString();
  await refreshOrders(day, since);
  const closingOrders: string[] = [];
  if (stop.flatten) {
    const positions = await activitiesWithSummary('read positions to flatten').getPositions(account);
    for (const intent of flattenIntents(day.workflowId, positions)) {
      day.addIntent(intent);
      await submit(day, intent);
      closingOrders.push(intent.clientOrderId);
    }
  }
  day.stopOutcome = {
    workflowId: day.workflowId, canceledOrderIds, closingOrders, tradingState: 'HALTED', accountHalted,
    stoppedAt: stop.at, completedAt: nowIso(),
  };
  if (stop.flatten) await trackFills(day, since, Date.now() + FLATTEN_WAIT_MS, 1000);
  const closing = await activitiesWithSummary('read the portfolio after the stop').closingPortfolio(account, {});
  day.portfolio = closing.portfolio;
  day.tradingState = 'HALTED';
  enter(day, 'stopped');
}

function enter(day: DayState, phase: DayPhase): void {
  day.phase = phase;
  day.updatedAt = nowIso();
  upsertSearchAttributes([{ key: RUN_STATE, value: phase }]);
  describe(day);
}

/** The UI's "current details": where the day is, in a few lines of markdown. */
function describe(day: DayState): void {
  const orders = day.orderList();
  const filled = orders.filter((order) => order.status === 'filled').length;
  const lines = [
    `**${day.phase.replace(/_/g, ' ')}**${day.paused ? ' (paused)' : ''} · trading state ${day.tradingState}`,
    `${day.input.signals.length} signals · ${orders.length} orders · ${filled} filled · ${day.openOrders().length} open · ${day.rejected.length} rejected`,
  ];
  if (day.reason) lines.push(day.reason);
  setCurrentDetails(lines.join('\n\n'));
}

function errorMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && 'cause' in current && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
