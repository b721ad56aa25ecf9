import { Inject, Injectable } from '@nestjs/common';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { replanDeadlinesUpdate } from '../../workflows/definitions.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { TEMPORAL_CLIENT } from '../temporal/temporal.tokens.js';
import { FabuException, type ProblemItem } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import type { CalendarSource } from './calendar.entities.js';
import { CalendarRepository, type YearDays } from './calendar.repository.js';
import type { DaysImport, ImportResult } from './calendar.schemas.js';
import { NoticeParseError, parseHolidayNotice } from './notice-parser.js';
import { WorkingDayCalendar, businessDate, isIsoDate, weekday } from './working-days.js';

/** The statutory working-day calendar: stored years, imports from notices or data, a cached calculator. */
@Injectable()
export class CalendarService {
  private cached?: { version: string; calendar: WorkingDayCalendar };

  constructor(
    private readonly repo: CalendarRepository,
    private readonly tasks: TasksRepository,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {}

  /** The calendar as stored now; rebuilt only when a year was loaded since (checked with one cheap query). */
  async calendar(): Promise<WorkingDayCalendar> {
    const version = await this.repo.version();
    if (this.cached?.version !== version) {
      this.cached = { version, calendar: new WorkingDayCalendar(await this.repo.load()) };
    }
    return this.cached.calendar;
  }

  /**
   * Fills in each open task's slack: working days from today to its due day, as the calendar
   * counts them now (0 = due today, negative = overdue).
   */
  async withSlack<T extends { status: string; dueAt: string | null; slackWorkingDays: number | null }>(
    tasks: T[],
    now = new Date(),
  ): Promise<T[]> {
    if (!tasks.some((t) => t.status === 'open' && t.dueAt)) return tasks;
    const calendar = await this.calendar();
    const today = businessDate(now);
    return tasks.map((t) =>
      t.status === 'open' && t.dueAt
        ? { ...t, slackWorkingDays: calendar.countWorkingDays(today, businessDate(new Date(t.dueAt))).count }
        : t,
    );
  }

  async year(year: number) {
    const stored = await this.repo.year(year);
    if (!stored) {
      throw new FabuException(
        'CALENDAR_YEAR_NOT_LOADED',
        `${year} is not loaded: its holidays and make-up workdays are unknown, so deadlines in ${year} are ` +
          `counted on weekdays only and marked provisional. Load it from the State Council notice ` +
          `(POST /api/calendar/notice) or as data (POST /api/calendar/${year}/days).`,
      );
    }
    const calendar = await this.calendar();
    return {
      ...stored,
      loadedAt: stored.loadedAt.toISOString(),
      workingDays: calendar.countWorkingDays(`${year - 1}-12-31`, `${year}-12-31`).count,
    };
  }

  /** Parses a notice (国务院办公厅关于XXXX年部分节假日安排的通知); stores its year only when confirmed. */
  async importNotice(user: DirectoryUser, text: string, confirm: boolean): Promise<ImportResult> {
    this.requireAdmin(user);
    let parsed;
    try {
      parsed = parseHolidayNotice(text);
    } catch (err) {
      if (!(err instanceof NoticeParseError)) throw err;
      throw new FabuException(
        'NOTICE_INVALID',
        `the notice does not check out: ${err.problems.length} problem(s), nothing was stored`,
        err.problems.map((p) => ({ line: p.line, message: `${p.message} — 「${p.text}」` })),
      );
    }
    const days: YearDays = {
      holidays: parsed.holidays.map(({ date, name }) => ({ date, name })),
      workdays: parsed.workdays.map(({ date, name }) => ({ date, name })),
    };
    return this.store(parsed.year, days, { source: 'notice', title: parsed.title, user, confirm });
  }

  /** Imports a year as data (JSON arrays or CSV); checked like a notice, stored only when confirmed. */
  async importDays(user: DirectoryUser, year: number, body: DaysImport): Promise<ImportResult> {
    this.requireAdmin(user);
    const days = body.csv ? parseCsv(body.csv) : { holidays: body.holidays ?? [], workdays: body.workdays ?? [] };
    const problems = checkYear(year, days);
    if (problems.length) {
      throw new FabuException('CALENDAR_INVALID', `${year} does not check out: nothing was stored`, problems);
    }
    return this.store(year, days, { source: 'manual', title: null, user, confirm: body.confirm });
  }

  private async store(
    year: number,
    days: YearDays,
    o: { source: CalendarSource; title: string | null; user: DirectoryUser; confirm: boolean },
  ): Promise<ImportResult> {
    const before = await this.repo.year(year);
    const key = (d: { date: string }, kind: string) => `${d.date} ${kind}`;
    const old = new Set([
      ...(before?.holidays ?? []).map((d) => key(d, 'holiday')),
      ...(before?.workdays ?? []).map((d) => key(d, 'workday')),
    ]);
    const now = new Set([
      ...days.holidays.map((d) => key(d, 'holiday')),
      ...days.workdays.map((d) => key(d, 'workday')),
    ]);
    const { skipped } = o.confirm
      ? await this.repo.replaceYear(year, days, { source: o.source, title: o.title, loadedBy: o.user.username })
      : { skipped: [] };
    const replanned = o.confirm ? await this.replanProvisionalDeadlines() : [];
    return {
      year,
      stored: o.confirm,
      holidays: days.holidays,
      workdays: days.workdays,
      replaces: before?.source ?? null,
      added: [...now].filter((d) => !old.has(d)).sort(),
      removed: [...old].filter((d) => !now.has(d)).sort(),
      skipped,
      replanned,
    };
  }

  /**
   * Running chains whose deadlines were counted through a year not loaded then count them again
   * (each records task.replanned in its history, and its timer moves). Returns the moved tasks.
   */
  private async replanProvisionalDeadlines(): Promise<string[]> {
    const requestIds = await this.tasks.requestsWithProvisionalDeadlines();
    const moved: string[] = [];
    // A few at a time: a year's import may touch many chains, the frontend should not see them all at once.
    for (let i = 0; i < requestIds.length; i += 8) {
      const results = await Promise.allSettled(
        requestIds
          .slice(i, i + 8)
          .map((id) => this.temporal.workflow.getHandle(id).executeUpdate(replanDeadlinesUpdate)),
      );
      results.forEach((r, j) => {
        if (r.status === 'fulfilled') moved.push(...r.value.replanned);
        // A chain that finished meanwhile has nothing to move; anything else is worth a look.
        else if (!(r.reason instanceof WorkflowNotFoundError)) {
          this.runtime.logger.warn({ err: r.reason, requestId: requestIds[i + j] }, 'deadline re-plan failed');
        }
      });
    }
    return moved;
  }

  private requireAdmin(user: DirectoryUser): void {
    if (!user.isAdmin) throw new FabuException('FORBIDDEN', 'only an administrator loads the calendar');
  }
}

function parseCsv(csv: string): YearDays {
  const days: YearDays = { holidays: [], workdays: [] };
  const problems: ProblemItem[] = [];
  csv.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || (i === 0 && /^date\b/i.test(line))) return;
    const [date, kind, name] = line.split(',').map((s) => s.trim());
    if (!date || !kind || !name || (kind !== 'holiday' && kind !== 'workday')) {
      problems.push({ line: i + 1, message: `expected "YYYY-MM-DD,holiday|workday,name", got "${line}"` });
      return;
    }
    (kind === 'holiday' ? days.holidays : days.workdays).push({ date, name });
  });
  if (problems.length)
    throw new FabuException('CALENDAR_INVALID', 'the CSV does not parse: nothing was stored', problems);
  return days;
}

/** The same checks the notice parser makes of itself: right year, make-up days on weekends, no day twice. */
function checkYear(year: number, days: YearDays): ProblemItem[] {
  const problems: ProblemItem[] = [];
  const seen = new Set<string>();
  for (const [kind, list] of [
    ['holidays', days.holidays],
    ['workdays', days.workdays],
  ] as const) {
    list.forEach((d, i) => {
      const path = `${kind}.${i}.date`;
      if (!isIsoDate(d.date) || !d.date.startsWith(`${year}-`)) {
        problems.push({ path, message: `${d.date} is not a date in ${year}` });
        return;
      }
      if (seen.has(d.date)) problems.push({ path, message: `${d.date} is listed twice` });
      seen.add(d.date);
      const w = weekday(d.date);
      if (kind === 'workdays' && w !== 0 && w !== 6) {
        problems.push({ path, message: `${d.date} is a weekday: a make-up workday (调休) falls on a weekend` });
      }
    });
  }
  if (days.holidays.length === 0) {
    problems.push({ path: 'holidays', message: `no holidays for ${year}: every year has statutory holidays` });
  }
  return problems;
}
