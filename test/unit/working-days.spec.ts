import { bundledCalendar, loadBundledCalendarData } from '../../src/calendar/bundled-calendar.js';
import {
  addDays,
  businessDate,
  computeDue,
  endOfBusinessDay,
  isIsoDate,
  shiftCalendar,
  weekday,
  WorkingDayCalendar,
} from '../../src/calendar/working-days.js';
import type { DueRule } from '../../src/processes/ir.js';
import { ZONES, inHostZone } from '../support/time-zones.js';

/*
 * Expected values are worked out by hand from the 2026 calendar (1 Jan 2026 is a Thursday) and the
 * chinese-days data:
 *   Spring Festival: holidays 02-15 (Sun) … 02-23 (Mon); make-up workdays 02-14 (Sat), 02-28 (Sat).
 *   Mid-autumn 09-25 (Fri) … 09-27, National Day 10-01 (Thu) … 10-07 (Wed);
 *   make-up workdays 09-20 (Sun), 10-10 (Sat).
 *   2027 is not in the data: 2027-01-01 is a Friday and counts as a working day, provisionally.
 * Business zone: Shanghai, UTC+08:00, so 18:00 local = 10:00Z.
 */

describe(WorkingDayCalendar.name, () => {
  describe.each(ZONES)('with TZ=%s', (tz, januaryOffset) => {
    inHostZone(tz);

    const cal = bundledCalendar();

    it('runs in the host zone when TZ is set', () => {
      expect(new Date('2026-01-15T00:00:00Z').getTimezoneOffset()).toBe(januaryOffset);
    });

    describe('date helpers', () => {
      it('accepts only real YYYY-MM-DD dates when validating', () => {
        expect(isIsoDate('2026-10-09')).toBe(true);
        expect(isIsoDate('2024-02-29')).toBe(true);
        expect(isIsoDate('2026-02-29')).toBe(false);
        expect(isIsoDate('2026-13-01')).toBe(false);
        expect(isIsoDate('2026-10-9')).toBe(false);
        expect(isIsoDate('2026-10-09T00:00:00Z')).toBe(false);
        expect(isIsoDate(20261009)).toBe(false);
      });

      it('rolls over months, leap days and years when adding days', () => {
        expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
        expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
        expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
        expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
        expect(addDays('2026-10-01', 0)).toBe('2026-10-01');
      });

      it('gives the UTC weekday when asked for a date', () => {
        expect(weekday('2026-10-01')).toBe(4); // Thursday
        expect(weekday('2026-02-14')).toBe(6); // Saturday
        expect(weekday('2026-09-20')).toBe(0); // Sunday
      });

      it('throws when a date is malformed', () => {
        expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
        expect(() => cal.isWorkingDay('10/09/2026')).toThrow(RangeError);
      });
    });

    describe('bundled data', () => {
      it('keeps the Chinese names and the covered years when loading chinese-days', () => {
        const data = loadBundledCalendarData();
        expect([data.years[0], data.years.at(-1), data.years.length]).toEqual([2004, 2026, 23]);
        expect(data.holidays['2026-02-17']).toBe('春节');
        expect(data.holidays['2026-10-01']).toBe('国庆节');
        expect(data.workdays['2026-10-10']).toBe('国庆节');
        expect(data.workdays['2026-02-14']).toBe('春节');
      });

      it('returns the same instance when called twice', () => {
        expect(bundledCalendar()).toBe(cal);
      });
    });

    describe('isWorkingDay', () => {
      it('follows the 2026 Spring Festival when asked about February', () => {
        expect(cal.isWorkingDay('2026-02-13')).toBe(true); // Fri
        expect(cal.isWorkingDay('2026-02-14')).toBe(true); // Sat, make-up workday
        expect(cal.isWorkingDay('2026-02-15')).toBe(false); // Sun, holiday
        expect(cal.isWorkingDay('2026-02-16')).toBe(false); // Mon, holiday
        expect(cal.isWorkingDay('2026-02-21')).toBe(false); // Sat, holiday
        expect(cal.isWorkingDay('2026-02-23')).toBe(false); // Mon, holiday
        expect(cal.isWorkingDay('2026-02-24')).toBe(true); // Tue
        expect(cal.isWorkingDay('2026-02-28')).toBe(true); // Sat, make-up workday
        expect(cal.isWorkingDay('2026-03-01')).toBe(false); // ordinary Sun
      });

      it('follows National Day 2026 when asked about late September and October', () => {
        expect(cal.isWorkingDay('2026-09-20')).toBe(true); // Sun, make-up workday
        expect(cal.isWorkingDay('2026-09-25')).toBe(false); // Fri, Mid-autumn
        expect(cal.isWorkingDay('2026-10-01')).toBe(false); // Thu
        expect(cal.isWorkingDay('2026-10-07')).toBe(false); // Wed
        expect(cal.isWorkingDay('2026-10-08')).toBe(true); // Thu
        expect(cal.isWorkingDay('2026-10-10')).toBe(true); // Sat, make-up workday
        expect(cal.isWorkingDay('2026-10-11')).toBe(false); // ordinary Sun
      });

      it('counts weekdays only when the year is not covered', () => {
        expect(cal.isWorkingDay('2027-01-01')).toBe(true); // Fri; New Year in reality, unknown to the data
        expect(cal.isWorkingDay('2027-01-02')).toBe(false); // Sat
      });
    });

    describe('covers', () => {
      it('is true only inside 2004–2026 when given a date', () => {
        expect(cal.covers('2004-01-01')).toBe(true);
        expect(cal.covers('2026-12-31')).toBe(true);
        expect(cal.covers('2003-12-31')).toBe(false);
        expect(cal.covers('2027-01-01')).toBe(false);
      });
    });

    describe('addWorkingDays', () => {
      it('lands on a make-up Saturday when it is the next working day', () => {
        expect(cal.addWorkingDays('2026-02-13', 1)).toEqual({ date: '2026-02-14', provisional: false });
      });

      it('skips the Spring Festival when adding across it', () => {
        expect(cal.addWorkingDays('2026-02-13', 2)).toEqual({ date: '2026-02-24', provisional: false });
        expect(cal.addWorkingDays('2026-02-12', 3)).toEqual({ date: '2026-02-24', provisional: false });
      });

      it('skips National Day when adding across it', () => {
        expect(cal.addWorkingDays('2026-09-30', 1)).toEqual({ date: '2026-10-08', provisional: false });
        expect(cal.addWorkingDays('2026-09-30', 3)).toEqual({ date: '2026-10-10', provisional: false });
      });

      it('skips National Day when subtracting across it', () => {
        // Conference Fri 10-09: 10-08 (1), 10-01…10-07 off, 09-30 (2), 09-29 (3).
        expect(cal.addWorkingDays('2026-10-09', -3)).toEqual({ date: '2026-09-29', provisional: false });
        // Conference Mon 10-12: 10-10 make-up Sat (1), 10-09 (2), 10-08 (3).
        expect(cal.addWorkingDays('2026-10-12', -3)).toEqual({ date: '2026-10-08', provisional: false });
        expect(cal.addWorkingDays('2026-02-24', -2)).toEqual({ date: '2026-02-13', provisional: false });
      });

      it('counts strictly after the start when the start is not a working day', () => {
        expect(cal.addWorkingDays('2026-10-03', 1).date).toBe('2026-10-08'); // holiday Sat
        expect(cal.addWorkingDays('2026-02-15', 1).date).toBe('2026-02-24'); // holiday Sun
        expect(cal.addWorkingDays('2026-03-01', 1).date).toBe('2026-03-02'); // ordinary Sun
      });

      it('never counts the start when the start is a working day', () => {
        expect(cal.addWorkingDays('2026-10-10', 1).date).toBe('2026-10-12');
        expect(cal.addWorkingDays('2026-10-12', -1).date).toBe('2026-10-10');
      });

      it('returns the start itself when n is 0', () => {
        expect(cal.addWorkingDays('2026-10-03', 0)).toEqual({ date: '2026-10-03', provisional: false });
      });

      it('stays final when it ends on the last covered day', () => {
        // Mon 12-28: 29, 30, 31.
        expect(cal.addWorkingDays('2026-12-28', 3)).toEqual({ date: '2026-12-31', provisional: false });
      });

      it('is provisional when it runs into 2027', () => {
        // 12-31 (1), 2027-01-01 judged a plain Friday (2), Mon 01-04 (3).
        expect(cal.addWorkingDays('2026-12-30', 3)).toEqual({ date: '2027-01-04', provisional: true });
        expect(cal.addWorkingDays('2027-01-04', -3)).toEqual({ date: '2026-12-30', provisional: true });
      });

      it('throws when n is not an integer', () => {
        expect(() => cal.addWorkingDays('2026-10-09', 1.5)).toThrow(RangeError);
      });
    });

    describe('nextWorkingDay', () => {
      it('returns the day itself when it is a working day', () => {
        expect(cal.nextWorkingDay('2026-02-14')).toEqual({ date: '2026-02-14', provisional: false });
      });

      it('skips to after the holiday when the day is off', () => {
        expect(cal.nextWorkingDay('2026-10-01')).toEqual({ date: '2026-10-08', provisional: false });
      });

      it('is provisional when the day is in 2027', () => {
        expect(cal.nextWorkingDay('2027-01-02')).toEqual({ date: '2027-01-04', provisional: true });
      });
    });

    describe('previousWorkingDay', () => {
      it('returns the day itself when it is a working day', () => {
        expect(cal.previousWorkingDay('2026-02-28')).toEqual({ date: '2026-02-28', provisional: false }); // make-up Sat
      });

      it('moves back before the holiday when the day is off', () => {
        // National Day 10-01…10-07; Wed 09-30 is a working day.
        expect(cal.previousWorkingDay('2026-10-07')).toEqual({ date: '2026-09-30', provisional: false });
        // Spring Festival 02-15…02-23; Sat 02-14 is a make-up workday.
        expect(cal.previousWorkingDay('2026-02-23')).toEqual({ date: '2026-02-14', provisional: false });
        // New Year 01-01…01-03 (Sat); Wed 2025-12-31 is a working day.
        expect(cal.previousWorkingDay('2026-01-03')).toEqual({ date: '2025-12-31', provisional: false });
      });

      it('is provisional when the day is in 2027', () => {
        // Sun 2027-01-03, Sat 01-02, then 01-01 judged a plain Friday.
        expect(cal.previousWorkingDay('2027-01-03')).toEqual({ date: '2027-01-01', provisional: true });
      });
    });

    describe('countWorkingDays', () => {
      it('counts the half-open range (from, to] when from is before to', () => {
        // 10-08, 10-09, 10-10 (make-up), 10-12.
        expect(cal.countWorkingDays('2026-09-30', '2026-10-12')).toEqual({ count: 4, provisional: false });
        // 02-14 (make-up), 02-24…02-27, 02-28 (make-up).
        expect(cal.countWorkingDays('2026-02-13', '2026-02-28')).toEqual({ count: 6, provisional: false });
        expect(cal.countWorkingDays('2026-10-01', '2026-10-07')).toEqual({ count: 0, provisional: false });
      });

      it('is zero when from equals to', () => {
        expect(cal.countWorkingDays('2026-10-09', '2026-10-09')).toEqual({ count: 0, provisional: false });
      });

      it('is negative when to is before from', () => {
        expect(cal.countWorkingDays('2026-10-12', '2026-09-30')).toEqual({ count: -4, provisional: false });
      });

      it('is provisional when the range reaches 2027', () => {
        // 12-31, 2027-01-01, 2027-01-04.
        expect(cal.countWorkingDays('2026-12-30', '2027-01-04')).toEqual({ count: 3, provisional: true });
      });
    });

    describe('business time', () => {
      it('moves to the next date when it is past midnight in Shanghai', () => {
        expect(businessDate(new Date('2026-10-08T16:30:00Z'))).toBe('2026-10-09');
        expect(businessDate(new Date('2026-10-08T16:00:00Z'))).toBe('2026-10-09');
        expect(businessDate(new Date('2026-10-08T15:59:59.999Z'))).toBe('2026-10-08');
        expect(businessDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
      });

      it('uses the given offset when one is passed', () => {
        expect(businessDate(new Date('2026-10-08T16:30:00Z'), 0)).toBe('2026-10-08');
        expect(businessDate(new Date('2026-10-09T03:00:00Z'), -480)).toBe('2026-10-08');
      });

      it('is 18:00 Shanghai time when the day ends by default', () => {
        expect(endOfBusinessDay('2026-10-09').toISOString()).toBe('2026-10-09T10:00:00.000Z');
      });

      it('honours dayEnd and offset when they are given', () => {
        expect(endOfBusinessDay('2026-10-09', '17:30').toISOString()).toBe('2026-10-09T09:30:00.000Z');
        expect(endOfBusinessDay('2026-10-09', '06:00').toISOString()).toBe('2026-10-08T22:00:00.000Z');
        expect(endOfBusinessDay('2026-10-09', '18:00', 0).toISOString()).toBe('2026-10-09T18:00:00.000Z');
      });

      it('throws when dayEnd is not HH:MM', () => {
        expect(() => endOfBusinessDay('2026-10-09', '6pm')).toThrow(RangeError);
        expect(() => endOfBusinessDay('2026-10-09', '24:00')).toThrow(RangeError);
      });
    });

    describe(computeDue.name, () => {
      const reply: DueRule = { kind: 'workingDaysAfterOpen', days: 2, source: 'H1' };
      const filing: DueRule = { kind: 'workingDaysBeforeField', field: 'conferenceDate', days: 3, source: 'H3.4' };
      const firstRelease: DueRule = { kind: 'durationAfterOpen', ms: 5 * 3_600_000, source: 'H7' };

      it('counts from the Shanghai date when a reply rule opens just after midnight', () => {
        // Opened Fri 10-09 00:30 Shanghai: 10-10 make-up Sat (1), Mon 10-12 (2), 18:00 = 10:00Z.
        const due = computeDue(reply, { openedAt: new Date('2026-10-08T16:30:00Z'), request: {}, calendar: cal });
        expect(due).toEqual({
          dueAt: new Date('2026-10-12T10:00:00.000Z'),
          provisional: false,
          basis: '2 working days after 2026-10-09 (H1)',
        });
      });

      it('skips the Spring Festival when a reply rule opens before it', () => {
        // Opened Fri 02-13 15:00 Shanghai: 02-14 (1), 02-24 (2).
        const due = computeDue(reply, { openedAt: new Date('2026-02-13T07:00:00Z'), request: {}, calendar: cal });
        expect(due.dueAt.toISOString()).toBe('2026-02-24T10:00:00.000Z');
        expect(due.provisional).toBe(false);
      });

      it('takes "- 0WD" as by that day: the working day on or before it, provisional in a year without data', () => {
        const byThen: DueRule = { kind: 'workingDaysBeforeField', field: 'conferenceDate', days: 0, source: 'L2' };
        const at = (conferenceDate: string) =>
          computeDue(byThen, {
            openedAt: new Date('2026-01-02T01:00:00Z'),
            request: { conferenceDate },
            calendar: cal,
          });
        // Sunday 2026-02-01: the Friday before, 01-30.
        expect(at('2026-02-01')).toMatchObject({ dueAt: new Date('2026-01-30T10:00:00.000Z'), provisional: false });
        // Monday 2027-02-01 is judged by weekday alone.
        expect(at('2027-02-01')).toMatchObject({ dueAt: new Date('2027-02-01T10:00:00.000Z'), provisional: true });
      });

      it('falls due when the conference day begins in Shanghai for "before conferenceDate" (L3 emergencies)', () => {
        const rule: DueRule = { kind: 'startOfField', field: 'conferenceDate', source: 'before conferenceDate' };
        const due = computeDue(rule, {
          openedAt: new Date('2026-10-08T16:30:00Z'),
          request: { conferenceDate: '2026-10-12' },
          calendar: cal,
          dayEnd: '17:00',
        });
        expect(due).toEqual({
          dueAt: new Date('2026-10-11T16:00:00.000Z'),
          provisional: false,
          basis: 'before conferenceDate 2026-10-12 begins (before conferenceDate)',
        });
      });

      it('honours dayEnd when one is given', () => {
        const due = computeDue(reply, {
          openedAt: new Date('2026-10-08T16:30:00Z'),
          request: {},
          calendar: cal,
          dayEnd: '17:00',
        });
        expect(due.dueAt.toISOString()).toBe('2026-10-12T09:00:00.000Z');
      });

      it('counts back across National Day when a filing rule targets a conference after it', () => {
        const due = computeDue(filing, {
          openedAt: new Date('2026-09-01T00:00:00Z'),
          request: { conferenceDate: '2026-10-09' },
          calendar: cal,
        });
        expect(due).toEqual({
          dueAt: new Date('2026-09-29T10:00:00.000Z'),
          provisional: false,
          basis: '3 working days before conferenceDate 2026-10-09 (H3.4)',
        });
      });

      it('is provisional when a filing rule targets a conference in 2027', () => {
        // Wed 2027-01-06: 01-05 (1), 01-04 (2), 01-01 judged a plain Friday (3).
        const due = computeDue(filing, {
          openedAt: new Date('2026-12-01T00:00:00Z'),
          request: { conferenceDate: '2027-01-06' },
          calendar: cal,
        });
        expect(due.dueAt.toISOString()).toBe('2027-01-01T10:00:00.000Z');
        expect(due.provisional).toBe(true);
      });

      it('throws when the conference date is missing or malformed', () => {
        const ctx = { openedAt: new Date('2026-09-01T00:00:00Z'), calendar: cal };
        expect(() => computeDue(filing, { ...ctx, request: {} })).toThrow(/conferenceDate is missing/);
        expect(() => computeDue(filing, { ...ctx, request: { conferenceDate: '2026-10-9' } })).toThrow(
          /conferenceDate must be YYYY-MM-DD/,
        );
        expect(() => computeDue(filing, { ...ctx, request: { conferenceDate: '2026-02-30' } })).toThrow(
          /conferenceDate must be YYYY-MM-DD/,
        );
      });

      it('adds wall-clock time over a holiday when a duration rule applies', () => {
        const due = computeDue(firstRelease, {
          openedAt: new Date('2026-10-01T03:00:00Z'),
          request: {},
          calendar: cal,
        });
        expect(due).toEqual({
          dueAt: new Date('2026-10-01T08:00:00.000Z'),
          provisional: false,
          basis: 'PT5H after 2026-10-01T03:00:00.000Z (H7)',
        });
      });
    });
  });
});

// Calendar weeks and months (H8: within one month; N6: one week before), against the bundled 2026
// data: National Day 10-01..10-07 off, Saturday 02-28 a make-up workday (Spring Festival).
describe('computeDue with calendar weeks and months', () => {
  const calendar = bundledCalendar();
  const at = (date: string) => new Date(`${date}T02:00:00.000Z`); // 10:00 in Shanghai
  const due = (rule: DueRule, openedOn: string, conferenceDate?: string) =>
    computeDue(rule, { openedAt: at(openedOn), request: { conferenceDate }, calendar });

  it('ends a month on the next working day when the month ends on a holiday', () => {
    const r = due({ kind: 'calendarAfterOpen', unit: 'month', count: 1, source: 'P1M' }, '2026-09-07');
    expect(r).toMatchObject({ dueAt: new Date('2026-10-08T10:00:00.000Z'), provisional: false });
    expect(r.basis).toMatch(/moved off a day off to 2026-10-08/);
  });

  it('clamps a month to its last day, which may be a make-up workday', () => {
    const r = due({ kind: 'calendarAfterOpen', unit: 'month', count: 1, source: 'P1M' }, '2026-01-31');
    expect(r.dueAt).toEqual(new Date('2026-02-28T10:00:00.000Z'));
  });

  it('ends a week after on the same weekday, or the next working day after a holiday', () => {
    const week = { kind: 'calendarAfterOpen', unit: 'week', count: 1, source: 'P1W' } as const;
    expect(due(week, '2026-11-12').dueAt).toEqual(new Date('2026-11-19T10:00:00.000Z'));
    expect(due(week, '2026-09-24').dueAt).toEqual(new Date('2026-10-08T10:00:00.000Z'));
  });

  it('falls a week before the conference, or on the working day before when that is a day off (N6)', () => {
    const rule = { kind: 'calendarBeforeField', field: 'conferenceDate', unit: 'week', count: 1, source: 'x' } as const;
    expect(due(rule, '2026-11-02', '2026-11-27').dueAt).toEqual(new Date('2026-11-20T10:00:00.000Z'));
    expect(due(rule, '2026-09-01', '2026-10-09').dueAt).toEqual(new Date('2026-09-30T10:00:00.000Z'));
  });

  it('is provisional when the counting reaches a year without data', () => {
    const r = due({ kind: 'calendarAfterOpen', unit: 'month', count: 1, source: 'P1M' }, '2026-12-15');
    expect(r).toMatchObject({ dueAt: new Date('2027-01-15T10:00:00.000Z'), provisional: true });
  });
});

describe(shiftCalendar.name, () => {
  it.each([
    ['2026-03-31', 'month', -1, '2026-02-28'],
    ['2024-01-31', 'month', 1, '2024-02-29'],
    ['2026-12-15', 'month', 1, '2027-01-15'],
    ['2026-01-15', 'month', -1, '2025-12-15'],
    ['2026-12-29', 'week', 1, '2027-01-05'],
  ] as const)('moves %s by %s × %i to %s', (d, unit, n, expected) => {
    expect(shiftCalendar(d, unit, n)).toBe(expected);
  });
});
