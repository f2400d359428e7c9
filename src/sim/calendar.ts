/**
 * New York market time: ET wall-clock conversions, the NYSE regular session and holidays, and the two clock
 * modes of the simulator. Pure functions of an epoch-millisecond instant.
 */

export type MarketMode = 'always-open' | 'real';

const ZONE = 'America/New_York';
const DAY_MS = 86_400_000;

/** NYSE full-day closures (early closes are not modelled). */
const HOLIDAYS = new Set([
  '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02',
  '2024-11-28', '2024-12-25',
  '2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04',
  '2025-09-01', '2025-11-27', '2025-12-25',
  '2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07',
  '2026-11-26', '2026-12-25',
  '2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06',
  '2027-11-25', '2027-12-24',
]);

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** Wall-clock fields of an instant in New York, plus the UTC offset in minutes (e.g. -240 in summer). */
export interface EtParts {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  offsetMinutes: number;
  /** `YYYY-MM-DD` in New York. */
  date: string;
}

export function etParts(ms: number): EtParts {
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields.year ?? 1970;
  const month = fields.month ?? 1;
  const day = fields.day ?? 1;
  const hour = fields.hour ?? 0;
  const minute = fields.minute ?? 0;
  const second = fields.second ?? 0;
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((wallAsUtc - Math.floor(ms / 1000) * 1000) / 60_000);
  return { year, month, day, hour, minute, second, offsetMinutes, date: dateKey(year, month, day) };
}

function dateKey(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The instant of a New York wall-clock time on a `YYYY-MM-DD` date. */
export function etInstant(date: string, hour: number, minute: number): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  let guess = wall + 5 * 3_600_000;
  for (let i = 0; i < 2; i++) guess = wall - etParts(guess).offsetMinutes * 60_000;
  return guess;
}

/** `YYYY-MM-DD` plus n calendar days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d) + n * DAY_MS);
  return dateKey(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** Whole calendar days from date a to date b. */
export function daysBetween(a: string, b: string): number {
  const [ay, am, ad] = a.split('-').map(Number) as [number, number, number];
  const [by, bm, bd] = b.split('-').map(Number) as [number, number, number];
  return Math.round((Date.UTC(by, bm - 1, bd) - Date.UTC(ay, am - 1, ad)) / DAY_MS);
}

/** RFC-3339 with the New York offset, as Alpaca's clock reports it: `2025-06-24T16:00:00-04:00`. */
export function formatEt(ms: number): string {
  const p = etParts(ms);
  const sign = p.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(p.offsetMinutes);
  const frac = ms % 1000 === 0 ? '' : `.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}`;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.date}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${frac}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Weekday and not an NYSE holiday. */
export function isTradingDay(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !HOLIDAYS.has(date);
}

/** One trading session: its ET date and its [open, close) instants. */
export interface Session {
  date: string;
  open: number;
  close: number;
}

/** The session (09:30–16:00 ET) on a date, or null when the exchange is closed that day. */
export function regularSession(date: string): Session | null {
  if (!isTradingDay(date)) return null;
  return { date, open: etInstant(date, 9, 30), close: etInstant(date, 16, 0) };
}

/** The market clock both modes answer with: what `/v2/clock` shows and what gates fills. */
export interface MarketClockState {
  isOpen: boolean;
  nextOpen: number;
  nextClose: number;
}

/** The first session whose close is after `ms` (the current one when open). */
export function currentOrNextSession(ms: number): Session {
  let date = etParts(ms).date;
  for (let i = 0; i < 15; i++) {
    const session = regularSession(date);
    if (session && session.close > ms) return session;
    date = addDays(date, 1);
  }
  throw new Error(`no trading session within 15 days of ${new Date(ms).toISOString()}`);
}

/** The last session that closed at or before `ms`. */
export function previousSession(ms: number): Session {
  let date = etParts(ms).date;
  for (let i = 0; i < 15; i++) {
    const session = regularSession(date);
    if (session && session.close <= ms) return session;
    date = addDays(date, -1);
  }
  throw new Error(`no trading session within 15 days before ${new Date(ms).toISOString()}`);
}

/** The clock at an instant. `always-open` is open at every instant; next_close is the coming 16:00 ET. */
export function marketClock(mode: MarketMode, ms: number): MarketClockState {
  if (mode === 'always-open') {
    const today = etParts(ms).date;
    const todayClose = etInstant(today, 16, 0);
    const closeDate = ms < todayClose ? today : addDays(today, 1);
    return { isOpen: true, nextClose: etInstant(closeDate, 16, 0), nextOpen: etInstant(addDays(closeDate, 1), 9, 30) };
  }
  const session = currentOrNextSession(ms);
  if (ms >= session.open) {
    const following = currentOrNextSession(session.close);
    return { isOpen: true, nextOpen: following.open, nextClose: session.close };
  }
  return { isOpen: false, nextOpen: session.open, nextClose: session.close };
}
