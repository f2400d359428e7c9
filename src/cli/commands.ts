import path from 'node:path';
import { WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { PortfolioSummary } from '../contracts/portfolio';
import { loadExecutionConfig, ConfigError, type ExecutionConfig } from '../config';
import { DayAlreadyStarted, dayResult, InvalidDayInput, startDay } from '../client/start-day';
import { accountWorkflowId, dailyWorkflowId } from '../names';
import { pauseSignal, portfolioQuery, resumeSignal, statusQuery } from '../workflows/messages';
import { signalAccountStop, temporalAccountStateStore } from '../client/account-state';
import type { AccountStopOutcome } from '../contracts/account';
import { connectClient } from './connect';
import { tradingDateOption } from './dates';
import { CliError, EXIT } from './errors';
import { portfolioText, reportJson, reportText, statusFromReport, statusText } from './report';
import type { DayReport, DayStatus } from '../contracts/day';
import { readSignalFile } from './signal-file';

/** The validated config, or exit 2 naming the bad field. */
export function configOrExit(): ExecutionConfig {
  try {
    return loadExecutionConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.invalidInput);
    throw error;
  }
}

/** The `--account` option: a configured account, else the config's default account. */
export function accountOption(config: ExecutionConfig, requested: string | undefined): string {
  const known = config.accounts?.map((account) => account.name) ?? [config.execution.account];
  const account = requested ?? config.execution.account;
  if (!known.includes(account)) {
    throw new CliError(`--account: "${account}" is not a configured account (${known.join(', ')})`, EXIT.invalidInput);
  }
  return account;
}

export async function withClient<T>(action: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const { client, settings, close } = await connectClient();
  try {
    return await action(client, settings.taskQueue);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new CliError(`no run found: ${error.workflowId ?? 'unknown workflow'} (check --date and the account)`, EXIT.notFound);
    }
    throw error;
  } finally {
    await close();
  }
}

/** Options every per-day command takes. */
export interface DayOptions { date?: string; account?: string }

export interface RunOptions { signals: string; date?: string; wait?: boolean; json?: boolean; account?: string }

/** `tradeflow run`: validate the file first, then start the day (and wait for its report). */
export async function runCommand(options: RunOptions): Promise<void> {
  const tradingDate = tradingDateOption(options.date);
  const signals = readSignalFile(options.signals);
  const config = configOrExit();
  const account = accountOption(config, options.account);
  await withClient(async (client, taskQueue) => {
    let handle;
    try {
      handle = await startDay(client, {
        account, tradingDate, signals, mode: config.execution.mode, taskQueue, source: path.basename(options.signals),
      });
    } catch (error) {
      if (error instanceof DayAlreadyStarted) throw new CliError(error.message, EXIT.alreadyExists);
      if (error instanceof InvalidDayInput) throw new CliError(`${error.message} (nothing started)`, EXIT.invalidInput);
      throw error;
    }
    if (!options.wait) {
      console.log(options.json ? JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, tradingDate }) : `started ${handle.workflowId}`);
      return;
    }
    if (!options.json) console.error(`started ${handle.workflowId}, waiting for the day to finish...`);
    const report = await dayResult(handle);
    console.log(options.json ? JSON.stringify(reportJson(report)) : reportText(report));
  });
}

export interface StopOptions { date?: string; reason: string; flatten?: boolean; account?: string; answerTimeout?: string | number }

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

/** How long `stop` waits for the answer before it falls back to the durable signal. */
const DEFAULT_STOP_ANSWER = '20s';

/** A duration option: plain seconds (`20`), or with a unit (`500ms`, `20s`, `1m`). */
export function durationOption(value: string | number, option: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(String(value));
  const amount = match ? Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 } as const)[(match[2] ?? 's') as 'ms' | 's' | 'm'] : NaN;
  if (!Number.isFinite(amount) || amount <= 0 || amount > 3_600_000) {
    throw new CliError(`${option}: "${value}" is not a duration (say 20, 20s or 1m; at most 1 hour)`, EXIT.invalidInput);
  }
  return amount;
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

/**
 * The day as it stands: a running day answers the query (a worker must be up); a finished one is read from its
 * result, so status and portfolio work without any worker.
 */
async function dayView(client: Client, workflowId: string, firstRunId?: string): Promise<{ status: DayStatus; portfolio: PortfolioSummary | null }> {
  const handle = client.workflow.getHandle(workflowId, firstRunId);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') {
    const [status, portfolio] = await Promise.all([handle.query(statusQuery), handle.query(portfolioQuery)]);
    return { status, portfolio };
  }
  if (description.status.name !== 'COMPLETED') {
    throw new CliError(`${workflowId} ended ${description.status.name.toLowerCase()}; see it with: temporal workflow show --workflow-id ${workflowId}`, EXIT.failure);
  }
  const report = (await handle.result()) as DayReport;
  if (report.status === 'duplicate' && report.firstRun && report.firstRun.workflowId === workflowId && !firstRunId) {
    // A second start of a day that already traded ended at once: show the run that traded.
    return dayView(client, workflowId, report.firstRun.runId);
  }
  return { status: statusFromReport(report, description.closeTime ?? new Date()), portfolio: report.portfolio };
}

/** `tradeflow status`: the day's live status. */
export async function statusCommand(options: DayOptions & { json?: boolean }): Promise<void> {
  const workflowId = dailyWorkflowId(accountOption(configOrExit(), options.account), tradingDateOption(options.date));
  await withClient(async (client) => {
    const { status } = await dayView(client, workflowId);
    console.log(options.json ? JSON.stringify(status) : statusText(status));
  });
}

/** `tradeflow portfolio`: the portfolio as the day's run last saw it. */
export async function portfolioCommand(options: DayOptions & { json?: boolean }): Promise<void> {
  const workflowId = dailyWorkflowId(accountOption(configOrExit(), options.account), tradingDateOption(options.date));
  await withClient(async (client) => {
    const { portfolio } = await dayView(client, workflowId);
    if (!portfolio) throw new CliError(`${workflowId} has not taken a snapshot yet`, EXIT.notFound);
    console.log(options.json ? JSON.stringify(portfolio) : `${workflowId}\n${portfolioText(portfolio)}`);
  });
}
