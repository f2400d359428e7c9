/**
 * Measuring helpers of bench/execution.ts: a process's CPU time and peak RSS from /proc, the size of a workflow
 * history and of its largest payload, medians, and aligned text tables.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (`getconf CLK_TCK`, 100 when it cannot be asked). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds a process has used so far (utime + stime of /proc/<pid>/stat); null when unreadable. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count the fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / ticksPerSecond() : null;
  } catch {
    return null;
  }
}

/** The peak resident set size of a process in MB (VmHWM of /proc/<pid>/status); null when unreadable. */
export function peakRssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Resets a process's peak RSS to its current RSS (`5` into /proc/<pid>/clear_refs, Linux 4.0+), so VmHWM then
 * holds the peak of what follows. False when the kernel or the permissions refuse: the peak is then the process's
 * peak since it started.
 */
export function resetPeakRss(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** What a workflow's history weighs. */
export interface HistoryFigures {
  events: number;
  /** The history encoded as the server stores and sends it (protobuf); JSON length when it cannot be encoded. */
  bytes: number;
  /** The largest single payload's data, in bytes, and the event type that carried it. */
  largestPayload: number;
  largestPayloadEvent: string | null;
  /** Payloads above 256 KiB (Temporal's advice for one payload): event, with the activity's name, and bytes. */
  oversized: Array<{ event: string; bytes: number }>;
  /** False when `bytes` is the JSON length. */
  encoded: boolean;
}

/** Temporal's advice for one payload: above it, a payload slows the server and the SDK warns at twice that. */
const OVERSIZED_PAYLOAD = 256 * 1024;

/** Events, encoded size and the largest payload (by its `data` length) of a fetched history. */
export function historyFigures(history: temporal.api.history.v1.IHistory): HistoryFigures {
  const events = history.events ?? [];
  let bytes: number;
  let encoded = true;
  try {
    bytes = temporal.api.history.v1.History.encode(history).finish().length;
  } catch {
    bytes = JSON.stringify(history).length;
    encoded = false;
  }
  let largestPayload = 0;
  let largestPayloadEvent: string | null = null;
  const oversized: Array<{ event: string; bytes: number }> = [];
  const activityTypes = new Map<string, string>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name) activityTypes.set(String(event.eventId), scheduled.activityType.name);
    const size = largestPayloadIn(event, 0);
    const type = event.eventType;
    const name = typeof type === 'number' ? eventTypeName(type) : type ? String(type) : 'unknown';
    const completedOf = event.activityTaskCompletedEventAttributes?.scheduledEventId;
    const activity = activityTypes.get(String(completedOf ?? event.eventId));
    if (size > largestPayload) {
      largestPayload = size;
      largestPayloadEvent = activity ? `${name} ${activity}` : name;
    }
    if (size > OVERSIZED_PAYLOAD) oversized.push({ event: activity ? `${name} ${activity}` : name, bytes: size });
  }
  return { events: events.length, bytes, largestPayload, largestPayloadEvent, oversized, encoded };
}

/** `EVENT_TYPE_ACTIVITY_TASK_COMPLETED` as `ActivityTaskCompleted`. */
function eventTypeName(type: number): string {
  const name = temporal.api.enums.v1.EventType[type] ?? String(type);
  return name.replace(/^EVENT_TYPE_/, '').toLowerCase().replace(/(^|_)([a-z])/g, (_m, _sep: string, letter: string) => letter.toUpperCase());
}

/** The largest `data` of a Payload (an object with `metadata` and a byte array `data`) anywhere inside `value`. */
function largestPayloadIn(value: unknown, depth: number): number {
  if (value === null || typeof value !== 'object' || depth > 40 || ArrayBuffer.isView(value)) return 0;
  if (Array.isArray(value)) return value.reduce((max: number, item) => Math.max(max, largestPayloadIn(item, depth + 1)), 0);
  const record = value as Record<string, unknown>;
  let max = 0;
  if ('metadata' in record && record.data instanceof Uint8Array) max = record.data.length;
  for (const item of Object.values(record)) max = Math.max(max, largestPayloadIn(item, depth + 1));
  return max;
}

/** The median of the numbers among `values`; null when there are none. */
export function median(values: ReadonlyArray<number | null | undefined>): number | null {
  const numbers = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a - b);
  if (numbers.length === 0) return null;
  const middle = Math.floor(numbers.length / 2);
  return numbers.length % 2 === 1 ? numbers[middle]! : (numbers[middle - 1]! + numbers[middle]!) / 2;
}

/** Lines of a table: the first column left-aligned, the others right-aligned, columns two spaces apart. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells
    .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
    .join('  ')
    .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** Seconds: 3 decimals below 10 s, 1 above 100 s, else 2. */
export function seconds(value: number | null): string {
  if (value === null) return 'n/a';
  return value.toFixed(value < 10 ? 3 : value < 100 ? 2 : 1);
}

/** A count or a per-order figure: up to 2 decimals, none for whole numbers. */
export function count(value: number | null): string {
  if (value === null) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}

/** Bytes in B, kB or MB (powers of 1000). */
export function bytes(value: number | null): string {
  if (value === null) return 'n/a';
  if (value < 1000) return `${Math.round(value)} B`;
  if (value < 1e6) return `${(value / 1000).toFixed(1)} kB`;
  return `${(value / 1e6).toFixed(2)} MB`;
}

/** `b / a` as `2.41x`; empty when either is missing or `a` is 0. */
export function ratio(b: number | null, a: number | null): string {
  if (a === null || b === null || a === 0) return '';
  return `${(b / a).toFixed(2)}x`;
}
