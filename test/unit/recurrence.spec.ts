import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import {
  fireSpec,
  parseRecurrence,
  periodOf,
  type Recurrence,
  upcomingPeriodOf,
} from '../../src/calendar/recurrence.js';
import { WorkingDayCalendar } from '../../src/calendar/working-days.js';
import { ZONES, inHostZone } from '../support/time-zones.js';

/*
 * Expected values are worked out by hand from the State Council holiday notices, which the bundled
 * chinese-days data follows:
 *   2025: Spring Festival 01-28 (Tue) … 02-04, make-up workdays 01-26 (Sun), 02-08 (Sat);
 *         National Day and Mid-autumn 10-01 (Wed) … 10-08, make-up workdays 09-28 (Sun), 10-11 (Sat).
 *   2026 (1 Jan is a Thursday): New Year 01-01 … 01-03, make-up 01-04 (Sun);
 *         Spring Festival 02-15 (Sun) … 02-23, make-up 02-14 (Sat), 02-28 (Sat);
 *         Mid-autumn 09-25 (Fri) … 09-27; National Day 10-01 (Thu) … 10-07, make-up 09-20 (Sun), 10-10 (Sat).
 *   2027 is not in the data: its days are judged by weekday alone, provisionally.
 */

function parsed(text: string): Recurrence {
  const r = parseRecurrence(text);
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('recurrence', () => {
  describe.each(ZONES)('with TZ=%s', (tz, januaryOffset) => {
    inHostZone(tz);

    const cal = bundledCalendar();
    const monthEnd = parsed('last-working-day-of-month');
    const secondWeek = parsed('second-week-of-month');
    const quarterly = parsed('quarterly');
    const feb1 = parsed('yearly 02-01');

    it('runs in the host zone when TZ is set', () => {
      expect(new Date('2026-01-15T00:00:00Z').getTimezoneOffset()).toBe(januaryOffset);
    });

    describe(parseRecurrence.name, () => {
      it('accepts the four forms when the text names one', () => {
        expect(parseRecurrence('last-working-day-of-month')).toEqual({
          id: 'last-working-day-of-month',
          source: 'last-working-day-of-month',
        });
        expect(parseRecurrence('second-week-of-month')).toEqual({
          id: 'second-week-of-month',
          source: 'second-week-of-month',
        });
        expect(parseRecurrence(' quarterly\n')).toEqual({ id: 'quarterly', source: 'quarterly' });
        expect(parseRecurrence('yearly 02-01')).toEqual({ id: 'yearly', due: '02-01', source: 'yearly 02-01' });
        expect(parseRecurrence('yearly  12-31')).toEqual({ id: 'yearly', due: '12-31', source: 'yearly  12-31' });
      });

      it.each(['', 'monthly', 'Quarterly', 'quarterly 01-01', 'yearly', 'yearly 2-1', 'yearly 02/01', 'R/P1M'])(
        'names the accepted forms when given %j',
        (text) => {
          const r = parseRecurrence(text);
          expect(r).toEqual({
            error: `fabu:recurrence ${JSON.stringify(text)} is not one of 'last-working-day-of-month', 'second-week-of-month', 'quarterly' or 'yearly MM-DD' (e.g. 'yearly 02-01').`,
          });
        },
      );

      it.each(['yearly 02-30', 'yearly 13-01', 'yearly 00-10', 'yearly 02-29'])(
        'refuses a due day that is not in every year when given %j',
        (text) => {
          const r = parseRecurrence(text);
          expect(r).toHaveProperty('error');
          expect((r as { error: string }).error).toMatch(
            /does not occur every year; accepted forms are .*'yearly MM-DD'/,
          );
        },
      );
    });

    describe(fireSpec.name, () => {
      it('fires on the 1st of every month at 09:00 when the rule is monthly', () => {
        const every = { months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], dayOfMonth: 1, hour: 9, minute: 0 };
        expect(fireSpec(monthEnd)).toEqual(every);
        expect(fireSpec(secondWeek)).toEqual(every);
      });

      it('fires on the 1st of each quarter when the rule is quarterly', () => {
        expect(fireSpec(quarterly)).toEqual({ months: [1, 4, 7, 10], dayOfMonth: 1, hour: 9, minute: 0 });
      });

      it('fires on 2 January whatever the due day when the rule is yearly', () => {
        expect(fireSpec(feb1)).toEqual({ months: [1], dayOfMonth: 2, hour: 9, minute: 0 });
        expect(fireSpec(parsed('yearly 06-30'))).toEqual({ months: [1], dayOfMonth: 2, hour: 9, minute: 0 });
      });
    });

    describe('periodOf last-working-day-of-month (N2)', () => {
      it('is the Wednesday before National Day when the month is September 2026', () => {
        // 09-30 is a Wednesday, a working day; the holiday starts on Thu 10-01.
        expect(periodOf(monthEnd, '2026-09-01', cal)).toEqual({
          period: '2026-09',
          date: '2026-09-30',
          window: ['2026-09-30', '2026-09-30'],
          provisional: false,
        });
      });

      it('is the Friday when October 2026 ends on an ordinary Saturday', () => {
        // 10-31 is a Saturday; the only October make-up day is 10-10, so Fri 10-30.
        expect(periodOf(monthEnd, '2026-10-01', cal)).toMatchObject({ period: '2026-10', date: '2026-10-30' });
      });

      it('is the make-up Saturday when February 2026 ends on one', () => {
        // Sat 02-28 is a Spring Festival make-up workday (调休), the month's last working day.
        expect(periodOf(monthEnd, '2026-02-01', cal)).toEqual({
          period: '2026-02',
          date: '2026-02-28',
          window: ['2026-02-28', '2026-02-28'],
          provisional: false,
        });
      });

      it('skips back over the Spring Festival when January 2025 ends in it', () => {
        // 01-28 … 01-31 are holidays, so Mon 01-27.
        expect(periodOf(monthEnd, '2025-01-01', cal)).toMatchObject({ period: '2025-01', date: '2025-01-27' });
      });

      it('is the last weekday when the month is ordinary', () => {
        // May 2026 ends Sat 05-30, Sun 05-31 with no make-up day: Fri 05-29. June ends on Tue 06-30.
        expect(periodOf(monthEnd, '2026-05-01', cal)).toMatchObject({ period: '2026-05', date: '2026-05-29' });
        expect(periodOf(monthEnd, '2026-06-01', cal)).toMatchObject({ period: '2026-06', date: '2026-06-30' });
      });

      it('serves the month of firedOn when the run fires later than the 1st', () => {
        expect(periodOf(monthEnd, '2026-09-15', cal)).toMatchObject({ period: '2026-09', date: '2026-09-30' });
        expect(periodOf(monthEnd, '2026-09-30', cal).note).toBeUndefined();
      });

      it('is provisional when the month is in 2027', () => {
        // 2027-01-31 is a Sunday: Fri 01-29, judged by weekday alone.
        expect(periodOf(monthEnd, '2027-01-01', cal)).toEqual({
          period: '2027-01',
          date: '2027-01-29',
          window: ['2027-01-29', '2027-01-29'],
          provisional: true,
        });
      });
    });

    describe('periodOf second-week-of-month (N3)', () => {
      it('keeps the working days left when National Day takes most of the week (October 2026)', () => {
        // 10-01 is a Thursday: week 1 is 09-28 … 10-04, week 2 is Mon 10-05 … Sun 10-11. 10-05 … 10-07 are
        // National Day, 10-08 and 10-09 working days, Sat 10-10 a make-up workday, Sun 10-11 off.
        expect(periodOf(secondWeek, '2026-10-01', cal)).toEqual({
          period: '2026-10',
          date: '2026-10-08',
          window: ['2026-10-08', '2026-10-10'],
          provisional: false,
        });
      });

      it('ends on the make-up Saturday when October 2025 has one in its second week', () => {
        // 10-01 is a Wednesday: week 2 is Mon 10-06 … Sun 10-12; 10-06 … 10-08 off, Sat 10-11 a make-up workday.
        expect(periodOf(secondWeek, '2025-10-01', cal)).toMatchObject({
          date: '2025-10-09',
          window: ['2025-10-09', '2025-10-11'],
        });
      });

      it('starts the day after when the 1st is a Sunday (November 2026)', () => {
        // Sun 11-01 closes week 1 (10-26 … 11-01); week 2 is Mon 11-02 … Sun 11-08.
        expect(periodOf(secondWeek, '2026-11-01', cal)).toEqual({
          period: '2026-11',
          date: '2026-11-02',
          window: ['2026-11-02', '2026-11-06'],
          provisional: false,
        });
      });

      it('starts on the 8th when the 1st is a Monday (June 2026)', () => {
        // Week 1 is 06-01 … 06-07; the Dragon Boat holiday (06-19 … 06-21) is later.
        expect(periodOf(secondWeek, '2026-06-01', cal)).toMatchObject({ window: ['2026-06-08', '2026-06-12'] });
      });

      it('moves to the next week and says so when the second week is all holiday (February 2019)', () => {
        // 02-01 is a Friday: week 2 is Mon 02-04 … Sun 02-10, all Spring Festival (make-up days 02-02 and 02-03
        // fall in week 1). Week 3, 02-11 … 02-15, is ordinary.
        expect(periodOf(secondWeek, '2019-02-01', cal)).toEqual({
          period: '2019-02',
          date: '2019-02-11',
          window: ['2019-02-11', '2019-02-15'],
          provisional: false,
          note: 'week 2 of 2019-02 (2019-02-04 to 2019-02-10) has no working day; moved to the week of 2019-02-11',
        });
      });

      it('moves past a whole National Day week when October 2017 starts on a Sunday', () => {
        // Week 2 is Mon 10-02 … Sun 10-08, all off (National Day and Mid-autumn 10-01 … 10-08).
        const r = periodOf(secondWeek, '2017-10-01', cal);
        expect(r).toMatchObject({ date: '2017-10-09', window: ['2017-10-09', '2017-10-13'] });
        expect(r.note).toMatch(/week 2 of 2017-10 .* moved to the week of 2017-10-09/);
      });

      it('moves as many weeks as it takes when the calendar has a longer holiday', () => {
        // A calendar where 2026-10-05 … 10-18 is off: weeks 2 and 3 are empty, week 4 starts Mon 10-19.
        const holidays = Object.fromEntries(
          Array.from({ length: 14 }, (_, i) => [`2026-10-${String(5 + i).padStart(2, '0')}`, '假']),
        );
        const long = new WorkingDayCalendar({ holidays, workdays: {}, years: [2026] });
        expect(periodOf(secondWeek, '2026-10-01', long)).toMatchObject({
          window: ['2026-10-19', '2026-10-23'],
          note: 'week 2 of 2026-10 (2026-10-05 to 2026-10-11) has no working day; moved to the week of 2026-10-19',
        });
      });

      it('is provisional when the month is in 2027', () => {
        // 2027-03-01 is a Monday: week 2 is 03-08 … 03-14.
        expect(periodOf(secondWeek, '2027-03-01', cal)).toMatchObject({
          window: ['2027-03-08', '2027-03-12'],
          provisional: true,
        });
      });
    });

    describe('periodOf quarterly (L1)', () => {
      it('ends on the Wednesday before National Day when the quarter is Q3 2026', () => {
        // Wed 07-01 is a working day; Wed 09-30 is the last one before the holiday.
        expect(periodOf(quarterly, '2026-07-01', cal)).toEqual({
          period: '2026-Q3',
          date: '2026-09-30',
          window: ['2026-07-01', '2026-09-30'],
          provisional: false,
        });
      });

      it('opens after National Day when Q4 2025 fires on the holiday', () => {
        // 10-01 … 10-08 are off, so Thu 10-09; Wed 12-31 is a working day (New Year 2026 starts on 01-01).
        expect(periodOf(quarterly, '2025-10-01', cal)).toEqual({
          period: '2025-Q4',
          date: '2025-12-31',
          window: ['2025-10-09', '2025-12-31'],
          provisional: false,
        });
      });

      it('opens on the make-up Sunday when Q1 2026 fires on New Year', () => {
        // 01-01 … 01-03 are off and Sun 01-04 is a make-up workday; Tue 03-31 ends the quarter.
        expect(periodOf(quarterly, '2026-01-01', cal)).toMatchObject({
          period: '2026-Q1',
          date: '2026-03-31',
          window: ['2026-01-04', '2026-03-31'],
        });
      });

      it('ends before the holiday when the quarter ends in one (Q3 2023)', () => {
        // Sat 07-01 → Mon 07-03. Mid-autumn and National Day run 09-29 … 10-06, so Thu 09-28.
        expect(periodOf(quarterly, '2023-07-01', cal)).toMatchObject({
          period: '2023-Q3',
          date: '2023-09-28',
          window: ['2023-07-03', '2023-09-28'],
        });
      });

      it('shrinks the window to the deadline and says so when the run fires after it', () => {
        // Q3 2023's last working day is 09-28; a run on 09-29 is late.
        expect(periodOf(quarterly, '2023-09-29', cal)).toEqual({
          period: '2023-Q3',
          date: '2023-09-28',
          window: ['2023-09-28', '2023-09-28'],
          provisional: false,
          note: 'fired on 2023-09-29, after the window of 2023-Q3 ended on 2023-09-28',
        });
      });

      it('is provisional when the quarter is in 2027', () => {
        // 2027-01-01 (Fri) is judged a working day, though it will be New Year; 03-31 is a Wednesday.
        expect(periodOf(quarterly, '2027-01-01', cal)).toEqual({
          period: '2027-Q1',
          date: '2027-03-31',
          window: ['2027-01-01', '2027-03-31'],
          provisional: true,
        });
      });
    });

    describe('periodOf yearly (L2)', () => {
      it('moves back to Friday when 1 February 2026 is an ordinary Sunday', () => {
        // 02-01 Sun, 01-31 Sat, no make-up day: Fri 01-30. The window opens on the firing day, a holiday.
        expect(periodOf(feb1, '2026-01-02', cal)).toEqual({
          period: '2026',
          date: '2026-01-30',
          window: ['2026-01-02', '2026-01-30'],
          provisional: false,
        });
      });

      it('moves back before the Spring Festival when 1 February 2025 is in it', () => {
        // Sat 02-01 is a Spring Festival holiday (01-28 … 02-04): Mon 01-27.
        expect(periodOf(feb1, '2025-01-02', cal)).toMatchObject({
          period: '2025',
          date: '2025-01-27',
          window: ['2025-01-02', '2025-01-27'],
        });
      });

      it('lands on a make-up Sunday when one precedes the holiday (2022)', () => {
        // Spring Festival 2022 ran 01-31 … 02-06 with make-up days Sat 01-29 and Sun 01-30.
        expect(periodOf(feb1, '2022-01-02', cal)).toMatchObject({ date: '2022-01-30' });
      });

      it('keeps the due day when it is a working day (Thursday 1 February 2024)', () => {
        expect(periodOf(feb1, '2024-01-02', cal)).toMatchObject({ period: '2024', date: '2024-02-01' });
      });

      it('shrinks the window and says so when triggered after the due day', () => {
        expect(periodOf(feb1, '2026-03-15', cal)).toEqual({
          period: '2026',
          date: '2026-01-30',
          window: ['2026-01-30', '2026-01-30'],
          provisional: false,
          note: 'fired on 2026-03-15, after the window of 2026 ended on 2026-01-30',
        });
      });

      it('is provisional when the year is 2027', () => {
        // 2027-02-01 is a Monday, judged by weekday alone.
        expect(periodOf(feb1, '2027-01-02', cal)).toEqual({
          period: '2027',
          date: '2027-02-01',
          window: ['2027-01-02', '2027-02-01'],
          provisional: true,
        });
      });
    });

    describe('upcomingPeriodOf (an operator triggers a run late in its period)', () => {
      it("keeps the fired-on period while its date is ahead, else takes the next period's", () => {
        const secondWeek = parsed('second-week-of-month');
        // 2026-11-01 is a Sunday: week 1 is 10-26..11-01, week 2 starts Monday 11-02, still ahead.
        expect(upcomingPeriodOf(secondWeek, '2026-11-01', cal)).toMatchObject({
          period: '2026-11',
          date: '2026-11-02',
        });
        // On 11-23 November's second week is over: December's (week 1 is 11-30..12-06, week 2 starts 12-07).
        expect(upcomingPeriodOf(secondWeek, '2026-11-23', cal)).toMatchObject({
          period: '2026-12',
          date: '2026-12-07',
        });
        // Q4's deadline (12-31) is still ahead on 11-23.
        expect(upcomingPeriodOf(parsed('quarterly'), '2026-11-23', cal)).toMatchObject({ period: '2026-Q4' });
        // After 1 February the next plan is 2027's: 2027-02-01 is a Monday, known by weekday only.
        expect(upcomingPeriodOf(parsed('yearly 02-01'), '2026-03-15', cal)).toMatchObject({
          period: '2027',
          date: '2027-02-01',
          provisional: true,
        });
      });
    });

    describe('periodOf input', () => {
      it('throws when firedOn is not a date', () => {
        expect(() => periodOf(quarterly, '2026-02-30', cal)).toThrow(RangeError);
        expect(() => periodOf(quarterly, '2026-10-01T09:00', cal)).toThrow(RangeError);
      });

      it('throws when a yearly rule has no due day', () => {
        expect(() => periodOf({ id: 'yearly', source: 'yearly' }, '2026-01-02', cal)).toThrow(/needs a due day/);
      });
    });
  });
});
