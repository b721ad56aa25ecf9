import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service.js';
import { addDays, businessDate, type IsoDate } from '../calendar/working-days.js';
import { FabuException } from '../common/problem.js';
import type { ComplianceQuery, ComplianceRow } from './compliance.schemas.js';

/** H1/L3: a conference is applied for at least 7 working days ahead; with fewer left, none can be added. */
const LEAD_WORKING_DAYS = 7;
const MONTHS = { quarter: 3, half: 6, year: 12 } as const;
type Granularity = keyof typeof MONTHS;

interface QuotaRule {
  id: string;
  city: string;
  org_code: string | null;
  org_kind: string | null;
  period: Granularity;
  min_conferences: number;
  rule: string;
  note: string | null;
}

interface Conference {
  id: string;
  title: string;
  org_code: string;
  conference_date: IsoDate;
  status: string;
  outcome: string | null;
}

/**
 * Release-frequency compliance (L1, U3, H8 art. 29): for each quota rule and org, the conferences
 * required in a period, held (approved, on or before the report's day), planned (approved later,
 * or still in their chain), and a status: `met`, `on-track` (held + planned reach it), `behind`
 * (short, with time left), `at-risk` (short, and fewer working days left than a new application
 * needs, H1/L3) or `missed` (the period is over and it fell short).
 */
@Injectable()
export class ComplianceService {
  constructor(
    private readonly db: DataSource,
    private readonly calendar: CalendarService,
  ) {}

  async report(
    query: ComplianceQuery,
  ): Promise<{ year: number; period: string; asOf: IsoDate; items: ComplianceRow[] }> {
    const asOf = query.asOf ?? businessDate(new Date());
    const period = query.period ?? 'year';
    const window = windowOf(query.year, period);
    const rules = await this.db.query<QuotaRule[]>(
      `SELECT id::text, city, org_code, org_kind, period, min_conferences, rule, note FROM quota_rules
        WHERE ($1::text IS NULL OR city = $1) ORDER BY city, rule, id`,
      [query.city ?? null],
    );
    const cal = await this.calendar.calendar();
    const items: ComplianceRow[] = [];
    for (const rule of rules) {
      // A rule over a longer period than asked is shown over its own period (a yearly quota in Q3: the year).
      const rowWindow =
        MONTHS[rule.period] > window.months
          ? enclosing(window.start, rule.period)
          : { ...window, months: window.months };
      const required = rule.min_conferences * Math.max(1, rowWindow.months / MONTHS[rule.period]);
      const orgs = await this.db.query<Array<{ code: string; name: string }>>(
        rule.org_code
          ? `SELECT code, name FROM orgs WHERE code = $1`
          : `SELECT code, name FROM orgs WHERE city = $2 AND kind = $1 ORDER BY code`,
        rule.org_code ? [rule.org_code] : [rule.org_kind, rule.city],
      );
      for (const org of orgs) {
        if (query.orgCode && org.code !== query.orgCode) continue;
        const conferences = await this.conferencesOf(org.code, rowWindow.start, rowWindow.end);
        const held = conferences.filter((c) => c.outcome === 'approved' && c.conference_date <= asOf).length;
        const planned = conferences.filter(
          (c) => (c.outcome === 'approved' && c.conference_date > asOf) || c.status === 'running',
        ).length;
        const over = asOf > rowWindow.end;
        const left = over
          ? 0
          : cal.countWorkingDays(asOf > rowWindow.start ? asOf : addDays(rowWindow.start, -1), rowWindow.end).count;
        const status =
          held >= required
            ? 'met'
            : over
              ? 'missed'
              : held + planned >= required
                ? 'on-track'
                : left < LEAD_WORKING_DAYS
                  ? 'at-risk'
                  : 'behind';
        items.push({
          orgCode: org.code,
          orgName: org.name,
          rule: rule.rule,
          note: rule.note,
          window: [rowWindow.start, rowWindow.end],
          required,
          held,
          planned,
          workingDaysLeft: left,
          status,
          conferences: conferences.map((c) => ({
            requestId: c.id,
            title: c.title,
            conferenceDate: c.conference_date,
            state:
              c.outcome === 'approved'
                ? c.conference_date <= asOf
                  ? 'held'
                  : 'planned'
                : c.status === 'running'
                  ? 'in-approval'
                  : (c.outcome ?? c.status),
          })),
        });
      }
    }
    return { year: query.year, period, asOf, items };
  }

  /**
   * Units short of a quota today, in the current quarter's report (a rule over a longer period
   * over its own): what the complianceNotice service task tells them about.
   */
  async shortOfQuota(city: string): Promise<ComplianceRow[]> {
    const today = businessDate(new Date());
    const quarter = `Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`;
    const { items } = await this.report({ year: Number(today.slice(0, 4)), period: quarter, city, asOf: today });
    return items.filter((i) => i.status === 'behind' || i.status === 'at-risk');
  }

  /** An org's conferences in a window: its own requests and its offices' (a government's press office). */
  private conferencesOf(orgCode: string, start: IsoDate, end: IsoDate): Promise<Conference[]> {
    return this.db.query<Conference[]>(
      `SELECT r.id, r.title, r.org_code, r.conference_date, r.status, r.outcome
         FROM requests r
         LEFT JOIN process_definitions d ON d.key = r.process_key AND d.version = r.process_version
        WHERE r.conference_date BETWEEN $2 AND $3
          AND coalesce((d.ir ->> 'conference')::boolean, true)
          AND r.org_code IN (
            WITH RECURSIVE tree(code) AS (
              SELECT code FROM orgs WHERE code = $1
              UNION SELECT o.code FROM orgs o JOIN tree t ON o.parent_code = t.code WHERE o.kind = 'office')
            SELECT code FROM tree)
        ORDER BY r.conference_date, r.id`,
      [orgCode, start, end],
    );
  }
}

function windowOf(year: number, period: string): { start: IsoDate; end: IsoDate; months: number } {
  const m = /^(?:Q([1-4])|H([12])|year)$/.exec(period);
  if (!m) {
    throw new FabuException('VALIDATION_FAILED', `period "${period}" must be Q1–Q4, H1, H2 or year`, [
      { path: 'period', message: 'Q1–Q4, H1, H2 or year' },
    ]);
  }
  const [first, months] = m[1] ? [(Number(m[1]) - 1) * 3 + 1, 3] : m[2] ? [(Number(m[2]) - 1) * 6 + 1, 6] : [1, 12];
  return { start: monthStart(year, first), end: addDays(monthStart(year, first + months), -1), months };
}

function enclosing(date: IsoDate, granularity: Granularity): { start: IsoDate; end: IsoDate; months: number } {
  const months = MONTHS[granularity];
  const year = Number(date.slice(0, 4));
  const first = Math.floor((Number(date.slice(5, 7)) - 1) / months) * months + 1;
  return { start: monthStart(year, first), end: addDays(monthStart(year, first + months), -1), months };
}

function monthStart(year: number, month: number): IsoDate {
  const y = year + Math.floor((month - 1) / 12);
  const m = ((month - 1) % 12) + 1;
  return `${y}-${String(m).padStart(2, '0')}-01`;
}
