import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadBundledCalendarData } from './bundled-calendar.js';
import { CalendarDayEntity, type CalendarSource, CalendarYearEntity } from './calendar.entities.js';
import type { CalendarData, IsoDate } from './working-days.js';

export interface YearDays {
  holidays: Array<{ date: IsoDate; name: string }>;
  workdays: Array<{ date: IsoDate; name: string }>;
}

@Injectable()
export class CalendarRepository {
  constructor(private readonly db: DataSource) {}

  /** Loads the bundled years (2004–2026) that are not in the store yet; never overwrites an import. */
  async seedBundled(): Promise<number[]> {
    const data = loadBundledCalendarData();
    const known = new Set((await this.db.getRepository(CalendarYearEntity).find()).map((y) => y.year));
    const missing = data.years.filter((y) => !known.has(y));
    for (const year of missing) {
      const pick = (days: Record<string, string>) =>
        Object.entries(days)
          .filter(([d]) => d.startsWith(`${year}-`))
          .map(([date, name]) => ({ date, name }));
      await this.replaceYear(
        year,
        { holidays: pick(data.holidays), workdays: pick(data.workdays) },
        {
          source: 'bundled',
          title: 'chinese-days (bundled)',
          loadedBy: null,
          onlyIfAbsent: true,
        },
      );
    }
    return missing;
  }

  /** Everything the working-day arithmetic needs. */
  async load(): Promise<CalendarData> {
    const years = await this.db.getRepository(CalendarYearEntity).find({ order: { year: 'ASC' } });
    const days = await this.db.getRepository(CalendarDayEntity).find();
    const holidays: Record<IsoDate, string> = {};
    const workdays: Record<IsoDate, string> = {};
    for (const d of days) (d.workday ? workdays : holidays)[d.date] = d.name;
    return { holidays, workdays, years: years.map((y) => y.year) };
  }

  /** Changes whenever a year is loaded or replaced: a cheap check before trusting a cached calendar. */
  async version(): Promise<string> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS n, coalesce(max(loaded_at), 'epoch')::text AS at FROM calendar_years`,
    )) as Array<{ n: number; at: string }>;
    return `${row!.n}@${row!.at}`;
  }

  async year(year: number): Promise<(CalendarYearEntity & YearDays) | null> {
    const meta = await this.db.getRepository(CalendarYearEntity).findOneBy({ year });
    if (!meta) return null;
    const days = await this.db.getRepository(CalendarDayEntity).find({ where: { year }, order: { date: 'ASC' } });
    return {
      ...meta,
      holidays: days.filter((d) => !d.workday).map(({ date, name }) => ({ date, name })),
      workdays: days.filter((d) => d.workday).map(({ date, name }) => ({ date, name })),
    };
  }

  /**
   * Replaces one year's days in a transaction (the old ones go, the new ones and the year row come).
   * A notice may name a day of the year before (the 2023 notice starts 元旦 on 2022-12-31): such a
   * day is written into its own year when that year is loaded, else returned as skipped.
   */
  async replaceYear(
    year: number,
    days: YearDays,
    meta: { source: CalendarSource; title: string | null; loadedBy: string | null; onlyIfAbsent?: boolean },
  ): Promise<{ stored: boolean; skipped: IsoDate[] }> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`calendar:${year}`]);
      const years = m.getRepository(CalendarYearEntity);
      if (meta.onlyIfAbsent && (await years.existsBy({ year }))) return { stored: false, skipped: [] };
      await m.getRepository(CalendarDayEntity).delete({ year });
      await years.upsert(
        { year, source: meta.source, title: meta.title, loadedBy: meta.loadedBy, loadedAt: new Date() },
        ['year'],
      );
      const rows = [
        ...days.holidays.map((d) => ({ ...d, workday: false, source: meta.source })),
        ...days.workdays.map((d) => ({ ...d, workday: true, source: meta.source })),
      ].map((d) => ({ ...d, year: Number(d.date.slice(0, 4)) }));
      const loaded = new Set((await years.find()).map((y) => y.year));
      const [storable, skipped] = [rows.filter((r) => loaded.has(r.year)), rows.filter((r) => !loaded.has(r.year))];
      if (storable.length) {
        await m
          .createQueryBuilder()
          .insert()
          .into(CalendarDayEntity)
          .values(storable)
          .orUpdate(['year', 'workday', 'name', 'source'], ['date'])
          .execute();
      }
      return { stored: true, skipped: skipped.map((r) => r.date) };
    });
  }
}
