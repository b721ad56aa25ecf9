import type { DueRule } from '../processes/ir.js';

/**
 * Working-day arithmetic for the Chinese government calendar (工作日: weekdays that are not statutory
 * holidays, plus make-up workdays 调休). Pure and free of side effects, so workflows may import it:
 * dates are 'YYYY-MM-DD' strings and every computation uses UTC methods only, never the host time zone.
 */

/** A calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
const MS_PER_MINUTE = 60_000;

function toUtcMs(d: IsoDate): number {
  const m = ISO_DATE.exec(d);
  if (!m) return NaN;
  const [y, mo, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, day);
  // Date.UTC rolls 2026-02-30 over to 03-02; only a round trip proves the date exists.
  return new Date(ms).toISOString().slice(0, 10) === d ? ms : NaN;
}

function assertIsoDate(d: unknown, what = 'date'): asserts d is IsoDate {
  if (!isIsoDate(d)) throw new RangeError(`${what} must be an ISO date YYYY-MM-DD, got ${JSON.stringify(d)}`);
}

export function isIsoDate(d: unknown): d is IsoDate {
  return typeof d === 'string' && !Number.isNaN(toUtcMs(d));
}

export function addDays(d: IsoDate, n: number): IsoDate {
  assertIsoDate(d);
  return new Date(toUtcMs(d) + n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(d: IsoDate): number {
  assertIsoDate(d);
  return new Date(toUtcMs(d)).getUTCDay();
}

export interface CalendarData {
  /** Statutory days off; value = holiday name, e.g. '春节'. */
  holidays: Record<IsoDate, string>;
  /** Weekend days that are make-up workdays (调休); value = festival name. */
  workdays: Record<IsoDate, string>;
  /** Years whose holidays the data knows (their notice is loaded); outside them only weekends are days off. */
  years: readonly number[];
}

/** A statutory holiday, or a weekend day worked in its place (调休). */
export interface SpecialDay {
  date: IsoDate;
  kind: 'holiday' | 'workday';
  /** The festival, e.g. '国庆节'. */
  name: string;
}

export interface WorkingDayResult {
  date: IsoDate;
  /** True when a day of a year without data was judged (weekdays only): the answer may change once the data is published. */
  provisional: boolean;
}

export class WorkingDayCalendar {
  private readonly holidays: ReadonlyMap<IsoDate, string>;
  private readonly workdays: ReadonlyMap<IsoDate, string>;
  readonly years: ReadonlySet<number>;

  constructor(data: CalendarData) {
    this.holidays = new Map(Object.entries(data.holidays));
    this.workdays = new Map(Object.entries(data.workdays));
    this.years = new Set(data.years);
  }

  isWorkingDay(d: IsoDate): boolean {
    assertIsoDate(d);
    if (this.workdays.has(d)) return true;
    if (this.holidays.has(d)) return false;
    const w = weekday(d);
    return w !== 0 && w !== 6;
  }

  covers(d: IsoDate): boolean {
    assertIsoDate(d);
    return this.years.has(Number(d.slice(0, 4)));
  }

  /**
   * n > 0: the n-th working day strictly after d; n < 0: the |n|-th strictly before d; 0: d itself.
   * d never counts, whatever it is: "within 2 WD" of an application (H1) or "3 WD before" a
   * conference (H3.4) both count whole working days beside the given date.
   */
  addWorkingDays(d: IsoDate, n: number): WorkingDayResult {
    assertIsoDate(d);
    if (!Number.isInteger(n)) throw new RangeError(`working days must be an integer, got ${n}`);
    const step = Math.sign(n);
    let date = d;
    let provisional = false;
    for (let left = Math.abs(n); left > 0;) {
      date = addDays(date, step);
      provisional ||= !this.covers(date);
      if (this.isWorkingDay(date)) left--;
    }
    return { date, provisional };
  }

  /** d itself if it is a working day, else the next one. */
  nextWorkingDay(d: IsoDate): WorkingDayResult {
    assertIsoDate(d);
    const provisional = !this.covers(d);
    if (this.isWorkingDay(d)) return { date: d, provisional };
    const next = this.addWorkingDays(d, 1);
    return { date: next.date, provisional: provisional || next.provisional };
  }

  /** d itself if it is a working day, else the one before: a deadline that falls on a day off moves earlier. */
  previousWorkingDay(d: IsoDate): WorkingDayResult {
    assertIsoDate(d);
    const provisional = !this.covers(d);
    if (this.isWorkingDay(d)) return { date: d, provisional };
    const previous = this.addWorkingDays(d, -1);
    return { date: previous.date, provisional: provisional || previous.provisional };
  }

  /**
   * The statutory holidays and make-up workdays (调休) in (from, to], in date order (either way
   * round): what a span of working days crosses besides plain weekends.
   */
  specialDays(from: IsoDate, to: IsoDate): SpecialDay[] {
    assertIsoDate(from, 'from');
    assertIsoDate(to, 'to');
    const [start, end] = from <= to ? [from, to] : [to, from];
    const days: SpecialDay[] = [];
    for (let date = addDays(start, 1); date <= end; date = addDays(date, 1)) {
      const workday = this.workdays.get(date);
      const holiday = this.holidays.get(date);
      if (workday !== undefined) days.push({ date, kind: 'workday', name: workday });
      else if (holiday !== undefined) days.push({ date, kind: 'holiday', name: holiday });
    }
    return days;
  }

  /** Working days in (from, to]; negative (minus the count in (to, from]) when to is before from. */
  countWorkingDays(from: IsoDate, to: IsoDate): { count: number; provisional: boolean } {
    assertIsoDate(from, 'from');
    assertIsoDate(to, 'to');
    if (to < from) {
      const r = this.countWorkingDays(to, from);
      return { count: -r.count, provisional: r.provisional };
    }
    let count = 0;
    let provisional = false;
    for (let date = from; date < to;) {
      date = addDays(date, 1);
      provisional ||= !this.covers(date);
      if (this.isWorkingDay(date)) count++;
    }
    return { count, provisional };
  }
}

/** Asia/Shanghai is a fixed UTC+08:00 with no DST. */
export const SHANGHAI_OFFSET_MINUTES = 480;

/** The calendar date of an instant in the business time zone. */
export function businessDate(instant: Date, offsetMinutes = SHANGHAI_OFFSET_MINUTES): IsoDate {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('businessDate: invalid Date');
  return new Date(ms + offsetMinutes * MS_PER_MINUTE).toISOString().slice(0, 10);
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The instant of dayEnd ('HH:MM') on date d in the business time zone. */
export function endOfBusinessDay(d: IsoDate, dayEnd = '18:00', offsetMinutes = SHANGHAI_OFFSET_MINUTES): Date {
  assertIsoDate(d);
  const m = HH_MM.exec(dayEnd);
  if (!m) throw new RangeError(`dayEnd must be HH:MM, got ${JSON.stringify(dayEnd)}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]) - offsetMinutes;
  return new Date(toUtcMs(d) + minutes * MS_PER_MINUTE);
}

export interface DueContext {
  openedAt: Date;
  request: Partial<Record<'conferenceDate', string>>;
  calendar: WorkingDayCalendar;
  /** Local end of the business day, 'HH:MM'; default '18:00'. */
  dayEnd?: string;
  offsetMinutes?: number;
}

export interface Due {
  dueAt: Date;
  provisional: boolean;
  /** Human-readable reason, e.g. "2 working days after 2026-10-09 (H1)". */
  basis: string;
}

/** When a step is due under a DueRule (src/processes/ir.ts). */
export function computeDue(rule: DueRule, ctx: DueContext): Due {
  const { openedAt, calendar, dayEnd = '18:00', offsetMinutes = SHANGHAI_OFFSET_MINUTES } = ctx;
  switch (rule.kind) {
    case 'workingDaysAfterOpen': {
      // H1: the office replies within 2 WD, counted from the business date the task opened.
      const opened = businessDate(openedAt, offsetMinutes);
      const { date, provisional } = calendar.addWorkingDays(opened, rule.days);
      return {
        dueAt: endOfBusinessDay(date, dayEnd, offsetMinutes),
        provisional,
        basis: `${plural(rule.days, 'working day')} after ${opened} (${rule.source})`,
      };
    }
    case 'workingDaysBeforeField': {
      // H3.4 / H6: materials filed at least 3 WD before the conference.
      const value = requireDateField(ctx, rule.field, rule.source);
      // "- 0WD" is "by that day": the working day on or before it (L2: a plan due 1 February).
      const { date, provisional } =
        rule.days === 0 ? calendar.previousWorkingDay(value) : calendar.addWorkingDays(value, -rule.days);
      return {
        dueAt: endOfBusinessDay(date, dayEnd, offsetMinutes),
        provisional,
        basis: `${plural(rule.days, 'working day')} before ${rule.field} ${value} (${rule.source})`,
      };
    }
    case 'calendarAfterOpen': {
      // H8: "within one month". A period whose last day is a day off ends on the next working day
      // (民法典 art. 203).
      const opened = businessDate(openedAt, offsetMinutes);
      const end = shiftCalendar(opened, rule.unit, rule.count);
      const { date, provisional } = calendar.nextWorkingDay(end);
      return {
        dueAt: endOfBusinessDay(date, dayEnd, offsetMinutes),
        provisional,
        basis: `${plural(rule.count, rule.unit)} after ${opened}${date === end ? '' : `, moved off a day off to ${date}`} (${rule.source})`,
      };
    }
    case 'calendarBeforeField': {
      // N6: filed one week before. A deadline that falls on a day off moves to the working day before.
      const value = requireDateField(ctx, rule.field, rule.source);
      const target = shiftCalendar(value, rule.unit, -rule.count);
      const { date, provisional } = calendar.isWorkingDay(target)
        ? { date: target, provisional: !calendar.covers(target) }
        : calendar.addWorkingDays(target, -1);
      return {
        dueAt: endOfBusinessDay(date, dayEnd, offsetMinutes),
        provisional,
        basis: `${plural(rule.count, rule.unit)} before ${rule.field} ${value}${date === target ? '' : `, moved off a day off to ${date}`} (${rule.source})`,
      };
    }
    case 'startOfField': {
      // L3: an emergency conference files before it starts. The request carries the date, not the
      // hour, so "before it starts" is before that day begins in the business time zone.
      const value = requireDateField(ctx, rule.field, rule.source);
      return {
        dueAt: endOfBusinessDay(value, '00:00', offsetMinutes),
        provisional: false,
        basis: `before ${rule.field} ${value} begins (${rule.source})`,
      };
    }
    case 'durationAfterOpen':
      // H7: emergencies run on wall-clock hours, holidays included.
      return {
        dueAt: new Date(openedAt.getTime() + rule.ms),
        provisional: false,
        basis: `${isoDuration(rule.ms)} after ${openedAt.toISOString()} (${rule.source})`,
      };
  }
}

function requireDateField(ctx: DueContext, field: 'conferenceDate', source: string): IsoDate {
  const value = ctx.request[field];
  if (value === undefined) throw new Error(`computeDue: request field ${field} is missing (${source})`);
  if (!isIsoDate(value)) {
    throw new Error(`computeDue: request field ${field} must be YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** d moved by n weeks or calendar months; a month shift keeps the day, clamped to the month's last day. */
export function shiftCalendar(d: IsoDate, unit: 'week' | 'month', n: number): IsoDate {
  if (unit === 'week') return addDays(d, 7 * n);
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  const months = y * 12 + (m - 1) + n;
  const [year, month] = [Math.floor(months / 12), (months % 12) + 1];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(day, last)).padStart(2, '0')}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** 18_000_000 → 'PT5H'. */
function isoDuration(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const body = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `PT${body || '0S'}`;
}
