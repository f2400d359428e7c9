/** The operator's controls: `tradeflow stop` (the account's kill switch), `pause` and `resume`. */
import { WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { AccountStopOutcome } from '../contracts/account';
import { accountWorkflowId, dailyWorkflowId } from '../names';
import { signalAccountStop, temporalAccountStateStore } from '../operations/account-state';
import { pauseSignal, resumeSignal } from '../workflows/messages';
import { accountOption, configOrExit, withClient, type DayOptions } from './context';
import { tradingDateOption } from './dates';
import { CliError, EXIT } from './errors';
import { durationOption } from './options';

export interface StopOptions extends DayOptions { reason: string; flatten?: boolean; answerTimeout?: string | number }

/** How long `stop` waits for the answer before it falls back to the durable signal. */
const DEFAULT_STOP_ANSWER = '20s';

/**
 * `tradeflow stop`: the kill switch, through the account's workflow whatever is running: the account is halted
 * first, every running day of it stops (its submits in flight answer first), every open order is cancelled and,
 * with --flatten, every position closed. Prints what it did.
 */
export async function stopCommand(options: StopOptions): Promise<void> {
  if (!options.reason || options.reason.trim() === '') throw new CliError('--reason: say why you stop trading', EXIT.invalidInput);
  const answerTimeoutMs = durationOption(options.answerTimeout ?? DEFAULT_STOP_ANSWER, '--answer-timeout');
  const account = accountOption(configOrExit(), options.account);
  await withClient(async (client, taskQueue) => {
    const started = Date.now();
    const request = { reason: options.reason, flatten: options.flatten ?? false, by: 'tradeflow stop' };
    let outcome;
    try {
      outcome = await client.withDeadline(Date.now() + answerTimeoutMs, () => temporalAccountStateStore(client, taskQueue).stop(account, request));
    } catch (error) {
      if (!isDeadlineExceeded(error)) throw error;
      // No worker answered: the signal is durable, and the account's workflow runs the stop first thing when a
      // worker polls (its days then stop before they send anything more).
      await signalAccountStop(client, account, taskQueue, request);
      console.log(`no worker answered within ${answerTimeoutMs / 1000} s: the stop is recorded in ${accountWorkflowId(account)} and runs `
        + 'first thing when a worker polls (start one now); until then no order can be sent either, as no worker runs');
      return;
    }
    console.log(stopText(outcome, Date.now() - started, options.flatten ?? false));
  });
}

/** What the kill switch did, for the operator. */
export function stopText(outcome: AccountStopOutcome, elapsedMs: number, flatten: boolean): string {
  const days = outcome.days.length === 0 ? 'no day was running'
    : outcome.days.map((day) => `${day.workflowId} ${day.confirmation}`).join(', ');
  const lines = [
    `emergency stop of account ${outcome.account} done in ${elapsedMs} ms: HALTED until tradeflow resume`,
    `days: ${days}`,
    `${outcome.canceledOrderIds.length} open orders cancelled`,
  ];
  if (flatten) {
    lines.push(`${outcome.closingOrders.length} closing orders sent${outcome.closingOrders.map((order) => `\n  ${order.side.toUpperCase()} ${order.qty} ${order.symbol}: ${order.status}${order.detail ? ` (${order.detail})` : ''}`).join('')}`);
  }
  if (outcome.schedulePaused) lines.push('the account\'s schedule is paused until tradeflow resume');
  const unconfirmed = outcome.days.filter((day) => day.confirmation === 'unconfirmed');
  if (unconfirmed.length > 0) lines.push(`WARNING: ${unconfirmed.map((day) => day.workflowId).join(', ')} did not confirm in time; their open orders were cancelled all the same`);
  return lines.join('\n');
}

/** `tradeflow pause`: hold new submissions of the day's run. */
export async function pauseCommand(options: DayOptions): Promise<void> {
  const workflowId = dailyWorkflowId(accountOption(configOrExit(), options.account), tradingDateOption(options.date));
  await withClient(async (client) => {
    await client.workflow.getHandle(workflowId).signal(pauseSignal);
    console.log(`paused ${workflowId}`);
  });
}

/** `tradeflow resume`: lift an account halt, and continue the day's run if it is paused. */
export async function resumeCommand(options: DayOptions): Promise<void> {
  const account = accountOption(configOrExit(), options.account);
  const workflowId = dailyWorkflowId(account, tradingDateOption(options.date));
  await withClient(async (client, taskQueue) => {
    const store = temporalAccountStateStore(client, taskQueue);
    if ((await store.read(account)).state !== 'ACTIVE') {
      await store.resume(account, 'tradeflow resume');
      console.log(`account ${account} is ACTIVE again`);
    }
    if (await isRunning(client, workflowId)) {
      await client.workflow.getHandle(workflowId).signal(resumeSignal);
      console.log(`resumed ${workflowId}`);
    }
  });
}

/** gRPC's DEADLINE_EXCEEDED status code. */
const GRPC_DEADLINE_EXCEEDED = 4;

function isDeadlineExceeded(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  for (let current: unknown = error; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === GRPC_DEADLINE_EXCEEDED || /deadline/i.test(current.message)) return true;
  }
  return false;
}

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
