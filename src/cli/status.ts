/** `tradeflow status` and `tradeflow portfolio`: the day as it stands, running or finished. */
import path from 'node:path';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { DayStatus } from '../contracts/day';
import type { PortfolioSummary } from '../contracts/portfolio';
import { dailyWorkflowId, parseDailyWorkflowId, RUN_STATE } from '../names';
import type { dailyTrading } from '../workflows';
import { portfolioQuery } from '../workflows/messages';
import { accountOption, configOrExit, withClient, type DayOptions } from './context';
import { tradingDateOption } from './dates';
import { CliError, EXIT } from './errors';
import { finishedDayReport } from './finished-day';
import { queryDayStatus } from './progress';
import { portfolioText, statusFromReport, statusText } from './report';

/** How long a running day's query may wait for a worker before status answers from the recorded state. */
const QUERY_WAIT_MS = 5_000;

/**
 * A running day no worker answered for: its phase as last recorded in the RunState search attribute (the day sets
 * it at every phase), with a note that says so and how to get a live answer.
 */
function lastRecordedStatus(workflowId: string, description: WorkflowExecutionDescription, error: unknown): DayStatus {
  const parsed = parseDailyWorkflowId(workflowId);
  const phase = description.typedSearchAttributes.get(RUN_STATE) ?? 'starting';
  const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return {
    workflowId, account: parsed?.account ?? '', tradingDate: parsed?.tradingDate ?? '',
    phase: phase as DayStatus['phase'], paused: false, tradingState: 'ACTIVE', stop: null, signals: 0, orders: [], rejected: [],
    lastError: null, updatedAt: new Date().toISOString(),
    note: `no worker answered within ${QUERY_WAIT_MS / 1000} s (${why}): this is the last recorded phase only; `
      + 'start a worker (tradeflow worker) for the live status, orders and portfolio',
  };
}

/**
 * The day as it stands: a running day answers the query (a worker must be up); a finished one is read from its
 * result, so status and portfolio work without any worker.
 */
async function dayView(client: Client, workflowId: string, reportDir: string): Promise<{ status: DayStatus; portfolio: PortfolioSummary | null }> {
  const handle = client.workflow.getHandle<typeof dailyTrading>(workflowId);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') {
    // One query at a time: a second one in flight when the first gives up would be retried after the client closed.
    let status: DayStatus;
    try {
      status = await queryDayStatus(client, workflowId, QUERY_WAIT_MS);
    } catch (error) {
      return { status: lastRecordedStatus(workflowId, description, error), portfolio: null };
    }
    return { status, portfolio: await handle.query(portfolioQuery) };
  }
  const report = await finishedDayReport(client, workflowId, reportDir, description);
  return { status: statusFromReport(report, description.closeTime ?? new Date()), portfolio: report.portfolio };
}

/** `tradeflow status`: the day's live status. */
export async function statusCommand(options: DayOptions & { json?: boolean; watch?: boolean }): Promise<void> {
  const config = configOrExit();
  const workflowId = dailyWorkflowId(accountOption(config, options.account), tradingDateOption(options.date));
  const reportDir = path.resolve(config.reports.report_dir);
  await withClient(async (client) => {
    if (!options.watch) {
      const { status } = await dayView(client, workflowId, reportDir);
      console.log(options.json ? JSON.stringify(status) : statusText(status));
      return;
    }
    const terminal = process.stdout.isTTY === true && !options.json;
    let last = '';
    for (;;) {
      const { status } = await dayView(client, workflowId, reportDir);
      const text = options.json ? JSON.stringify(status) : statusText(status);
      if (terminal) process.stdout.write(`\x1b[H\x1b[2J${text}\n`);
      else if (text !== last) console.log(text);
      last = text;
      if (ENDED_PHASES.has(status.phase)) return;
      await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
    }
  });
}

const WATCH_INTERVAL_MS = 1_000;
/** Phases a day does not leave: `status --watch` returns once the day is in one. */
const ENDED_PHASES = new Set<DayStatus['phase']>(['completed', 'stopped', 'halted', 'market_closed', 'duplicate', 'failed']);

/** `tradeflow portfolio`: the portfolio as the day's run last saw it. */
export async function portfolioCommand(options: DayOptions & { json?: boolean }): Promise<void> {
  const config = configOrExit();
  const workflowId = dailyWorkflowId(accountOption(config, options.account), tradingDateOption(options.date));
  await withClient(async (client) => {
    const { status, portfolio } = await dayView(client, workflowId, path.resolve(config.reports.report_dir));
    if (!portfolio && status.note) throw new CliError(`${workflowId}: ${status.note}`, EXIT.failure);
    if (!portfolio) throw new CliError(`${workflowId} has not taken a snapshot yet`, EXIT.notFound);
    console.log(options.json ? JSON.stringify(portfolio) : `${workflowId}\n${portfolioText(portfolio)}`);
  });
}
