/**
 * alpaca-sim: an Alpaca-compatible paper broker (Trading API v2, Market Data v2 stocks, the `trade_updates`
 * stream) for tests and demos. The public API: everything a client of the package may import is exported here,
 * and nothing else is part of it.
 */
import {
  addDays, calendarDays, daysBetween, etInstant, etParts, formatEt, holidayName, isEarlyClose, isTradingDay,
  marketClock, nextTradingDate, regularSession,
} from './calendar';

export { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator';
export { simOptionsFromFlags, collect, type SimCliFlags } from './cli-options';
export { serveUntilSignal } from './serve';
export { SimFlagError } from './flag-error';
export { FAULT_KINDS, parseFaultSpec, type FaultKind, type FaultRule } from './faults';
export { createRng } from './random';
export type { AccountStats, SimStats } from './request-stats';
export type { CalendarDay, EtParts, MarketClockState, MarketMode, Session } from './calendar';

/**
 * The simulator's New York market calendar, for clients that schedule against it: ET wall-clock conversions,
 * NYSE holidays and early closes by rule for any year, regular sessions and the clock of both market modes.
 */
export const calendar = {
  addDays, calendarDays, daysBetween, etInstant, etParts, formatEt, holidayName, isEarlyClose, isTradingDay,
  marketClock, nextTradingDate, regularSession,
} as const;
