// The accountability report (O5 通报, U3 "responding late is held to account"): pure aggregation of
// incidents and their clocks, so what the report says is unit tested without a database.
import { SEVERITIES, type Severity } from './routing.js';

/** The clock that says whether the first release came in time (O2: 1 h; H7: 5 h; U2: at once). */
export const FIRST_RELEASE = 'first-release';

export interface ReportClock {
  clockId: string;
  name: string;
  status: 'running' | 'met' | 'breached' | 'stopped';
  startedAt: string;
  windowMs: number;
  dueAt: string;
  metAt: string | null;
  breachedAt: string | null;
  late: boolean;
  holders: string[];
  /** The responsible unit at the breach, or when met. */
  unit: string | null;
}

export interface ReportIncident {
  id: string;
  city: string;
  summary: string;
  severity: Severity;
  /** The request's responsible unit now. */
  unit: string;
  knownAt: string;
  clocks: ReportClock[];
}

export type FirstReleaseStatus = 'met' | 'late' | 'breached' | 'running' | 'stopped' | 'none';

export interface IncidentReport {
  city: string | null;
  from: string;
  to: string;
  total: number;
  bySeverity: Record<Severity, number>;
  incidents: Array<
    Omit<ReportIncident, 'clocks'> & {
      firstRelease: {
        status: FirstReleaseStatus;
        windowMs: number | null;
        /** From the moment the event was known to the first release; null while none came. */
        timeToReleaseMs: number | null;
      };
      /** Names of this incident's clocks that ran out, met late or not. */
      breaches: string[];
      holders: string[];
    }
  >;
  /** O5: the units that let a clock run out, most breaches first, with who held the work. */
  breachesByUnit: Array<{ unit: string; count: number; clocks: string[]; holders: string[] }>;
}

export function buildReport(incidents: ReportIncident[], window: { city: string | null; from: string; to: string }) {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const units = new Map<string, { unit: string; count: number; clocks: Set<string>; holders: Set<string> }>();
  const rows: IncidentReport['incidents'] = [];
  for (const incident of incidents) {
    bySeverity[incident.severity] += 1;
    const breached = incident.clocks.filter((c) => c.breachedAt !== null);
    for (const c of breached) {
      const unit = c.unit ?? incident.unit;
      const entry = units.get(unit) ?? { unit, count: 0, clocks: new Set(), holders: new Set() };
      entry.count += 1;
      entry.clocks.add(c.name);
      c.holders.forEach((h) => entry.holders.add(h));
      units.set(unit, entry);
    }
    const first = incident.clocks.find((c) => c.clockId === FIRST_RELEASE);
    const { clocks: _, ...fields } = incident;
    rows.push({
      ...fields,
      firstRelease: {
        status: first ? firstReleaseStatus(first) : 'none',
        windowMs: first?.windowMs ?? null,
        timeToReleaseMs: first?.metAt ? Date.parse(first.metAt) - Date.parse(first.startedAt) : null,
      },
      breaches: breached.map((c) => c.name),
      holders: [...new Set(breached.flatMap((c) => c.holders))],
    });
  }
  const report: IncidentReport = {
    ...window,
    total: incidents.length,
    bySeverity,
    incidents: rows,
    breachesByUnit: [...units.values()]
      .map((u) => ({ unit: u.unit, count: u.count, clocks: [...u.clocks], holders: [...u.holders].sort() }))
      .sort((a, b) => b.count - a.count || a.unit.localeCompare(b.unit)),
  };
  return report;
}

function firstReleaseStatus(c: ReportClock): FirstReleaseStatus {
  if (c.status === 'met' || c.late) return c.late ? 'late' : 'met';
  return c.status;
}

const CSV_COLUMNS = [
  'incident',
  'city',
  'severity',
  'unit',
  'known_at',
  'summary',
  'first_release_status',
  'first_release_window_minutes',
  'first_release_minutes',
  'breached_clocks',
  'holders',
] as const;

/**
 * One row per incident, with a header row. A byte-order mark lets spreadsheet programs read the
 * UTF-8 Chinese text as such.
 */
export function reportCsv(report: IncidentReport): string {
  const minutes = (ms: number | null) => (ms === null ? '' : String(Math.round(ms / 6_000) / 10));
  const lines = report.incidents.map((i) =>
    [
      i.id,
      i.city,
      i.severity,
      i.unit,
      i.knownAt,
      i.summary,
      i.firstRelease.status,
      minutes(i.firstRelease.windowMs),
      minutes(i.firstRelease.timeToReleaseMs),
      i.breaches.join('; '),
      i.holders.join('; '),
    ]
      .map(csvField)
      .join(','),
  );
  return `\uFEFF${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

/** Quoted where needed (RFC 4180); text that a spreadsheet would run as a formula is defused. */
function csvField(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
