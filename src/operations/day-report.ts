import { existsSync, readFileSync } from 'node:fs';
import type { DayReport } from '../contracts/day';
import type { FillSlippage, PositionSummary } from '../domain/portfolio';
import { expandLists } from '../domain/large-lists';

/**
 * A day's report as its workflow returned it, made whole: long lists back from their tables and, on a large day,
 * the positions and fills from the closing file when this machine can read it (the worker's trail_dir).
 */
export function readDayReport(result: DayReport): DayReport {
  const report = expandLists(result);
  const file = report.closingFile?.path;
  if (!file || !existsSync(file)) return report;
  try {
    const closing = JSON.parse(readFileSync(file, 'utf8')) as { positions?: PositionSummary[]; fills?: FillSlippage[] };
    return {
      ...report,
      ...(report.portfolio && closing.positions ? { portfolio: { ...report.portfolio, positions: closing.positions } } : {}),
      ...(report.slippage && closing.fills ? { slippage: { ...report.slippage, fills: closing.fills } } : {}),
    };
  } catch {
    return report;
  }
}
