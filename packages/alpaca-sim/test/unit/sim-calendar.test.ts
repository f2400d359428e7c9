/** The NYSE calendar by rule: holidays, weekend observance, early closes, Easter, DST, and the clock modes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  calendarDays, easterSunday, etInstant, etParts, formatEt, holidayName, isEarlyClose, isTradingDay, marketClock,
  nyseYear, regularSession,
} from '../../src/calendar';
import { phaseAt } from '../../src/clock-routes';

/** NYSE's published full-day closures (nyse.com holidays page and its archives). */
const PUBLISHED: Record<number, string[]> = {
  2019: ['2019-01-01', '2019-01-21', '2019-02-18', '2019-04-19', '2019-05-27', '2019-07-04', '2019-09-02', '2019-11-28', '2019-12-25'],
  2021: ['2021-01-01', '2021-01-18', '2021-02-15', '2021-04-02', '2021-05-31', '2021-07-05', '2021-09-06', '2021-11-25', '2021-12-24'],
  2022: ['2022-01-17', '2022-02-21', '2022-04-15', '2022-05-30', '2022-06-20', '2022-07-04', '2022-09-05', '2022-11-24', '2022-12-26'],
  2023: ['2023-01-02', '2023-01-16', '2023-02-20', '2023-04-07', '2023-05-29', '2023-06-19', '2023-07-04', '2023-09-04', '2023-11-23', '2023-12-25'],
  2024: ['2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25'],
  2025: ['2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25'],
  2026: ['2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25'],
  2027: ['2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24'],
};

const EARLY: Record<number, string[]> = {
  2019: ['2019-07-03', '2019-11-29', '2019-12-24'],
  2021: ['2021-11-26'],
  2022: ['2022-11-25'],
  2023: ['2023-07-03', '2023-11-24'],
  2024: ['2024-07-03', '2024-11-29', '2024-12-24'],
  2025: ['2025-07-03', '2025-11-28', '2025-12-24'],
  2026: ['2026-11-27', '2026-12-24'],
  2027: ['2027-11-26'],
};

describe('NYSE calendar by rule', () => {
  for (const [year, dates] of Object.entries(PUBLISHED)) {
    test(`${year}: holidays match the published list`, () => {
      assert.deepEqual([...nyseYear(Number(year)).holidays.keys()].sort(), [...dates].sort());
    });
  }
  for (const [year, dates] of Object.entries(EARLY)) {
    test(`${year}: 13:00 early closes`, () => {
      assert.deepEqual([...nyseYear(Number(year)).earlyCloses.keys()].sort(), dates);
    });
  }

  test('Easter by the computus', () => {
    const known = { 2000: '2000-04-23', 2008: '2008-03-23', 2011: '2011-04-24', 2019: '2019-04-21', 2024: '2024-03-31',
      2025: '2025-04-20', 2038: '2038-04-25', 2285: '2285-03-22' };
    for (const [y, d] of Object.entries(known)) assert.equal(easterSunday(Number(y)), d);
  });

  test('weekend observance: a Saturday New Year is not moved to the Friday before', () => {
    assert.equal(isTradingDay('2021-12-31'), true);
    assert.equal(holidayName('2022-12-26'), 'Christmas Day');
    assert.equal(isTradingDay('2032-12-31'), true, 'New Year 2033 is a Saturday: no holiday at all');
    assert.equal(holidayName('2023-01-02'), "New Year's Day", 'a Sunday New Year moves to Monday');
    assert.equal(holidayName('2021-06-18'), undefined, 'Juneteenth starts in 2022');
    assert.equal(isTradingDay('2026-11-28'), false, 'Saturday');
  });

  test('early-close sessions end at 13:00 ET and the calendar says so', () => {
    const s = regularSession('2025-11-28');
    assert.ok(s);
    assert.equal(formatEt(s.close), '2025-11-28T13:00:00-05:00');
    assert.equal(isEarlyClose('2025-11-28'), true);
    const days = calendarDays('2025-12-22', '2025-12-29');
    assert.deepEqual(days.map((d) => [d.date, d.close]), [
      ['2025-12-22', '16:00'], ['2025-12-23', '16:00'], ['2025-12-24', '13:00'], ['2025-12-26', '16:00'], ['2025-12-29', '16:00'],
    ]);
    assert.equal(days[2]?.settlement_date, '2025-12-26');
    assert.equal(days[2]?.session_close, '1700');
  });

  test('ET conversion across daylight saving changes', () => {
    assert.equal(formatEt(etInstant('2025-03-10', 9, 30)), '2025-03-10T09:30:00-04:00');
    assert.equal(formatEt(etInstant('2025-03-07', 9, 30)), '2025-03-07T09:30:00-05:00');
    assert.equal(etParts(Date.parse('2025-11-02T05:59:59Z')).offsetMinutes, -240);
    assert.equal(etParts(Date.parse('2025-11-02T06:00:00Z')).offsetMinutes, -300);
    assert.equal(etParts(Date.parse('2005-07-01T12:00:00Z')).hour, 8, 'before 2007 the Intl path answers');
  });

  test('the real clock: closed over a holiday weekend, open in session, next close early on the day after Thanksgiving', () => {
    const thanksgiving = marketClock('real', Date.parse('2025-11-27T15:00:00Z'));
    assert.equal(thanksgiving.isOpen, false);
    assert.equal(formatEt(thanksgiving.nextOpen), '2025-11-28T09:30:00-05:00');
    assert.equal(formatEt(thanksgiving.nextClose), '2025-11-28T13:00:00-05:00');
    const friday = marketClock('real', Date.parse('2025-11-28T17:59:00Z'));
    assert.equal(friday.isOpen, true);
    const after = marketClock('real', Date.parse('2025-11-28T18:00:00Z'));
    assert.equal(after.isOpen, false);
    assert.equal(formatEt(after.nextOpen), '2025-12-01T09:30:00-05:00');
    assert.equal(marketClock('always-open', Date.parse('2025-11-27T15:00:00Z')).isOpen, true);
  });

  test('v3 phases', () => {
    assert.equal(phaseAt('real', Date.parse('2025-06-24T12:00:00Z')).phase, 'pre');
    assert.equal(phaseAt('real', Date.parse('2025-06-24T14:00:00Z')).phase, 'core');
    assert.equal(phaseAt('real', Date.parse('2025-06-24T21:00:00Z')).phase, 'post');
    const night = phaseAt('real', Date.parse('2025-06-25T02:00:00Z'));
    assert.equal(night.phase, 'closed');
    assert.equal(formatEt(night.until), '2025-06-25T04:00:00-04:00');
    assert.equal(phaseAt('real', Date.parse('2025-06-21T15:00:00Z')).isMarketDay, false);
  });
});
