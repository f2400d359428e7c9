/**
 * The account's record of its trading days: which run holds each date and how it ended. It is what makes a day
 * trade once, whoever starts it and with whatever id-reuse policy: a completed or stopped day never trades again,
 * a day whose run died may be resumed by a new run of the same workflow id (from the broker's records).
 */

/** How a claimed day stands. `untraded` days (halted, market closed) placed no order and may run again. */
export type DayRunStatus = 'trading' | 'completed' | 'stopped' | 'untraded' | 'failed';

export interface DayRecord {
  tradingDate: string;
  workflowId: string;
  runId: string;
  /** 1 for the first run that traded the date; a resumed run gets the next, and its own client order ids. */
  generation: number;
  status: DayRunStatus;
  claimedAt: string;
  finishedAt: string | null;
}

export interface DayClaim {
  tradingDate: string;
  workflowId: string;
  runId: string;
}

export type ClaimAnswer =
  | { granted: true; generation: number; resumedFrom: DayRecord | null }
  | { granted: false; refusal: 'duplicate'; firstRun: DayRecord }
  | { granted: false; refusal: 'halted' };

/** Days that can never trade again. */
const FINAL: ReadonlySet<DayRunStatus> = new Set(['completed', 'stopped']);

/** How many days the ledger keeps; older ones are long past their session and cannot trade anyway. */
export const LEDGER_DAYS_KEPT = 400;

export class DayLedger {
  private readonly days = new Map<string, DayRecord>();

  constructor(records: DayRecord[] = []) {
    for (const record of records) this.days.set(record.tradingDate, { ...record });
  }

  /** Grants the date to this run, or says why not. Repeating a granted claim answers the same. */
  claim(request: DayClaim, halted: boolean, now: string): ClaimAnswer {
    const held = this.days.get(request.tradingDate);
    if (held && held.runId === request.runId) return { granted: true, generation: held.generation, resumedFrom: null };
    if (held && FINAL.has(held.status)) return { granted: false, refusal: 'duplicate', firstRun: { ...held } };
    if (halted) return { granted: false, refusal: 'halted' };
    const resumes = held && held.status !== 'untraded' ? { ...held } : null;
    const generation = held ? (resumes ? held.generation + 1 : held.generation) : 1;
    this.days.set(request.tradingDate, {
      ...request, generation, status: 'trading', claimedAt: now, finishedAt: null,
    });
    return { granted: true, generation, resumedFrom: resumes };
  }

  /** Records how a run ended; a run that no longer holds its date changes nothing. */
  finish(tradingDate: string, runId: string, status: Exclude<DayRunStatus, 'trading'>, now: string): DayRecord | null {
    const held = this.days.get(tradingDate);
    if (!held || held.runId !== runId) return null;
    // A stopped day stays stopped whatever its run reports afterwards.
    if (held.status === 'stopped' && status !== 'stopped') return { ...held };
    held.status = status;
    held.finishedAt ??= now;
    if (status === 'stopped') held.finishedAt = held.finishedAt ?? now;
    return { ...held };
  }

  /** Runs that may still send orders. */
  trading(): DayRecord[] {
    return [...this.days.values()].filter((record) => record.status === 'trading').map((record) => ({ ...record }));
  }

  get(tradingDate: string): DayRecord | null {
    const held = this.days.get(tradingDate);
    return held ? { ...held } : null;
  }

  /** The newest days, oldest first, for continue-as-new. */
  records(limit = LEDGER_DAYS_KEPT): DayRecord[] {
    return [...this.days.values()]
      .sort((a, b) => a.tradingDate.localeCompare(b.tradingDate))
      .slice(-limit)
      .map((record) => ({ ...record }));
  }
}
