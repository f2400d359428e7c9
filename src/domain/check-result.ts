import type { CheckVerdict } from './types';

/** A check passed as is; `code` and `detail` explain a pass worth reading, such as a check skipped for lack of data. */
export interface Approve {
  ok: true;
  code?: string;
  detail?: string;
}

/** A check passed once the order shrinks to `qty` (unsigned). */
export interface Resize {
  ok: true;
  qty: number;
  code: string;
  detail: string;
}

/** A check refused the order. */
export interface Reject {
  ok: false;
  code: string;
  detail: string;
}

/** The outcome of one pure pre-trade check. */
export type CheckResult = Approve | Resize | Reject;

/** The approval every passing check returns. */
export const APPROVE: Approve = { ok: true };

/** A pass that says why, e.g. VOLATILITY_UNKNOWN when the data a check needs is missing. */
export function approveWithNote(code: string, detail: string): Approve {
  return { ok: true, code, detail };
}

/** True when the check passed only after shrinking the order. */
export function isResize(result: CheckResult): result is Resize {
  return result.ok && 'qty' in result;
}

/** The verdict recorded in a SymbolDecision for one check's result. */
export function toVerdict(check: string, result: CheckResult): CheckVerdict {
  if (!result.ok) return { check, outcome: 'reject', code: result.code, detail: result.detail };
  if (isResize(result)) return { check, outcome: 'resize', code: result.code, detail: result.detail };
  return { check, outcome: 'approve', code: result.code ?? 'OK', detail: result.detail ?? '' };
}
