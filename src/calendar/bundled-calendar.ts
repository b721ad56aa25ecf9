import { createRequire } from 'node:module';
import { WorkingDayCalendar, type CalendarData, type IsoDate } from './working-days.js';

/**
 * The holiday data bundled in the chinese-days package. Only its JSON is used: the package's own
 * functions read the host time zone and go wrong outside UTC/Asia-Shanghai.
 * Values look like "Spring Festival,春节,4" (English, Chinese, day count); we keep the Chinese name.
 */
interface ChineseDaysJson {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

function chineseNames(days: Record<string, string>): Record<IsoDate, string> {
  const out: Record<IsoDate, string> = {};
  for (const [date, value] of Object.entries(days)) {
    const parts = value.split(',');
    // Indexed from the end, in case an English name ever contains a comma.
    const name = parts.length >= 3 ? parts[parts.length - 2] : undefined;
    if (!name) throw new Error(`chinese-days: unexpected entry ${date}: ${JSON.stringify(value)}`);
    out[date] = name;
  }
  return out;
}

export function loadBundledCalendarData(): CalendarData {
  const raw = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as ChineseDaysJson;
  const holidays = chineseNames(raw.holidays);
  const workdays = chineseNames(raw.workdays);
  const years = [...Object.keys(holidays), ...Object.keys(workdays)].map((d) => Number(d.slice(0, 4)));
  if (years.length === 0) throw new Error('chinese-days: no holiday data');
  // The package covers a contiguous span of years (2004–2026 in 1.5.7): every year in it is known.
  const [from, to] = [Math.min(...years), Math.max(...years)];
  return { holidays, workdays, years: Array.from({ length: to - from + 1 }, (_, i) => from + i) };
}

let cached: WorkingDayCalendar | undefined;

/** The calendar built from the bundled data, loaded once per process. */
export function bundledCalendar(): WorkingDayCalendar {
  return (cached ??= new WorkingDayCalendar(loadBundledCalendarData()));
}
