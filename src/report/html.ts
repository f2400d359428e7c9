/**
 * A day's report as one self-contained HTML page: summary, the daily targets, orders and fills with their slippage,
 * rejected intents, exposure by sector, P&L, performance and three charts (Chart.js, embedded inline: the page opens
 * offline). Pure: the caller reads the report, the sector map and Chart.js's source and writes the page.
 *
 * Every text from the report (symbols, reasons, details, ids) is escaped; the charts' data travel as a JSON block
 * whose `<` are escaped, so nothing in a report can close the script or add markup.
 */
import type { DayReport, OrderRecord } from '../contracts/day';
import type { FillSlippage } from '../domain/portfolio';
import { orderTally, type OrderTally } from '../domain/order-counts';
import { sectorFor } from '../domain/sectors';

export interface DayReportHtmlOptions {
  /** Symbol → sector (the bundled S&P 500 map and the config's); unmapped symbols show as UNKNOWN. */
  sectors: Readonly<Record<string, string>>;
  /** Chart.js's UMD bundle (node_modules/chart.js/dist/chart.umd.min.js); without it the charts are left out. */
  chartJs: string | null;
  /** When the page was made (ISO), shown in its footer. */
  generatedAt?: string;
}

/** The data the page's charts draw, also embedded as JSON (`#report-data`) for whoever reads the page. */
export interface DayReportChartData {
  equityCurve: Array<[string, number]>;
  sectors: { labels: string[]; before: number[] | null; after: number[] };
  slippage: { labels: string[]; bps: number[] };
}

/** The day's targets (issue 13's seed): each a value or why it is not given, and how it is measured. */
export interface DayTarget {
  name: string;
  value: string;
  detail: string;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON that can sit inside a <script> element: no `<` (so no `</script>` or `<!--`), and no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}


/** Net market value by sector of a list of holdings (sectors sorted by name). */
export function exposureBySector(
  positions: ReadonlyArray<{ symbol: string; marketValue: number | null }>, sectors: Readonly<Record<string, string>>,
): Record<string, { long: number; short: number; net: number; symbols: number }> {
  const out: Record<string, { long: number; short: number; net: number; symbols: number }> = {};
  for (const position of positions) {
    const sector = sectorFor(position.symbol, sectors, 'group')!;
    const entry = out[sector] ??= { long: 0, short: 0, net: 0, symbols: 0 };
    const value = position.marketValue ?? 0;
    if (value >= 0) entry.long += value;
    else entry.short += -value;
    entry.net += value;
    entry.symbols += 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Broker-side refusals: what got past the pre-trade checks and was refused by the broker anyway. */
const BROKER_REFUSAL_STATUSES = new Set<OrderRecord['status']>(['rejected', 'submit_failed']);

/** The day's targets, computed from what the report carries; a target it cannot measure says so. */
export function dayTargets(report: DayReport): DayTarget[] {
  const tally = orderTally(report.orders);
  const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
  const targets: DayTarget[] = [];
  targets.push({
    name: 'Order success rate',
    value: tally.sent > 0 ? percent(tally.filled / tally.sent) : 'n/a',
    detail: tally.sent > 0 ? `${tally.filled} filled of ${tally.sent} sent to the broker` : 'no order reached the broker',
  });
  if (report.reconciliation) {
    const mismatched = new Set(report.reconciliation.map((difference) => difference.symbol));
    const checked = new Set([...mismatched, ...(report.portfolio?.positions ?? []).map((position) => position.symbol),
      ...report.orders.filter((order) => order.filledQty > 0).map((order) => order.symbol)]);
    targets.push({
      name: 'Position tracking accuracy',
      value: checked.size > 0 ? percent((checked.size - mismatched.size) / checked.size) : 'n/a',
      detail: checked.size > 0
        ? `${checked.size - mismatched.size} of ${checked.size} symbols (held or traded) match the broker's quantity`
        : 'no position held or traded',
    });
  } else {
    targets.push({ name: 'Position tracking accuracy', value: 'not reconciled', detail: 'the day ended before its reconciliation with the broker' });
  }
  const refusedAtBroker = report.orders.filter((order) => BROKER_REFUSAL_STATUSES.has(order.status)).length;
  const breaches = refusedAtBroker + (report.dailyLoss ? 1 : 0);
  const preTrade = report.rejected.filter((rejection) => rejection.symbol !== '*').length;
  targets.push({
    name: 'Risk compliance',
    value: breaches === 0 ? 'compliant' : `${breaches} breach${breaches === 1 ? '' : 'es'}`,
    detail: `${preTrade} intent${preTrade === 1 ? '' : 's'} refused with a reason code (the checks doing their job); `
      + `a breach is an order the broker refused after the checks passed it (${refusedAtBroker}) or the daily loss limit crossed (${report.dailyLoss ? 'yes' : 'no'})`,
  });
  const latency = report.fillLatency;
  targets.push(latency
    ? {
      name: 'Signal-to-fill latency',
      value: `p50 ${latency.p50Seconds.toFixed(2)} s · p95 ${latency.p95Seconds.toFixed(2)} s`,
      detail: `over ${latency.fills} fill${latency.fills === 1 ? '' : 's'} (slowest ${latency.maxSeconds.toFixed(2)} s), from ${latency.from}, `
        + 'when the day could act on its signals (the market found open), to each fill, by the broker\'s clock',
    }
    : { name: 'Signal-to-fill latency', value: 'n/a', detail: 'no fill with a time (nothing filled, or a day recorded before times were kept)' });
  return targets;
}

/** The charts' data from a report. */
export function chartData(report: DayReport, sectors: Readonly<Record<string, string>>): DayReportChartData {
  const after = exposureBySector(report.portfolio?.positions ?? [], sectors);
  const before = report.startingPositions ? exposureBySector(report.startingPositions, sectors) : null;
  const labels = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].sort();
  const fills = report.slippage?.fills ?? [];
  return {
    equityCurve: report.performance?.equityCurve ?? [],
    sectors: {
      labels,
      before: before ? labels.map((label) => round2(before[label]?.net ?? 0)) : null,
      after: labels.map((label) => round2(after[label]?.net ?? 0)),
    },
    slippage: { labels: fills.map((fill) => `${fill.side.toUpperCase()} ${fill.symbol}`), bps: fills.map((fill) => fill.slippageBps) },
  };
}

/** The report as one HTML page (see the module's comment). */
export function renderDayReportHtml(report: DayReport, options: DayReportHtmlOptions): string {
  const data = chartData(report, options.sectors);
  const tally = orderTally(report.orders);
  const title = `Day report ${report.workflowId}`;
  const charts = options.chartJs !== null;
  const sections = [
    summarySection(report, tally),
    targetsSection(report),
    ordersSection(report),
    rejectedSection(report),
    exposureSection(report, options.sectors, data, charts),
    pnlSection(report),
    performanceSection(report, data, charts),
    slippageSection(report, data, charts),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1>
<p class="sub">Trading date ${escapeHtml(report.tradingDate)} · status <strong class="status-${escapeHtml(report.status)}">${escapeHtml(report.status)}</strong></p></header>
<main>
${sections.join('\n')}
</main>
<footer>tradeflow day report${options.generatedAt ? ` · generated ${escapeHtml(options.generatedAt)}` : ''}${charts ? ' · charts by Chart.js (embedded)' : ' · charts left out (Chart.js not available)'}</footer>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
${charts ? `<script>${inlineScript(options.chartJs!)}</script>\n<script>${CHARTS_SCRIPT}</script>` : ''}
</body>
</html>
`;
}

/** A script's source made safe inside <script>: a `</script` in it would end the element early. */
function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

function summarySection(report: DayReport, tally: OrderTally): string {
  const rows: Array<[string, string]> = [
    ['Status', report.status],
    ['Reason', report.reason ?? '—'],
    ...(report.failure ? [['Failed', `in ${report.failure.phase}: ${report.failure.error}`] as [string, string]] : []),
    ['Trading state', report.tradingState],
    ['Signals', String(report.signals)],
    ['Orders', `${tally.total}: ${tally.sent} sent (${tally.filled} filled, ${tally.open} open), ${tally.neverSent} never sent`
      + (tally.unknown > 0 ? `, ${tally.unknown} outcome unknown` : '')],
    ['Rejected intents', String(report.rejected.length)],
  ];
  if (report.stop) rows.push(['Emergency stop', `${report.stop.at}: ${report.stop.reason}${report.stop.flatten ? ' (flatten)' : ''}`]);
  if (report.stopOutcome) {
    rows.push(['Stop did', `${report.stopOutcome.canceledOrderIds.length} orders cancelled, ${report.stopOutcome.closingOrders.length} closing orders`
      + `${report.stopOutcome.accountHalted ? ', account halted' : ''}`]);
  }
  if (report.dailyLoss) rows.push(['Daily loss limit', report.dailyLoss.detail]);
  if (report.generation && report.generation > 1) rows.push(['Generation', String(report.generation)]);
  return section('summary', 'Summary', keyValues(rows));
}

function targetsSection(report: DayReport): string {
  const rows = dayTargets(report).map((target) => [target.name, target.value, target.detail]);
  return section('targets', 'Daily targets', table(['Target', 'Value', 'How it is measured'], rows));
}

function ordersSection(report: DayReport): string {
  if (report.orders.length === 0) return section('orders', 'Orders and fills', '<p class="empty">No orders.</p>');
  const fills = matchFills(report.orders, report.slippage?.fills ?? []);
  const rows = report.orders.map((order, i) => {
    const fill = fills[i];
    return [
      order.symbol, order.side, order.type, order.qty !== null ? String(order.qty) : `$${money(order.notional ?? 0)}`, order.status,
      order.filledQty > 0 ? String(order.filledQty) : '—', order.filledAvgPrice !== null ? money(order.filledAvgPrice) : '—',
      fill ? money(fill.arrivalPrice) : '—', fill ? fill.slippageBps.toFixed(2) : '—', fill ? money(fill.cost) : '—', order.clientOrderId,
    ];
  });
  const unmeasured = report.slippage?.unmeasured.length
    ? `<p class="note">No arrival price for: ${escapeHtml(report.slippage.unmeasured.join(', '))}.</p>` : '';
  return section('orders', 'Orders and fills', table(
    ['Symbol', 'Side', 'Type', 'Size', 'Status', 'Filled', 'Avg price', 'Arrival', 'Slippage (bps)', 'Slippage ($)', 'Client order id'], rows,
  ) + unmeasured + '<p class="note">Slippage against the arrival price (the quote the order was planned at); positive is a cost.</p>');
}

/** The slippage record of each order's fill (same symbol and side, the filled quantity), in order. */
function matchFills(orders: readonly OrderRecord[], fills: readonly FillSlippage[]): Array<FillSlippage | undefined> {
  const left = [...fills];
  return orders.map((order) => {
    if (order.filledQty <= 0) return undefined;
    const at = left.findIndex((fill) => fill.symbol === order.symbol && fill.side === order.side && fill.qty === order.filledQty);
    return at >= 0 ? left.splice(at, 1)[0] : undefined;
  });
}

function rejectedSection(report: DayReport): string {
  if (report.rejected.length === 0) return section('rejected', 'Rejected intents', '<p class="empty">None.</p>');
  return section('rejected', 'Rejected intents', table(['Symbol', 'Code', 'Detail'],
    report.rejected.map((rejection) => [rejection.symbol, rejection.code, rejection.detail])));
}

function exposureSection(report: DayReport, sectors: Readonly<Record<string, string>>, data: DayReportChartData, charts: boolean): string {
  if (!report.portfolio) return section('exposure', 'Exposure by sector', '<p class="empty">The day took no snapshot of the account.</p>');
  const after = exposureBySector(report.portfolio.positions, sectors);
  const before = report.startingPositions ? exposureBySector(report.startingPositions, sectors) : null;
  const equity = report.portfolio.equity;
  const rows = data.sectors.labels.map((label) => [
    label, before ? money(before[label]?.net ?? 0) : '—', money(after[label]?.long ?? 0), money(after[label]?.short ?? 0),
    money(after[label]?.net ?? 0), equity > 0 ? `${(((after[label]?.net ?? 0) / equity) * 100).toFixed(2)}%` : '—',
    String(after[label]?.symbols ?? 0),
  ]);
  const totals = keyValues([
    ['Equity', money(equity)], ['Cash', money(report.portfolio.cash)], ['Long', money(report.portfolio.longExposure)],
    ['Short', money(report.portfolio.shortExposure)], ['Gross', money(report.portfolio.grossExposure)], ['Net', money(report.portfolio.netExposure)],
  ]);
  const note = before ? '' : '<p class="note">Before-the-day exposure: not in this report (it carries no starting positions).</p>';
  const body = rows.length === 0 ? '<p class="empty">No positions before or after the day.</p>'
    : table(['Sector', 'Net before', 'Long after', 'Short after', 'Net after', 'Net / equity', 'Symbols after'], rows);
  const chart = charts && rows.length > 0 ? canvas('chart-sectors', 'Exposure by sector') : '';
  return section('exposure', 'Exposure by sector (after the day)', totals + body + note + chart);
}

function pnlSection(report: DayReport): string {
  const pnl = report.pnl;
  if (!pnl) return section('pnl', 'P&L', '<p class="empty">Not measured: the day did not close normally.</p>');
  const rows: Array<[string, string]> = [
    ['Daily', `${money(pnl.daily)} (${(pnl.dailyPct * 100).toFixed(2)}%)`], ['Realized', money(pnl.realized)],
    ['Unrealized', money(pnl.unrealized)], ['Traded notional', money(pnl.tradedNotional)], ['Turnover', `${(pnl.turnover * 100).toFixed(2)}%`],
  ];
  const bySymbol = Object.entries(pnl.realizedBySymbol);
  return section('pnl', 'P&L', keyValues(rows)
    + (bySymbol.length > 0 ? table(['Symbol', 'Realized'], bySymbol.map(([symbol, value]) => [symbol, money(value)])) : ''));
}

function performanceSection(report: DayReport, data: DayReportChartData, charts: boolean): string {
  const perf = report.performance;
  if (!perf) {
    return section('performance', 'Performance', `<p class="empty">${report.pnl
      ? 'Not available: the broker served no usable equity history for this day.' : 'Not measured: the day did not close normally.'}</p>`);
  }
  const ratio = (value: number | null) => (value === null ? 'n/a' : value.toFixed(2));
  const pct = (value: number) => `${(value * 100).toFixed(2)}%`;
  const rows: Array<[string, string]> = [
    ['Period', `${perf.from} → ${perf.to} (${perf.periods} periods)`], ['Equity', `${money(perf.startEquity)} → ${money(perf.endEquity)}`],
    ['Total return', pct(perf.totalReturn)], ['Annualized volatility', pct(perf.annualizedVolatility)], ['Sharpe', ratio(perf.sharpe)],
    ['Sortino', ratio(perf.sortino)], ['Max drawdown', pct(perf.maxDrawdown)], ['Turnover', pct(perf.turnover)],
    ['Hit rate', perf.hitRate === null ? 'n/a' : pct(perf.hitRate)],
  ];
  const chart = data.equityCurve.length === 0 ? '<p class="note">Equity curve: not in this report.</p>'
    : charts ? canvas('chart-equity', 'Equity curve') : '';
  return section('performance', 'Performance', keyValues(rows) + chart);
}

function slippageSection(report: DayReport, data: DayReportChartData, charts: boolean): string {
  const slippage = report.slippage;
  if (!slippage) return section('slippage', 'Slippage', '<p class="empty">Not measured: the day did not close normally.</p>');
  const summary = keyValues([
    ['Fills measured', String(slippage.fills.length)], ['Arrival notional', money(slippage.notional)],
    ['Cost', money(slippage.cost)], ['Weighted', `${slippage.weightedBps.toFixed(2)} bps`],
  ]);
  const chart = data.slippage.bps.length === 0 ? '<p class="empty">No fill to measure.</p>'
    : charts ? canvas('chart-slippage', 'Slippage by order (bps)') : '';
  return section('slippage', 'Slippage by order', summary + chart);
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(heading)}</h2>${body}</section>`;
}

function canvas(id: string, label: string): string {
  return `<div class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(label)}"></canvas></div>`;
}

function keyValues(rows: ReadonlyArray<[string, string]>): string {
  return `<dl>${rows.map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
}

function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return `<table><thead><tr>${headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function money(value: number): string {
  return value.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}.sub{margin:4px 0 0;opacity:.85}
main{padding:8px 24px;display:grid;align-items:start;gap:16px;grid-template-columns:repeat(auto-fit,minmax(520px,1fr))}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 16px;overflow-x:auto}
section#orders,section#targets{grid-column:1/-1}h2{font-size:16px;margin:0 0 8px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;white-space:nowrap}
#targets td,#rejected td{white-space:normal}th{background:#f0f2f5;font-weight:600}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0 0 8px}dt{color:#5b6575}dd{margin:0}
.note,.empty{color:#5b6575}.chart{position:relative;height:280px}.status-completed{color:#7ee2a8}.status-stopped,.status-failed,.status-halted{color:#ffb4a8}
footer{padding:8px 24px 24px;color:#5b6575;font-size:12px}`;

/**
 * Draws the charts from #report-data; `window.tradeflowCharts` holds the Chart instances and
 * `document.body.dataset.charts` turns `drawn` when done (`failed: ...` on an error), for a test to wait on.
 */
const CHARTS_SCRIPT = `
(function () {
  var charts = {};
  window.tradeflowCharts = charts;
  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    var el = function (id) { return document.getElementById(id); };
    if (el('chart-equity')) {
      charts.equity = new Chart(el('chart-equity'), {
        type: 'line',
        data: { labels: data.equityCurve.map(function (p) { return p[0]; }),
          datasets: [{ label: 'Equity', data: data.equityCurve.map(function (p) { return p[1]; }), borderColor: '#2f6fde',
            backgroundColor: 'rgba(47,111,222,0.12)', fill: true, pointRadius: 0, tension: 0.1 }] },
        options: { plugins: { title: { display: true, text: 'Equity curve' } } }
      });
    }
    if (el('chart-sectors')) {
      var sets = [];
      if (data.sectors.before) sets.push({ label: 'Net before the day', data: data.sectors.before, backgroundColor: '#a9b6c9' });
      sets.push({ label: 'Net after the day', data: data.sectors.after, backgroundColor: '#2f6fde' });
      charts.sectors = new Chart(el('chart-sectors'), {
        type: 'bar', data: { labels: data.sectors.labels, datasets: sets },
        options: { indexAxis: 'y', plugins: { title: { display: true, text: 'Exposure by sector ($)' } } }
      });
    }
    if (el('chart-slippage')) {
      charts.slippage = new Chart(el('chart-slippage'), {
        type: 'bar',
        data: { labels: data.slippage.labels, datasets: [{ label: 'Slippage (bps, positive is a cost)', data: data.slippage.bps,
          backgroundColor: data.slippage.bps.map(function (v) { return v > 0 ? '#d9534f' : '#3aa76d'; }) }] },
        options: { plugins: { title: { display: true, text: 'Slippage by order (bps)' } } }
      });
    }
    document.body.dataset.charts = 'drawn';
  } catch (error) {
    document.body.dataset.charts = 'failed: ' + (error && error.message ? error.message : String(error));
  }
})();`;
