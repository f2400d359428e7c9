import {
  allHandlersFinished, ApplicationFailure, condition, continueAsNew, log, patched, setHandler, upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { DayLedger } from '../domain/day-ledger';
import { readStopRequest } from '../domain/stop-request';
import type { AccountStopOutcome, AccountTradingState, AccountWorkflowInput } from '../contracts/account';
import { RUN_STATE } from '../names';
import { activities } from './activity-options';
import { AlertSender } from './alerts';
import { runAccountStop, stopRunningDays } from './account-kill-switch';
import {
  accountEmergencyStopSignal, accountEmergencyStopUpdate, accountStateQuery, claimDayUpdate, finishDayUpdate,
  haltAccountUpdate, resumeAccountUpdate,
} from './account-messages';
import { nowIso } from './time';

/** Patch: the account workflow pauses and unpauses its schedule itself, whoever halts or resumes it. */
const SCHEDULE_CONTROL_PATCH = 'account-schedule-control';

/**
 * The per-account trading state, alive across days: the kill switch's memory and the ledger of trading days.
 * A halt here survives the day's workflow, the worker and the CLI; every day claims its date here before trading,
 * so a date trades once whoever starts it, and a halt reaches every running day.
 */
export async function accountTradingState(input: AccountWorkflowInput): Promise<void> {
  const { account } = input;
  let current: AccountTradingState = input.state ?? {
    account, state: 'ACTIVE', reason: null, since: null, changedBy: null,
  };
  const ledger = new DayLedger(input.days ?? []);
  let stopInProgress = false;
  // The worker's config decides whether these go out (this workflow never loads the config).
  const alerts = new AlertSender();

  /** Halts at once (synchronously, before any await) and tells every running day to stop. */
  const halt = (reason: string, by: string) => {
    if (current.state !== 'HALTED') {
      current = { account, state: 'HALTED', reason, since: nowIso(), changedBy: by };
      log.warn('account halted', { account, reason, by });
      upsertSearchAttributes([{ key: RUN_STATE, value: 'HALTED' }]);
    }
    return stopRunningDays(ledger, reason);
  };

  const pauseSchedule = async (by: string, reason: string): Promise<boolean> => {
    if (!patched(SCHEDULE_CONTROL_PATCH)) return false;
    try {
      return await activities('account', `pause the schedule of ${account}`).pauseScheduleForHalt(account, by, reason);
    } catch (error) {
      log.error('could not pause the schedule; the halt holds anyway (every scheduled day ends halted)', { error });
      return false;
    }
  };

  const stop = async (payload: unknown): Promise<AccountStopOutcome> => {
    const request = readStopRequest(payload);
    if (request.problem) log.warn('kill switch with a malformed payload: stopping anyway', { problem: request.problem });
    const by = typeof (payload as { by?: unknown } | null)?.by === 'string' ? String((payload as { by: string }).by).slice(0, 200) : 'unknown caller';
    const signalled = halt(request.reason, by);
    // One stop at a time: a second one waits, then cancels and flattens again from what the broker shows.
    await condition(() => !stopInProgress);
    stopInProgress = true;
    try {
      const schedulePaused = pauseSchedule(by, request.reason);
      const outcome = await runAccountStop(account, ledger, { ...request, by }, signalled);
      // In the background: the kill switch's answer never waits for a webhook.
      alerts.fire({
        kind: 'halt', scope: 'account', at: outcome.completedAt, account, reason: request.reason, by, killSwitch: true,
        flatten: request.flatten, days: outcome.days, canceledOrders: outcome.canceledOrderIds.length,
        closingOrders: outcome.closingOrders.length,
      });
      return { ...outcome, schedulePaused: await schedulePaused };
    } finally {
      stopInProgress = false;
    }
  };

  setHandler(accountStateQuery, () => current);
  setHandler(haltAccountUpdate, async (request) => {
    const reason = readStopRequest(request).reason;
    const by = typeof request?.by === 'string' ? request.by : 'unknown caller';
    const wasHalted = current.state === 'HALTED';
    const signalled = halt(reason, by);
    if (!wasHalted) alerts.fire({ kind: 'halt', scope: 'account', at: nowIso(), account, reason, by: by.slice(0, 200), killSwitch: false });
    await pauseSchedule(by, reason);
    await signalled;
    return current;
  });
  setHandler(resumeAccountUpdate, async (request) => {
    const by = typeof request?.by === 'string' ? request.by : 'unknown caller';
    if (current.state !== 'ACTIVE') {
      current = { account, state: 'ACTIVE', reason: null, since: nowIso(), changedBy: by };
      log.info('account resumed', { account, by });
      upsertSearchAttributes([{ key: RUN_STATE, value: 'ACTIVE' }]);
    }
    if (patched(SCHEDULE_CONTROL_PATCH)) {
      await activities('account', `unpause the schedule of ${account} if its halt paused it`).unpauseScheduleAfterHalt(account, by);
    }
    return current;
  });
  setHandler(accountEmergencyStopUpdate, stop);
  setHandler(accountEmergencyStopSignal, async (payload) => {
    await stop(payload);
  });
  setHandler(claimDayUpdate, (request) => {
    const answer = ledger.claim(request, current.state === 'HALTED', nowIso());
    log.info('day claimed', { ...request, answer });
    return { ...answer, accountState: current };
  }, {
    validator: (request) => {
      if (typeof request?.tradingDate !== 'string' || typeof request.workflowId !== 'string' || typeof request.runId !== 'string') {
        throw ApplicationFailure.nonRetryable('claimDay needs tradingDate, workflowId and runId', 'InvalidInput');
      }
    },
  });
  setHandler(finishDayUpdate, (request) => {
    const record = ledger.finish(request.tradingDate, request.runId, request.status, nowIso());
    log.info('day finished', { ...request, recorded: record !== null });
  }, {
    validator: (request) => {
      if (typeof request?.tradingDate !== 'string' || typeof request.runId !== 'string' || typeof request.status !== 'string') {
        throw ApplicationFailure.nonRetryable('finishDay needs tradingDate, runId and status', 'InvalidInput');
      }
    },
  });

  await condition(() => workflowInfo().continueAsNewSuggested);
  await alerts.settled();
  await condition(allHandlersFinished);
  await continueAsNew<typeof accountTradingState>({ account, state: current, days: ledger.records() });
}
