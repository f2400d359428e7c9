/** Writes a day's report as `<dir>/<workflowId>.json` and `<dir>/<workflowId>.html` (the page of ./html). */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../atomic-file';
import type { DayReport } from '../contracts/day';
import { renderDayReportHtml } from './html';

/** Chart.js's UMD bundle, read from the installed package (its `dist/chart.umd.min.js`); null when it is missing. */
export function chartJsSource(): string | null {
  try {
    // `chart.js` resolves to dist/chart.cjs (package exports); the UMD bundle sits beside it.
    return readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  } catch {
    return null;
  }
}

/** Writes the report's JSON and its page; answers their paths. */
export function writeDayReportFiles(
  report: DayReport, options: { dir: string; sectors: Readonly<Record<string, string>>; chartJs?: string | null; now?: Date },
): { json: string; html: string } {
  mkdirSync(options.dir, { recursive: true });
  const { json, html } = reportFilePaths(options.dir, report.workflowId);
  writeFileAtomically(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomically(html, renderDayReportHtml(report, {
    sectors: options.sectors,
    chartJs: options.chartJs === undefined ? chartJsSource() : options.chartJs,
    generatedAt: (options.now ?? new Date()).toISOString(),
  }));
  return { json, html };
}

/** Where a day's report files go in `dir`: named by the workflow id, made safe as a file name. */
export function reportFilePaths(dir: string, workflowId: string): { json: string; html: string } {
  const base = path.join(dir, workflowId.replace(/[^A-Za-z0-9._-]/g, '_'));
  return { json: `${base}.json`, html: `${base}.html` };
}
