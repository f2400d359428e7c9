import {
  allHandlersFinished, ApplicationFailure, CancellationScope, condition, isCancellation, log, patched, setHandler,
  sleep, upsertMemo, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { ExecutionConfig } from '../config-schema';
import type { DailyTradingInput, DayReport, OrderRecord } from '../contracts/day';
import type { CompactDayPlan, MarketSnapshot, PlanResult } from '../contracts/plan';
import { parseDayInput } from '../domain/day-input';
import { newYorkDate } from '../domain/market-time';
import { fromOrderTable } from '../domain/order-table';
import { lastSubmitTime } from '../domain/session';
import { readStopRequest } from '../domain/stop-request';
import type { MarketClock, OrderIntent } from '../domain/types';
import { SECOND_WAVE, symbolsAwaitingSales } from '../domain/waves';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { dailyWorkflowId, RUN_STATE, TRADING_ACCOUNT, TRADING_DATE, TRADING_MODE } from '../names';
import { activities, DEFAULT_SUBMIT_RETRY_MINUTES } from './activity-options';
import { dayStopAlert, failureAlert, summaryAlert } from './alerts';
import { DayState } from './day-state';
import {
  cancelLeftovers, finishDay, haltAccountAfterLoss, refreshOrders, resolveUnknownOrders, settleCancels, SETTLE_CANCELS_PATCH, trackFills, watchDailyLoss,
} from './day-steps';
import { watchFills } from './fill-watch';
import { submitAll, type Sending } from './submitting';
import { legacyStop } from './legacy-stop';
import {
  emergencyStopSignal, emergencyStopUpdate, pauseSignal, portfolioQuery, resumeSignal, statusQuery,
} from './messages';
import { REPORT_FILES_PATCH, writeReportFiles } from './report-files';
import { stopTheDay } from './stop-day';
import { haltedReason } from './wording';

/** Patch: days read the account's trading state before trading, and a stop halts the account for later days. */
export const ACCOUNT_STATE_PATCH = 'account-trading-state';
/**
 * Patch: a day claims its date in the account's ledger (once per date), re-reads the account's state after the
 * open, submits only inside its session by the broker's clock, tracks orders whose outcome is unknown, and stops
 * through the account's kill switch.
 */
export const DAY_LEDGER_PATCH = 'day-ledger';
/** Patch: snapshot and plan in one activity with a compact result, so a universe of thousands fits in history. */
const COMPACT_PLAN_PATCH = 'compact-plan';
/**
 * Patch: while it waits for fills the day re-reads equity; a breach of max_daily_loss cancels open orders (all, or
 * the risk-increasing ones) and can halt the account for later days.
 */
const INTRADAY_RISK_PATCH = 'intraday-risk';
/** Patch: buys funded by the day's sales are sent in a second wave, once those sales have filled. */
const BUY_WAVES_PATCH = 'buy-waves';
/** Patch: the second wave also waits for the first wave's buys of the symbols it plans again. */
const WAVE_WAITS_FOR_ITS_BUYS_PATCH = 'wave-waits-for-its-buys';
/**
 * Patch: orders go out through several lanes at once (sells, then buys; `timing.submit_concurrency`), and the first
 * fill check comes FIRST_FILL_CHECK_MS after the last submit instead of a whole poll interval.
 */
const FAST_EXECUTION_PATCH = 'fast-execution';
const FIRST_FILL_CHECK_MS = 250;
/**
 * Patch: fast days wait for fills on the broker's trade_updates stream, in one heartbeating activity (REST reads
 * on every connect and every 30 s as a safety net; equity every 15 s for the daily loss limit), instead of polling.
 */
const STREAM_FILLS_PATCH = 'stream-fills';
/**
 * Patch: orders go out in batches, one submit activity for up to `timing.submit_batch_size` orders (its lanes inside
 * the activity), instead of one activity per order: a workflow task, an activity task and three history events
 * per order were most of what Temporal added to a day's submit window.
 */
const BATCHED_SUBMITS_PATCH = 'batched-submits';
const DEFAULT_SUBMIT_BATCH_SIZE = 50;
/**
 * Patch: the day loads its config and claims its date at once, and skips the account-state re-read after the open
 * when it did not wait for it (its claim read the state a moment before): two round trips fewer before planning.
 */
const LEAN_START_PATCH = 'lean-start';
/**
 * Patch: a day started without tradeflow's search attributes or memo (by another client: the temporal CLI, another
 * language's SDK) sets them itself, so every day is findable and described alike in the UI.
 */
const OWN_METADATA_PATCH = 'own-metadata';
/**
 * Patch: a stop that arrives after the day decided how it ends (recording its end, alerting, writing its report) is
 * carried out and answered; before, an update waiting for it kept the day open forever.
 */
const LATE_STOP_PATCH = 'late-stop';
/** Patch: a stop that comes while a failed day cleans up is carried out and answered; before, it was aborted. */
const FAILED_DAY_STOP_PATCH = 'failed-day-stop';
/** Patch: a failed day sets RunState to `failed` before its cleanup. */
const FAILED_RUN_STATE_PATCH = 'failed-run-state';
/** Patch: a streamed day that ends with every order final and nothing to cancel skips the close-out's last read. */
const NO_IDLE_REFRESH_PATCH = 'no-idle-refresh';
/** Patch: the TradingMode search attribute is the worker's mode, not the starter's label. */
const WORKER_MODE_TAG_PATCH = 'worker-mode-tag';

/**
 * One account's trading day: wait for the open, snapshot, size and check, submit, track fills, cancel leftovers
 * before the close, reconcile and report. An emergency stop interrupts any phase.
 */
export async function dailyTrading(input: DailyTradingInput): Promise<DayReport> {
  const parsed = parseDayInput(input);
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(`invalid input: ${parsed.problems.join('; ')}`, 'InvalidInput');
  input = parsed.input;
  const { workflowId } = workflowInfo();
  const expectedId = dailyWorkflowId(input.account, input.tradingDate);
  if (workflowId !== expectedId) {
    throw ApplicationFailure.nonRetryable(
      `workflow id "${workflowId}" does not name its input: the day of account ${input.account} on ${input.tradingDate} runs as "${expectedId}"`,
      'InvalidInput',
    );
  }
  const day = new DayState(input, workflowId);
  const trading = new CancellationScope();
  if (patched(OWN_METADATA_PATCH)) completeMetadata(input);

  setHandler(statusQuery, () => day.status());
  setHandler(portfolioQuery, () => day.portfolio);
  setHandler(pauseSignal, () => {
    log.info('paused');
    day.pause();
  });
  setHandler(resumeSignal, () => {
    log.info('resumed');
    day.resume();
  });
  // The kill switch never refuses: whatever the payload, the day stops (a bad one gets a default reason, logged).
  const requestStop = (payload: unknown) => {
    const request = readStopRequest(payload);
    if (request.problem) log.warn('emergency stop with a malformed payload: stopping anyway', { problem: request.problem });
    const origin = (payload as { origin?: unknown } | null)?.origin === 'account' ? 'account' : 'direct';
    log.warn('emergency stop requested', { reason: request.reason, flatten: request.flatten, origin });
    day.requestStop({ reason: request.reason, flatten: request.flatten, origin });
    trading.cancel();
  };
  setHandler(emergencyStopSignal, requestStop);
  setHandler(emergencyStopUpdate, async (payload) => {
    requestStop(payload);
    await condition(() => day.stopOutcome !== null);
    return day.stopOutcome!;
  });

  try {
    await trading.run(() => tradeTheDay(day));
  } catch (error) {
    if (!(isCancellation(error) && day.stop)) {
      // The UI's RunState says so too: a failed day never keeps the phase it failed in.
      const failedIn = day.phase;
      if (patched(FAILED_RUN_STATE_PATCH)) day.enter('failed');
      const cleanup = { done: false };
      const stopsWhileFailing = patched(FAILED_DAY_STOP_PATCH)
        ? CancellationScope.nonCancellable(() => answerStopWhileFailing(day, () => cleanup.done))
          .catch((stopError: unknown) => log.error('the stop during the failed day\'s cleanup failed too', { error: stopError }))
        : Promise.resolve();
      await CancellationScope.nonCancellable(async () => {
        try {
          await cancelLeftovers(day);
          if (day.claimed) await finishDay(day, 'failed');
        } finally {
          // The operator hears of the failure even when the cleanup failed too; an alert never replaces the error.
          const alert = failureAlert(day, error, failedIn);
          await day.alerts.send(alert);
          await day.alerts.settled();
          if (patched(REPORT_FILES_PATCH)) {
            day.failure = { phase: failedIn, error: alert.error };
            await writeReportFiles(day);
          }
        }
      });
      cleanup.done = true;
      await stopsWhileFailing;
      if (day.stopOutcome !== null) {
        // Stopped as it failed: the day stays failed (a stop does not hide the error); the report adds the stop.
        day.enter('failed');
        if (patched(REPORT_FILES_PATCH)) await writeReportFiles(day);
      }
      throw error;
    }
  }
  if (day.stop) {
    await runStop(day);
  } else if (day.claimed) {
    await finishDay(day, day.phase === 'completed' ? 'completed' : 'untraded');
    // After the day is recorded, so the halt does not stop this day's own close-out.
    if (day.dailyLoss && day.haltAccountOnLoss) await haltAccountAfterLoss(day);
  }
  // From here a stop runs beside the day's ending, so a slow webhook never delays the kill switch's answer.
  const ending = { done: false };
  const lateStops = patched(LATE_STOP_PATCH) ? answerLateStops(day, () => ending.done) : Promise.resolve();
  // Once the day is recorded and its cleanup done: an alert never holds up the trading.
  await day.alerts.send(summaryAlert(day));
  await day.alerts.settled();
  if (patched(REPORT_FILES_PATCH)) await writeReportFiles(day);
  ending.done = true;
  await lateStops;
  await condition(allHandlersFinished);
  return day.report();
}

/** The kill switch's work on this day: sweep, cancel, flatten and halt through the account; the stop is answered. */
async function runStop(day: DayState): Promise<void> {
  const stopAlert = dayStopAlert(day);
  const stopping = CancellationScope.nonCancellable(() => (patched(DAY_LEDGER_PATCH) ? stopTheDay(day) : legacyStop(day, ACCOUNT_STATE_PATCH)));
  // Once the stop's first step is on its way, in the background. A stop the account's kill switch sent is in the
  // account's own alert; a day stopped directly says so at once.
  if (day.stop!.origin !== 'account') day.alerts.fire(stopAlert);
  await stopping;
}

/**
 * A stop that comes after the day decided how it ends (while it records its end, alerts, writes its report) runs
 * all the same, beside that ending: the kill switch is answered at once, and an update waiting for it never holds
 * the day open. Once the ending is done, the report is written again, as stopped.
 */
async function answerLateStops(day: DayState, ended: () => boolean): Promise<void> {
  const unanswered = () => day.stop !== null && day.stopOutcome === null;
  for (;;) {
    await condition(() => unanswered() || (ended() && allHandlersFinished()));
    if (!unanswered()) return;
    log.warn('emergency stop after the day traded: stopping now', { reason: day.stop!.reason, flatten: day.stop!.flatten });
    await runStop(day);
    await condition(ended);
    await day.alerts.settled();
    if (patched(REPORT_FILES_PATCH)) await writeReportFiles(day);
  }
}

/**
 * A stop that comes while a failed day cleans up (cancels, records its end, alerts, writes its report) runs beside
 * that cleanup: halt, cancel and flatten through the account, and the stop is answered before the day fails.
 */
async function answerStopWhileFailing(day: DayState, cleanedUp: () => boolean): Promise<void> {
  await condition(() => (day.stop !== null && day.stopOutcome === null) || cleanedUp());
  if (day.stop === null || day.stopOutcome !== null) return;
  log.warn('emergency stop while the failed day cleans up: stopping now', { reason: day.stop.reason, flatten: day.stop.flatten });
  await runStop(day);
}

async function tradeTheDay(day: DayState): Promise<void> {
  const { account, tradingDate } = day.input;
  // Days on the lean-start patch load the config and claim their date at once (the claim needs no config).
  const lean = patched(LEAN_START_PATCH);
  if (lean) day.trackUnknownOrders();
  const [config, claimed] = await Promise.all([
    activities('localRead', 'load the execution config').loadExecutionConfig(),
    lean ? claimTheDate(day) : Promise.resolve(null),
  ]);
  day.alerts.configure(config.alerts);
  // The mode the worker trades in, whatever the starter's tag said: the UI never shows "paper" for a live day.
  if (patched(WORKER_MODE_TAG_PATCH)) upsertSearchAttributes([{ key: TRADING_MODE, value: config.execution.mode }]);
  const ledger = lean || patched(DAY_LEDGER_PATCH);
  if (lean) {
    if (!claimed) return;
  } else if (ledger) {
    day.trackUnknownOrders();
    if (!(await claimTheDate(day))) return;
  } else if (patched(ACCOUNT_STATE_PATCH)) {
    const accountState = await activities('localRead', `read the trading state of account ${account}`).readAccountState(account);
    if (accountState.state === 'HALTED') {
      day.endHalted(haltedReason(account, accountState));
      return;
    }
  }

  day.enter('waiting_for_open');
  const opened = await waitForOpen(day, config, ledger);
  if (!opened) return;
  const { clock } = opened;
  day.tradingFrom = clock.timestamp;
  // A lean day that found the market open re-reads the account's state only if it waited: the claim just read it.
  if (ledger && !(lean && !opened.waited) && await haltedMeanwhile(day)) return;

  day.enter('planning');
  const runId = day.generation > 1 ? `${day.workflowId}.g${day.generation}` : day.workflowId;
  if (day.generation > 1) {
    // A resumed day: what the failed run left open is cancelled, and the plan starts from what the broker holds.
    await activities('broker', 'cancel what the failed run left open').cancelOpenOrdersWithPrefix(account, `${day.workflowId}.`);
  }
  const { plan, snapshot } = await planTheDay(day, runId);
  day.adoptPlan(plan, snapshot);
  const startingHoldings = Object.fromEntries(snapshot.positions.map((p) => [p.symbol, p.qty]));
  const submittedAfter = new Date(Date.parse(snapshot.clock.timestamp) - 60_000).toISOString();

  day.enter('submitting');
  if (ledger && await haltedMeanwhile(day)) return;
  const notAfter = lastSubmitTime(clock.nextClose, config.timing.cancel_before_close_minutes);
  const fast = ledger && patched(FAST_EXECUTION_PATCH);
  const sending: Sending = {
    concurrency: fast ? config.timing.submit_concurrency ?? 1 : 1,
    ledger, notAfter, guard: ledger ? { tradingDate, notAfter } : undefined,
    retryMinutes: config.timing.submit_retry_minutes ?? DEFAULT_SUBMIT_RETRY_MINUTES,
  };
  if (fast && patched(BATCHED_SUBMITS_PATCH)) {
    sending.batchSize = config.timing.submit_batch_size ?? DEFAULT_SUBMIT_BATCH_SIZE;
    sending.submittedAfter = submittedAfter;
  }
  if (!(await submitAll(day, plan.orders, sending))) return;

  const cutoff = Math.min(
    Date.parse(clock.nextClose) - config.timing.cancel_before_close_minutes * 60_000,
    Date.now() + config.timing.max_fill_wait_minutes * 60_000,
  );
  // Days on the intraday-risk patch re-read equity at every fill check: a breach of max_daily_loss acts at once.
  const watch = patched(INTRADAY_RISK_PATCH)
    ? () => watchDailyLoss(day, config.risk_management, startingHoldings)
    : undefined;
  if (watch) day.haltAccountOnLoss = config.risk_management.halt_account_on_daily_loss ?? false;
  // Fills usually land within a second of the submit: fast days check first after FIRST_FILL_CHECK_MS and back off;
  // streamed days follow the broker's trade_updates stream in one activity instead of polling.
  const pollMs = config.timing.poll_interval_seconds * 1000;
  const firstIntervalMs = fast ? Math.min(FIRST_FILL_CHECK_MS, pollMs) : pollMs;
  const streamed = fast && patched(STREAM_FILLS_PATCH);
  const waitForFills: WaitForFills = (waitingFor) => (streamed
    ? watchFills(day, submittedAfter, cutoff, {
      firstPollMs: firstIntervalMs,
      ...(watch ? { risk: { rules: config.risk_management, holdings: startingHoldings } } : {}), ...(waitingFor ? { waitingFor } : {}),
    })
    : trackFills(day, submittedAfter, cutoff, firstIntervalMs, { watch, ...(waitingFor ? { waitingFor } : {}) }));
  if (patched(BUY_WAVES_PATCH)) {
    const waiting = symbolsAwaitingSales(plan);
    if (waiting.length > 0 && !(await secondWave(day, plan.orders, waiting, `${runId}.${SECOND_WAVE}`, sending, waitForFills))) return;
  }

  day.enter('awaiting_fills');
  await waitForFills();

  day.enter('closing_out');
  const canceled = await cancelLeftovers(day);
  // A streamed day whose orders all ended on the stream (reconciled over REST when it connected) and left nothing
  // to cancel already knows every order's end: a last read would cost a request and change nothing.
  const settled = streamed && canceled.length === 0 && day.openOrders().length === 0 && day.unknownOrders().length === 0;
  if (!(settled && patched(NO_IDLE_REFRESH_PATCH))) await refreshOrders(day, submittedAfter);
  if (patched(SETTLE_CANCELS_PATCH)) await settleCancels(day, submittedAfter);
  if (ledger) await resolveUnknownOrders(day, submittedAfter);

  day.enter('reconciling');
  const closing = await activities('broker', 'reconcile positions with the broker')
    .closingPortfolio(account, day.expectedHoldings(startingHoldings), {
      orders: day.orderList().filter((order) => order.filledQty > 0)
        .map(({ symbol, side, filledQty, filledAvgPrice }) => ({ symbol, side, filledQty, filledAvgPrice })),
      arrivalPrices: day.arrivalPrices,
      startingPositions: snapshot.positions.map(({ symbol, qty, avgEntryPrice }) => ({ symbol, qty, avgEntryPrice })),
      runId,
    });
  day.adoptClosing(closing);
  day.enter('completed');
  log.info('day completed', { tradingDate, orders: day.orderList().length, rejected: day.rejected.length });
}

/** Waits until the orders `waitingFor` names (default: every open order of the day) are final, or the cutoff. */
type WaitForFills = (waitingFor?: () => OrderRecord[]) => Promise<void>;

/**
 * The second wave: Alpaca frees buying power only when a sell executes, so the buys the first wave's sales fund
 * wait until those sales fill; then those symbols are planned again from the broker's account and sent. False when
 * a stop came.
 */
async function secondWave(
  day: DayState, firstWave: OrderIntent[], waiting: string[], runId: string, sending: Sending, waitForFills: WaitForFills,
): Promise<boolean> {
  const sells = new Set(firstWave.filter((order) => order.side === 'sell').map((order) => order.clientOrderId));
  // The first wave's own (resized) buys of those symbols too: while one is open, a new buy of the symbol would be
  // refused as a duplicate intent, and its fill changes what is left to buy.
  const waitsFor = patched(WAVE_WAITS_FOR_ITS_BUYS_PATCH)
    ? new Set([...sells, ...firstWave.filter((order) => waiting.includes(order.symbol)).map((order) => order.clientOrderId)])
    : sells;
  day.waitFor(`waiting for ${sells.size} sells to fill before the buys they fund (${waiting.length} symbols)`);
  await waitForFills(() => day.openOrders().filter((order) => waitsFor.has(order.clientOrderId)));
  day.doneWaiting();
  if (day.stop) return false;
  if (day.tradingState === 'HALTED' || day.sessionOver || Date.now() >= Date.parse(sending.notAfter)) return true;
  if (sending.ledger && await haltedMeanwhile(day)) return false;
  const { plan } = await planTheDay(day, runId, waiting);
  const orders = day.adoptSecondWave(plan, waiting);
  log.info('second wave', { waiting, orders: orders.length });
  return submitAll(day, orders, sending);
}

/**
 * Snapshot and plan. Days on the compact-plan patch do both in one activity whose result stays small whatever the
 * universe (quotes and assets never enter the history; the full trail is written by the worker); older days replay
 * the two activities they ran.
 */
async function planTheDay(
  day: DayState, runId: string, only?: string[],
): Promise<{ plan: PlanResult | CompactDayPlan; snapshot: Pick<MarketSnapshot, 'account' | 'positions' | 'clock'> }> {
  const { account } = day.input;
  const signals = only ? day.input.signals.filter((signal) => only.includes(signal.symbol)) : day.input.signals;
  const request = { runId, signals, tradingState: day.tradingState, ordersSubmittedToday: 0 };
  if (patched(COMPACT_PLAN_PATCH)) {
    const compact = await activities('planning', `snapshot, size and risk-check ${signals.length} signals`).planTheDay(account, request);
    const plan = compact.orderTable ? { ...compact, orders: fromOrderTable(compact.orderTable) } : compact;
    return { plan, snapshot: plan };
  }
  const snapshot = await activities('broker', `snapshot ${account}: account, positions, orders, ${signals.length} quotes`)
    .takeSnapshot(account, signals.map((signal) => signal.symbol));
  const plan = await activities('planning', `size and risk-check ${signals.length} signals`).planOrders({ ...request, snapshot, account });
  return { plan, snapshot };
}

/** Asks the account's ledger for the date; false (and the day's end set) when it is refused. */
async function claimTheDate(day: DayState): Promise<boolean> {
  const { account, tradingDate } = day.input;
  const claim = await activities('account', `claim ${tradingDate} in the ledger of account ${account}`)
    .claimTradingDay(account, { tradingDate, workflowId: day.workflowId, runId: workflowInfo().runId });
  if (claim.granted) {
    day.adoptClaim(claim);
    if (claim.resumedFrom) {
      log.warn('resuming a day whose run did not finish', { resumedFrom: claim.resumedFrom.runId, generation: claim.generation });
    }
    return true;
  }
  if (claim.refusal === 'duplicate') {
    day.endDuplicate(claim.firstRun, `${tradingDate} was already traded by run ${claim.firstRun.runId} of ${claim.firstRun.workflowId} `
      + `(${claim.firstRun.status}${claim.firstRun.finishedAt ? ` at ${claim.firstRun.finishedAt}` : ''}): a day trades once`);
    log.warn('duplicate run of a day: not trading', { firstRun: claim.firstRun });
    return false;
  }
  day.endHalted(haltedReason(account, claim.accountState));
  return false;
}

/** Re-reads the account's state: a halt that happened while the day waited stops it before it trades. */
async function haltedMeanwhile(day: DayState): Promise<boolean> {
  const state = await activities('localRead', `read the trading state of account ${day.input.account}`).readAccountState(day.input.account);
  if (state.state !== 'HALTED') return false;
  day.requestStop({ reason: `account halted: ${state.reason ?? 'no reason given'}`, flatten: false, origin: 'account' });
  return true;
}

/**
 * Sleeps on durable timers until the trading date's session is open; null when there is none to trade. `waited`:
 * the day slept for the open (time passed since its claim).
 */
async function waitForOpen(day: DayState, config: ExecutionConfig, ledger: boolean): Promise<{ clock: MarketClock; waited: boolean } | null> {
  const { account, tradingDate } = day.input;
  for (let waited = false; ; waited = true) {
    const clock = await activities('broker', 'read the market clock').getMarketClock(account);
    const today = newYorkDate(clock.timestamp);
    if (today > tradingDate) return closeWithout(day, `trading date ${tradingDate} has passed (market date is ${today})`);
    if (clock.isOpen && today === tradingDate) return { clock, waited };
    if (!config.timing.wait_for_open) {
      if (!ledger) return { clock, waited };
      return closeWithout(day, `the market is not open for ${tradingDate} (broker time ${clock.timestamp}) and timing.wait_for_open is false`);
    }
    const openDate = newYorkDate(clock.nextOpen);
    if (openDate > tradingDate) return closeWithout(day, `no session on ${tradingDate}: the market next opens ${clock.nextOpen}`);
    const waitMs = Math.max(Date.parse(clock.nextOpen) - Date.parse(clock.timestamp), 1000);
    day.waitFor(`waiting for the open at ${clock.nextOpen}`);
    await sleep(waitMs, { summary: `wait for the open at ${clock.nextOpen}` });
    day.doneWaiting();
  }
}

function closeWithout(day: DayState, reason: string): null {
  day.endWith('market_closed', reason);
  log.info('no trading', { reason });
  return null;
}

/** Sets the search attributes and memo a start by `tradeflow run` or the schedule would have set, where missing. */
function completeMetadata(input: DailyTradingInput): void {
  const { typedSearchAttributes, memo } = workflowInfo();
  const missing: SearchAttributeUpdatePair[] = [];
  if (typedSearchAttributes.get(TRADING_DATE) === undefined) missing.push({ key: TRADING_DATE, value: input.tradingDate });
  if (typedSearchAttributes.get(TRADING_ACCOUNT) === undefined) missing.push({ key: TRADING_ACCOUNT, value: input.account });
  if (typedSearchAttributes.get(RUN_STATE) === undefined) missing.push({ key: RUN_STATE, value: 'starting' });
  if (missing.length > 0) upsertSearchAttributes(missing);
  if (memo?.signals === undefined) upsertMemo({ source: memo?.source ?? 'another client (no memo given)', signals: input.signals.length });
}
