import { addDays, isIsoDate, weekday, type IsoDate, type WorkingDayCalendar } from './working-days.js';

/**
 * The calendar rules a recurring process names in `fabu:recurrence`. A Temporal Schedule fires on a
 * plain date (fireSpec); the started run then asks periodOf which period it serves and which working
 * days that period's meeting, conference or deadline falls on. Pure, like working-days.ts: workflows
 * import it, so it reads no clock and no host time zone.
 */

export type RecurrenceId = 'last-working-day-of-month' | 'second-week-of-month' | 'quarterly' | 'yearly';

export interface Recurrence {
  id: RecurrenceId;
  /** yearly only: the due day, MM-DD (e.g. '02-01' for 1 February, L2). */
  due?: string;
  /** The source text, e.g. 'yearly 02-01'. */
  source: string;
}

/** Calendar fields of a Temporal Schedule, read in Asia/Shanghai. */
export interface FireSpec {
  /** 1–12. */
  months: number[];
  dayOfMonth: number;
  hour: number;
  minute: number;
}

export interface RecurrencePeriod {
  /** 'YYYY-MM', 'YYYY-Qn' or 'YYYY'. */
  period: string;
  /** The meeting or conference day, or the deadline (quarterly, yearly). */
  date: IsoDate;
  /** First and last day of the period's working window, both inclusive. */
  window: [IsoDate, IsoDate];
  /** True when a day of a year without holiday data was judged: the answer may change once it is published. */
  provisional: boolean;
  /** Why the dates are not the plain rule's, e.g. a second week without a working day. */
  note?: string;
}

const ACCEPTED =
  "'last-working-day-of-month', 'second-week-of-month', 'quarterly' or 'yearly MM-DD' (e.g. 'yearly 02-01')";
const SIMPLE_IDS: readonly RecurrenceId[] = ['last-working-day-of-month', 'second-week-of-month', 'quarterly'];
const YEARLY = /^yearly\s+(\d{2}-\d{2})$/;
const ALL_MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const FIRE_HOUR = 9;

/** Parses 'last-working-day-of-month' | 'second-week-of-month' | 'quarterly' | 'yearly MM-DD'. */
export function parseRecurrence(text: string): Recurrence | { error: string } {
  const source = text.trim();
  const simple = SIMPLE_IDS.find((id) => id === source);
  if (simple) return { id: simple, source };
  const yearly = YEARLY.exec(source);
  if (yearly) {
    const due = yearly[1]!;
    // 2001 is not a leap year: a due day must exist every year, so 02-29 is refused with 02-30.
    if (isIsoDate(`2001-${due}`)) return { id: 'yearly', due, source };
    return {
      error: `fabu:recurrence ${JSON.stringify(text)} names a due day that does not occur every year; accepted forms are ${ACCEPTED}.`,
    };
  }
  return { error: `fabu:recurrence ${JSON.stringify(text)} is not one of ${ACCEPTED}.` };
}

/**
 * When the Temporal Schedule fires, as plain calendar fields in Asia/Shanghai (the schedule knows no
 * working days): monthly rules on day 1 of every month, quarterly on day 1 of Jan/Apr/Jul/Oct, yearly
 * on 2 January; always at 09:00.
 */
export function fireSpec(r: Recurrence): FireSpec {
  switch (r.id) {
    case 'last-working-day-of-month':
    case 'second-week-of-month':
      return { months: [...ALL_MONTHS], dayOfMonth: 1, hour: FIRE_HOUR, minute: 0 };
    case 'quarterly':
      return { months: [1, 4, 7, 10], dayOfMonth: 1, hour: FIRE_HOUR, minute: 0 };
    case 'yearly':
      // The first of January is a statutory holiday every year; the plan request goes out the day after.
      return { months: [1], dayOfMonth: 2, hour: FIRE_HOUR, minute: 0 };
  }
}

/**
 * The period a run that fired on `firedOn` (its business date) serves, and its dates from the calendar.
 * The calendar never refuses a year without data: it judges such days by weekday alone, and the result
 * is then `provisional`. A run fired after its period's window (a manual trigger, say) keeps the
 * period, its window shrinks to `date` and `note` says so.
 */
export function periodOf(r: Recurrence, firedOn: IsoDate, cal: WorkingDayCalendar): RecurrencePeriod {
  if (!isIsoDate(firedOn)) {
    throw new RangeError(`firedOn must be an ISO date YYYY-MM-DD, got ${JSON.stringify(firedOn)}`);
  }
  const result = rulePeriod(r, firedOn, cal);
  if (firedOn <= result.window[1]) return result;
  const late = `fired on ${firedOn}, after the window of ${result.period} ended on ${result.window[1]}`;
  return {
    ...result,
    window: [result.date, result.date],
    note: result.note ? `${result.note}; ${late}` : late,
  };
}

function rulePeriod(r: Recurrence, firedOn: IsoDate, cal: WorkingDayCalendar): RecurrencePeriod {
  const [year, month] = [Number(firedOn.slice(0, 4)), Number(firedOn.slice(5, 7))];
  switch (r.id) {
    case 'last-working-day-of-month': {
      // N2: the coordination group's topic meeting at the end of every month, on its last working
      // day, which may be a make-up Saturday or Sunday (调休).
      const period = yearMonth(year, month);
      const last = lastWorkingDayIn(monthStart(year, month), monthEnd(year, month), cal, period);
      return { period, date: last.date, window: [last.date, last.date], provisional: last.provisional };
    }
    case 'second-week-of-month': {
      // N3: the routine city conference in the second week of every month. Weeks run Monday to
      // Sunday and week 1 holds the 1st; a second week that is all holiday gives way to the next
      // week with a working day.
      const period = yearMonth(year, month);
      const first = monthStart(year, month);
      const monday = addDays(first, 7 - daysSinceMonday(first));
      const start = cal.nextWorkingDay(monday);
      const weekOfStart = addDays(start.date, -daysSinceMonday(start.date));
      const end = cal.previousWorkingDay(addDays(weekOfStart, 6));
      const moved =
        weekOfStart === monday
          ? undefined
          : `week 2 of ${period} (${monday} to ${addDays(monday, 6)}) has no working day; moved to the week of ${weekOfStart}`;
      return {
        period,
        date: start.date,
        window: [start.date, end.date],
        provisional: start.provisional || end.provisional,
        ...(moved === undefined ? {} : { note: moved }),
      };
    }
    case 'quarterly': {
      // L1: at least one city conference per quarter, held by the quarter's last working day.
      const quarter = Math.ceil(month / 3);
      const period = `${pad(year, 4)}-Q${quarter}`;
      const end = lastWorkingDayIn(monthStart(year, quarter * 3 - 2), monthEnd(year, quarter * 3), cal, period);
      // Fired after the deadline: periodOf notes it.
      const start = firedOn <= end.date ? cal.nextWorkingDay(firedOn) : end;
      return {
        period,
        date: end.date,
        window: [start.date, end.date],
        provisional: start.provisional || end.provisional,
      };
    }
    case 'yearly': {
      // L2: each unit's annual release plan is due by 1 February; a due day off moves to the working
      // day before it, never after.
      if (r.due === undefined || !isIsoDate(`2001-${r.due}`)) {
        throw new RangeError(`a yearly recurrence needs a due day MM-DD, got ${JSON.stringify(r.due)}`);
      }
      const due = cal.previousWorkingDay(`${pad(year, 4)}-${r.due}`);
      return { period: pad(year, 4), date: due.date, window: [firedOn, due.date], provisional: due.provisional };
    }
  }
}

/** The last working day in [from, to]; a period without one cannot hold its meeting. */
function lastWorkingDayIn(
  from: IsoDate,
  to: IsoDate,
  cal: WorkingDayCalendar,
  period: string,
): { date: IsoDate; provisional: boolean } {
  const last = cal.previousWorkingDay(to);
  if (last.date < from) throw new RangeError(`${period} has no working day between ${from} and ${to}`);
  return last;
}

/** 0 for Monday … 6 for Sunday. */
function daysSinceMonday(d: IsoDate): number {
  return (weekday(d) + 6) % 7;
}

function monthStart(year: number, month: number): IsoDate {
  return `${yearMonth(year, month)}-01`;
}

function monthEnd(year: number, month: number): IsoDate {
  return addDays(month === 12 ? monthStart(year + 1, 1) : monthStart(year, month + 1), -1);
}

function yearMonth(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * The period a run is for when it may start late in its own period (an operator's trigger): the
 * period of `firedOn` while its date is still ahead, else the next one. A scheduled run fires at
 * the start of its period, so both give the same answer for it.
 */
export function upcomingPeriodOf(r: Recurrence, firedOn: IsoDate, cal: WorkingDayCalendar): RecurrencePeriod {
  const current = periodOf(r, firedOn, cal);
  if (current.date >= firedOn) return current;
  const [y, m] = [Number(firedOn.slice(0, 4)), Number(firedOn.slice(5, 7))];
  const first = (year: number, month: number) =>
    `${year + Math.floor((month - 1) / 12)}-${String(((month - 1) % 12) + 1).padStart(2, '0')}-01`;
  const next =
    r.id === 'yearly'
      ? `${y + 1}-01-02`
      : r.id === 'quarterly'
        ? first(y, Math.floor((m - 1) / 3) * 3 + 4)
        : first(y, m + 1);
  return periodOf(r, next, cal);
}
