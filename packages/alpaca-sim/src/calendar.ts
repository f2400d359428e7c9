/**
 * New York market time: ET wall-clock conversions, the NYSE calendar (holidays and 13:00 early closes computed
 * by rule for any year), the regular session and the two clock modes of the simulator. Pure functions of an
 * epoch-millisecond instant or a `YYYY-MM-DD` date.
 */

export type MarketMode = 'always-open' | 'real';

const ZONE = 'America/New_York';
const DAY_MS = 86_400_000;

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

/** Per year: the UTC instants US daylight saving time starts and ends (the 2007 rule). */
const dstBounds = new Map<number, [number, number]>();

function dstOf(year: number): [number, number] {
  let b = dstBounds.get(year);
  if (!b) {
    // Second Sunday of March at 02:00 EST (07:00 UTC); first Sunday of November at 02:00 EDT (06:00 UTC).
    const march1 = new Date(Date.UTC(year, 2, 1)).getUTCDay();
    const nov1 = new Date(Date.UTC(year, 10, 1)).getUTCDay();
    const start = Date.UTC(year, 2, 1 + ((7 - march1) % 7) + 7, 7);
    const end = Date.UTC(year, 10, 1 + ((7 - nov1) % 7), 6);
    b = [start, end];
    dstBounds.set(year, b);
  }
  return b;
}

/** New York wall-clock fields, by arithmetic from 2007 on (the current DST rule), by Intl before. */
export function etParts(ms: number): EtParts {
  const year = new Date(ms - 5 * 3_600_000).getUTCFullYear();
  if (year < 2007 || year > 9999) return etPartsIntl(ms);
  const [start, end] = dstOf(year);
  const offsetMinutes = ms >= start && ms < end ? -240 : -300;
  const w = new Date(ms + offsetMinutes * 60_000);
  const y = w.getUTCFullYear();
  const month = w.getUTCMonth() + 1;
  const day = w.getUTCDate();
  return {
    year: y, month, day, hour: w.getUTCHours(), minute: w.getUTCMinutes(), second: w.getUTCSeconds(), offsetMinutes,
    date: dateKey(y, month, day),
  };
}

function etPartsIntl(ms: number): EtParts {
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

/** Day of the week of a `YYYY-MM-DD` date, 0 = Sunday. */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Easter Sunday of a Gregorian year (the anonymous Gregorian computus). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dateKey(year, month, day);
}

/** The nth (1-based) given weekday of a month; n = -1 is the last. */
function nthWeekday(year: number, month: number, dow: number, n: number): string {
  if (n > 0) {
    const first = dateKey(year, month, 1);
    return addDays(first, ((dow - weekday(first) + 7) % 7) + 7 * (n - 1));
  }
  const last = addDays(dateKey(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1), -1);
  return addDays(last, -((weekday(last) - dow + 7) % 7));
}

/** A fixed-date holiday moved off the weekend: Saturday to Friday, Sunday to Monday. */
function observed(date: string): string {
  const w = weekday(date);
  return w === 6 ? addDays(date, -1) : w === 0 ? addDays(date, 1) : date;
}

/**
 * Closures that no rule predicts (national days of mourning, weather). Kept short on purpose: the rules cover
 * every regular holiday of any year.
 */
const SPECIAL_CLOSURES: ReadonlyMap<string, string> = new Map([
  ['2001-09-11', 'September 11 attacks'], ['2001-09-12', 'September 11 attacks'], ['2001-09-13', 'September 11 attacks'],
  ['2001-09-14', 'September 11 attacks'], ['2004-06-11', 'Day of mourning for President Reagan'],
  ['2007-01-02', 'Day of mourning for President Ford'], ['2012-10-29', 'Hurricane Sandy'], ['2012-10-30', 'Hurricane Sandy'],
  ['2018-12-05', 'Day of mourning for President G. H. W. Bush'], ['2025-01-09', 'Day of mourning for President Carter'],
]);

interface YearCalendar {
  holidays: Map<string, string>;
  earlyCloses: Map<string, string>;
}

const years = new Map<number, YearCalendar>();

/**
 * The NYSE's full-day holidays and 13:00 early closes of one year, by rule. New Year's Day on a Saturday is not
 * observed on the Friday before (the Friday ends the year); every other fixed-date holiday moves to Friday from
 * a Saturday and to Monday from a Sunday. Juneteenth is a holiday from 2022.
 */
export function nyseYear(year: number): YearCalendar {
  let cal = years.get(year);
  if (cal) return cal;
  const holidays = new Map<string, string>();
  const add = (date: string, name: string) => {
    if (date.startsWith(String(year).padStart(4, '0')) && weekday(date) !== 0 && weekday(date) !== 6) holidays.set(date, name);
  };
  const newYear = dateKey(year, 1, 1);
  if (weekday(newYear) !== 6) add(observed(newYear), "New Year's Day");
  if (year >= 1998) add(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  add(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  add(addDays(easterSunday(year), -2), 'Good Friday');
  add(nthWeekday(year, 5, 1, -1), 'Memorial Day');
  if (year >= 2022) add(observed(dateKey(year, 6, 19)), 'Juneteenth National Independence Day');
  add(observed(dateKey(year, 7, 4)), 'Independence Day');
  add(nthWeekday(year, 9, 1, 1), 'Labor Day');
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  add(thanksgiving, 'Thanksgiving Day');
  add(observed(dateKey(year, 12, 25)), 'Christmas Day');
  for (const [date, name] of SPECIAL_CLOSURES) if (date.startsWith(`${year}-`)) holidays.set(date, name);

  const earlyCloses = new Map<string, string>();
  const early = (date: string, name: string) => {
    const w = weekday(date);
    if (w !== 0 && w !== 6 && !holidays.has(date)) earlyCloses.set(date, name);
  };
  // July 3 closes early when it is Monday to Thursday (July 4 then falls Tuesday to Friday).
  const july3 = dateKey(year, 7, 3);
  if (weekday(july3) >= 1 && weekday(july3) <= 4) early(july3, 'Independence Day eve');
  early(addDays(thanksgiving, 1), 'Day after Thanksgiving');
  const christmasEve = dateKey(year, 12, 24);
  if (weekday(christmasEve) >= 1 && weekday(christmasEve) <= 4) early(christmasEve, 'Christmas Eve');
  cal = { holidays, earlyCloses };
  years.set(year, cal);
  return cal;
}

/** The holiday's name when the NYSE is closed all day on a weekday, else undefined. */
export function holidayName(date: string): string | undefined {
  return nyseYear(Number(date.slice(0, 4))).holidays.get(date);
}

/** Whether the regular session ends at 13:00 ET that day. */
export function isEarlyClose(date: string): boolean {
  return nyseYear(Number(date.slice(0, 4))).earlyCloses.has(date);
}

/** Weekday and not an NYSE holiday. */
export function isTradingDay(date: string): boolean {
  const w = weekday(date);
  return w !== 0 && w !== 6 && holidayName(date) === undefined;
}

/** One trading session: its ET date and its [open, close) instants. */
export interface Session {
  date: string;
  open: number;
  close: number;
}

/** The session (09:30–16:00 ET, 13:00 on early-close days) on a date, or null when the exchange is closed. */
export function regularSession(date: string): Session | null {
  let session = sessions.get(date);
  if (session === undefined) {
    session = isTradingDay(date)
      ? { date, open: etInstant(date, 9, 30), close: etInstant(date, isEarlyClose(date) ? 13 : 16, 0) }
      : null;
    if (sessions.size > 50_000) sessions.clear();
    sessions.set(date, session);
  }
  return session === null ? null : { ...session };
}

const sessions = new Map<string, Session | null>();

/** The trading day after a date (T+1 settlement). */
export function nextTradingDate(date: string): string {
  let d = addDays(date, 1);
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

/** One `/v2/calendar` entry: local ET times as Alpaca writes them. */
export interface CalendarDay {
  date: string;
  open: string;
  close: string;
  session_open: string;
  session_close: string;
  settlement_date: string;
}

/** The trading days of [start, end] (inclusive `YYYY-MM-DD` dates) in Alpaca's `/v2/calendar` shape. */
export function calendarDays(start: string, end: string): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) {
    if (!isTradingDay(d)) continue;
    const early = isEarlyClose(d);
    days.push({
      date: d, open: '09:30', close: early ? '13:00' : '16:00', session_open: '0400',
      session_close: early ? '1700' : '2000', settlement_date: nextTradingDate(d),
    });
  }
  return days;
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
