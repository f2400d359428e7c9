/** `tradeflow status` and `tradeflow portfolio`: the day as it stands, running or finished. */
import type { Client } from '@temporalio/client';
import type { DayStatus } from '../contracts/day';
import { readDayReport } from '../operations/day-report';
import type { PortfolioSummary } from '../contracts/portfolio';
import { dailyWorkflowId } from '../names';
import type { dailyTrading } from '../workflows';
import { portfolioQuery, statusQuery } from '../workflows/messages';
import { accountOption, configOrExit, withClient, type DayOptions } from './context';
import { tradingDateOption } from './dates';
import { CliError, EXIT } from './errors';
import { portfolioText, statusFromReport, statusText } from './report';

/**
 * The day as it stands: a running day answers the query (a worker must be up); a finished one is read from its
 * result, so status and portfolio work without any worker.
 */
async function dayView(client: Client, workflowId: string, firstRunId?: string): Promise<{ status: DayStatus; portfolio: PortfolioSummary | null }> {
  const handle = client.workflow.getHandle<typeof dailyTrading>(workflowId, firstRunId);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') {
    const [status, portfolio] = await Promise.all([handle.query(statusQuery), handle.query(portfolioQuery)]);
    return { status, portfolio };
  }
  if (description.status.name !== 'COMPLETED') {
    throw new CliError(`${workflowId} ended ${description.status.name.toLowerCase()}; see it with: temporal workflow show --workflow-id ${workflowId}`, EXIT.failure);
  }
  const report = readDayReport(await handle.result());
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
