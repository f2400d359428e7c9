import type { PacingStats } from '../broker/request-budget';
import type { DayReport, DayStatus, OrderRecord } from '../contracts/day';
import type { PortfolioSummary } from '../contracts/portfolio';
import { orderCounts } from '../domain/order-counts';
import { shortDuration } from '../domain/fill-latency';
import { parseDailyWorkflowId } from '../names';

/** The report as `tradeflow run --wait --json` prints it: the documented keys first, the explanation after. */
export function reportJson(report: DayReport): Record<string, unknown> {
  return {
    workflowId: report.workflowId,
    tradingDate: report.tradingDate,
    status: report.status,
    orders: report.orders.map((order) => ({
      clientOrderId: order.clientOrderId,
      brokerOrderId: order.brokerOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      qty: order.qty,
      notional: order.notional,
      status: order.status,
      filledQty: order.filledQty,
      filledAvgPrice: order.filledAvgPrice,
    })),
    rejected: report.rejected,
    portfolio: report.portfolio,
    reason: report.reason,
    tradingState: report.tradingState,
    stop: report.stop,
    stopOutcome: report.stopOutcome ?? null,
    firstRun: report.firstRun ?? null,
    generation: report.generation ?? 1,
    reconciliation: report.reconciliation,
    pnl: report.pnl ?? null,
    slippage: report.slippage ?? null,
    performance: report.performance ?? null,
    marketData: report.marketData ?? null,
    decisions: report.decisions,
    decisionCounts: report.decisionCounts ?? null,
    trail: report.trail ?? null,
  };
}

/** Lines of rejections and no-trade decisions a person reads before the rest is summarized. */
const LISTED_MAX = 25;

/** A few lines for a person: what the day did. */
export function reportText(report: DayReport): string {
  const lines = [`${report.workflowId}: ${report.status}${report.reason ? ` (${report.reason})` : ''}`];
  if (report.failure) lines.push(`  failed in ${report.failure.phase}: ${report.failure.error}`);
  lines.push(...ordersTable(report.orders));
  if (report.fillLatency) {
    const { p50Seconds, p95Seconds, fills } = report.fillLatency;
    lines.push(`  signal-to-fill latency: p50 ${p50Seconds.toFixed(2)} s, p95 ${p95Seconds.toFixed(2)} s over ${fills} fills`);
  }
  const listed = (items: string[]) => (items.length > LISTED_MAX
    ? [...items.slice(0, LISTED_MAX), `  … and ${items.length - LISTED_MAX} more (the JSON report has them all)`] : items);
  lines.push(...listed(report.rejected.map((rejection) => `  rejected ${rejection.symbol}: ${rejection.code} ${rejection.detail}`)));
  const rejectedSymbols = new Set(report.rejected.map((rejection) => rejection.symbol));
  lines.push(...listed(report.decisions
    .filter((decision) => decision.outcome !== 'order' && !rejectedSymbols.has(decision.symbol))
    .map((decision) => `  no trade ${decision.symbol.padEnd(6)} ${decision.reason}`)));
  if (report.decisionCounts) {
    lines.push(`  decisions: ${Object.entries(report.decisionCounts).map(([outcome, count]) => `${count} ${outcome.replace('_', ' ')}`).join(', ')}`
      + `${report.trail ? `; full trail in ${report.trail.path}` : ''}`);
  }
  if (report.portfolio) lines.push(portfolioText(report.portfolio));
  if (report.pnl) {
    const money = (value: number) => value.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
    lines.push(`  P&L today ${money(report.pnl.daily)} (realized ${money(report.pnl.realized)}, unrealized ${money(report.pnl.unrealized)}), turnover ${(report.pnl.turnover * 100).toFixed(1)}%`);
  }
  if (report.reconciliation && report.reconciliation.length > 0) {
    lines.push(`  reconciliation: ${report.reconciliation.length} differences with the broker`);
  }
  if (report.reportFiles) lines.push(`  report: ${report.reportFiles.html} (written by the worker)`);
  return lines.join('\n');
}

/** The status of a finished day, from its report. */
export function statusFromReport(report: DayReport, closedAt: Date): DayStatus {
  const parsed = parseDailyWorkflowId(report.workflowId);
  return {
    workflowId: report.workflowId,
    account: parsed?.account ?? '',
    tradingDate: report.tradingDate,
    phase: report.status,
    paused: false,
    tradingState: report.tradingState,
    stop: report.stop,
    signals: report.signals,
    orders: report.orders,
    rejected: report.rejected,
    lastError: report.failure ? `failed in ${report.failure.phase}: ${report.failure.error}` : null,
    updatedAt: closedAt.toISOString(),
    reason: report.reason,
  };
}

export function statusText(status: DayStatus, now: Date = new Date()): string {
  const lines = [
    `${status.workflowId}: ${status.phase}${status.paused ? ' (paused)' : ''}, trading state ${status.tradingState}`,
  ];
  if (status.note) lines.push(`  note: ${status.note}`);
  if (status.reason) lines.push(`  ${status.reason}`);
  if (status.note) return lines.join('\n');
  lines.push(`  ${status.signals} signals, ${orderCounts(status.orders)}, ${status.rejected.length} rejected, updated ${status.updatedAt}`);
  if (status.stop) lines.push(`  emergency stop at ${status.stop.at}: ${status.stop.reason}${status.stop.flatten ? ' (flatten)' : ''}`);
  if (status.lastError) lines.push(`  last error: ${status.lastError}`);
  if (status.pacing) lines.push(`  ${pacingText(status.pacing)}`);
  lines.push(...ordersTable(status.orders, now));
  return lines.join('\n');
}

export function portfolioText(portfolio: PortfolioSummary): string {
  const money = (value: number) => value.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
  const lines = [`  equity ${money(portfolio.equity)}, cash ${money(portfolio.cash)}, ${portfolio.positions.length} positions`];
  for (const position of portfolio.positions) {
    lines.push(`    ${position.symbol.padEnd(6)} ${String(position.qty).padStart(8)}  ${money(position.marketValue)}`);
  }
  return lines.join('\n');
}

/**
 * The day's orders as a table: state, filled quantity, average price and age (since the broker took the order; a
 * filled order's age stops at its fill).
 */
export function ordersTable(orders: readonly OrderRecord[], now: Date = new Date()): string[] {
  if (orders.length === 0) return [];
  const rows = orders.map((order) => [
    order.side.toUpperCase(), order.qty !== null ? `${order.qty}` : `$${order.notional}`, order.symbol, order.type, order.status,
    order.filledQty > 0 ? `${order.filledQty}` : '', order.filledAvgPrice !== null ? `$${order.filledAvgPrice.toFixed(2)}` : '',
    ageOf(order, now),
  ]);
  const header = ['SIDE', 'SIZE', 'SYMBOL', 'TYPE', 'STATE', 'FILLED', 'AVG PRICE', 'AGE'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = new Set([1, 5, 6]);
  const line = (cells: readonly string[]) => `  ${cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd()}`;
  return [line(header), ...rows.map(line)];
}

function ageOf(order: OrderRecord, now: Date): string {
  if (!order.submittedAt) return '';
  const end = order.filledAt ? Date.parse(order.filledAt) : now.getTime();
  return shortDuration(end - Date.parse(order.submittedAt));
}

/** `broker requests: 412 at 200/min, 12 waited for the budget (3.4 s in all, 0.9 s at most)` */
export function pacingText(pacing: PacingStats): string {
  const waits = pacing.delayed === 0 ? 'none waited for the budget'
    : `${pacing.delayed} waited for the budget (${(pacing.waitedMs / 1000).toFixed(1)} s in all, ${(pacing.maxWaitMs / 1000).toFixed(1)} s at most)`;
  return `broker requests: ${pacing.requests} at ${pacing.perMinute}/min, ${waits}`;
}
