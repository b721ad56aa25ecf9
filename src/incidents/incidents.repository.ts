import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { FabuException } from '../common/problem.js';
import type { ReportClock, ReportIncident } from './report.js';
import type { RouteRule, Severity } from './routing.js';

/** What intake recorded of an incident (O1). */
export interface IncidentRecord {
  id: string;
  city: string;
  source: string;
  sourceId: string | null;
  summary: string;
  locality: string | null;
  topic: string | null;
  links: string[];
  knownAt: Date;
  reportedBy: string;
  units: string[];
  leadUnit: string;
  matchedRoutes: string[];
  createdAt: Date;
}

/** An incident with what its response chain's read model says now. */
export interface IncidentRow extends IncidentRecord {
  processKey: string | null;
  status: 'running' | 'completed' | null;
  stage: string | null;
  outcome: string | null;
  orgCode: string | null;
  severity: string | null;
}

export interface ClockRow extends ReportClock {
  requestId: string;
  rules: string[];
  warnAt: string;
  severity: string | null;
  warnedAt: string | null;
  metBy: string | null;
  stoppedAt: string | null;
}

export interface ReleaseRow {
  requestId: string;
  channel: string;
  title: string;
  createdAt: string;
}

/** Who may see which incidents (the press office of a city, members of a unit, the reporter, operators). */
export interface Visibility {
  admin: boolean;
  username: string;
  pressCities: string[];
  orgs: string[];
}

/** The same (source, sourceId) was reported before: the first incident answers. */
export class AlreadyReported extends Error {
  constructor(readonly incidentId: string) {
    super(`already reported as ${incidentId}`);
  }
}

/** The units responsible now (a hand-over replaces one in the chain's `units`), else those of the intake. */
const UNITS_NOW = `CASE WHEN jsonb_typeof(r.variables->'units') = 'array'
  THEN ARRAY(SELECT jsonb_array_elements_text(r.variables->'units')) ELSE i.units END`;

/** Selected as an {@link IncidentRow}. */
const INCIDENT_COLUMNS = `i.id, i.city, i.source, i.source_id AS "sourceId", i.summary, i.locality, i.topic, i.links,
  i.known_at AS "knownAt", i.reported_by AS "reportedBy", ${UNITS_NOW} AS units, i.lead_unit AS "leadUnit",
  i.matched_routes AS "matchedRoutes", i.created_at AS "createdAt", r.process_key AS "processKey", r.status, r.stage,
  r.outcome, r.org_code AS "orgCode", r.variables->>'severity' AS severity`;

/** The press office of its city, the reporter, operators, and members of a unit asked now or at intake. */
const VISIBLE = `($1::boolean OR i.city = ANY($2::text[]) OR i.reported_by = $3
  OR r.org_code = ANY($4::text[]) OR i.units && $4::text[] OR ${UNITS_NOW} && $4::text[])`;

@Injectable()
export class IncidentsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Records an incident inside its chain's reservation (RequestsRepository.reserve), so the id,
   * the intake record and the start input commit together. The same (source, sourceId) again
   * throws {@link AlreadyReported}, which rolls the reservation back.
   */
  async record(m: EntityManager, incident: Omit<IncidentRecord, 'createdAt'>, startInput: object): Promise<void> {
    const inserted = await m.query<Array<{ id: string }>>(
      `INSERT INTO incidents (id, city, source, source_id, summary, locality, topic, links, known_at, reported_by,
                              units, lead_unit, matched_routes, start_input)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (source, source_id) WHERE source_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        incident.id,
        incident.city,
        incident.source,
        incident.sourceId,
        incident.summary,
        incident.locality,
        incident.topic,
        JSON.stringify(incident.links),
        incident.knownAt,
        incident.reportedBy,
        incident.units,
        incident.leadUnit,
        JSON.stringify(incident.matchedRoutes),
        JSON.stringify(startInput),
      ],
    );
    if (inserted.length === 0) {
      throw new AlreadyReported((await this.bySource(incident.source, incident.sourceId!, m))!);
    }
  }

  /** The incident first reported from this source under this id. */
  async bySource(source: string, sourceId: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const [row] = await m.query<Array<{ id: string }>>(
      'SELECT id FROM incidents WHERE source = $1 AND source_id = $2',
      [source, sourceId],
    );
    return row?.id ?? null;
  }

  /** What the incident's chain was started with: a repeat finishes a start that stopped short. */
  async startInputOf(id: string): Promise<object> {
    const [row] = await this.db.query<Array<{ start_input: object }>>(
      'SELECT start_input FROM incidents WHERE id = $1',
      [id],
    );
    return row!.start_input;
  }

  async find(id: string): Promise<IncidentRow | null> {
    const [row] = await this.db.query<IncidentRow[]>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents i LEFT JOIN requests r ON r.id = i.id WHERE i.id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** Incidents the caller may see, newest first, keyset-paginated. */
  async page(
    who: Visibility,
    filters: { city?: string; status?: string },
    limit: number,
    cursor?: string,
  ): Promise<{ items: IncidentRow[]; nextCursor: string | null }> {
    const after = cursor ? decodeCursor(cursor) : null;
    const rows = await this.db.query<IncidentRow[]>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents i LEFT JOIN requests r ON r.id = i.id
        WHERE ${VISIBLE}
          AND ($5::text IS NULL OR i.city = $5) AND ($6::text IS NULL OR r.status = $6)
          AND ($7::timestamptz IS NULL OR (i.created_at, i.id) < ($7::timestamptz, $8::text))
        ORDER BY i.created_at DESC, i.id DESC LIMIT $9`,
      [
        who.admin,
        who.pressCities,
        who.username,
        who.orgs,
        filters.city ?? null,
        filters.status ?? null,
        after?.at ?? null,
        after?.id ?? null,
        limit + 1,
      ],
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** Whether the caller may see this incident; the same rule as {@link page}. */
  async isVisible(who: Visibility, id: string): Promise<boolean> {
    const [row] = await this.db.query<Array<{ ok: boolean }>>(
      `SELECT ${VISIBLE} AS ok FROM incidents i LEFT JOIN requests r ON r.id = i.id WHERE i.id = $5`,
      [who.admin, who.pressCities, who.username, who.orgs, id],
    );
    return row?.ok ?? false;
  }

  /** The clocks of these incidents' chains, as last projected. */
  async clocksOf(requestIds: string[]): Promise<ClockRow[]> {
    if (requestIds.length === 0) return [];
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      // window_ms as float8: a bigint would arrive as a string; a window of hours is an exact double.
      `SELECT request_id AS "requestId", clock_id AS "clockId", name, rules, status, started_at AS "startedAt",
              window_ms::float8 AS "windowMs", due_at AS "dueAt", warn_at AS "warnAt", severity,
              warned_at AS "warnedAt", breached_at AS "breachedAt", met_at AS "metAt", met_by AS "metBy", late,
              holders, unit, stopped_at AS "stoppedAt"
         FROM incident_clocks WHERE request_id = ANY($1::text[]) ORDER BY request_id, started_at, clock_id`,
      [requestIds],
    );
    return isoInstants<ClockRow>(rows);
  }

  /** What was published for these incidents (the outbox feature's `releases`), oldest first. */
  async releasesOf(requestIds: string[]): Promise<ReleaseRow[]> {
    if (requestIds.length === 0) return [];
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT request_id AS "requestId", channel, title, created_at AS "createdAt"
         FROM releases WHERE request_id = ANY($1::text[]) ORDER BY id`,
      [requestIds],
    );
    return isoInstants<ReleaseRow>(rows);
  }

  /**
   * The accountability report's input (O5, U3): incidents known in [from, to) with their clocks.
   * Reads incidents, requests and incident_clocks only.
   */
  async reportRows(city: string | null, from: Date, to: Date): Promise<ReportIncident[]> {
    const rows = await this.db.query<IncidentRow[]>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents i LEFT JOIN requests r ON r.id = i.id
        WHERE ($1::text IS NULL OR i.city = $1) AND i.known_at >= $2 AND i.known_at < $3
        ORDER BY i.known_at, i.id`,
      [city, from, to],
    );
    const clocks = await this.clocksOf(rows.map((i) => i.id));
    return rows.map((i) => ({
      id: i.id,
      city: i.city,
      summary: i.summary,
      severity: (i.severity ?? 'general') as Severity,
      unit: i.orgCode ?? i.leadUnit,
      knownAt: i.knownAt.toISOString(),
      clocks: clocks.filter((c) => c.requestId === i.id),
    }));
  }

  async routes(city?: string): Promise<RouteRule[]> {
    return this.db.query<RouteRule[]>(
      `SELECT id::text, city, locality, topic, min_severity AS "minSeverity", units, lead_unit AS "leadUnit", priority, note
         FROM incident_routes WHERE ($1::text IS NULL OR city = $1) ORDER BY city, priority DESC, id`,
      [city ?? null],
    );
  }

  /** Replaces a city's rules in one transaction: readers see the old set or the new one. */
  async replaceRoutes(city: string, rules: Array<Omit<RouteRule, 'id' | 'city'>>): Promise<RouteRule[]> {
    await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`incident-routes:${city}`]);
      await m.query('DELETE FROM incident_routes WHERE city = $1', [city]);
      for (const rule of rules) await insertRoute(m, city, rule);
    });
    return this.routes(city);
  }

  /** Seeds rules for the cities that have none yet: an administrator's rules survive a restart. */
  async seedRoutes(rules: Array<Omit<RouteRule, 'id'>>): Promise<string[]> {
    const seeded: string[] = [];
    for (const city of new Set(rules.map((r) => r.city))) {
      await this.db.transaction(async (m) => {
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`incident-routes:${city}`]);
        const [{ n }] = await m.query<Array<{ n: number }>>(
          'SELECT count(*)::int AS n FROM incident_routes WHERE city = $1',
          [city],
        );
        if (n > 0) return;
        for (const rule of rules.filter((r) => r.city === city)) await insertRoute(m, city, rule);
        seeded.push(city);
      });
    }
    return seeded;
  }
}

async function insertRoute(m: EntityManager, city: string, rule: Omit<RouteRule, 'id' | 'city'>): Promise<void> {
  await m.query(
    `INSERT INTO incident_routes (city, locality, topic, min_severity, units, lead_unit, priority, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [city, rule.locality, rule.topic, rule.minSeverity, rule.units, rule.leadUnit, rule.priority, rule.note],
  );
}

function encodeCursor(last: IncidentRow): string {
  return Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string') return { at, id };
  } catch {
    // not one of ours: refused below
  }
  throw new FabuException('VALIDATION_FAILED', 'cursor is not one this API issued', [
    { path: 'cursor', message: 'invalid cursor' },
  ]);
}

/** Rows with their instants as the API gives them (ISO 8601, UTC). */
function isoInstants<T>(rows: Array<Record<string, unknown>>): T[] {
  return rows.map(
    (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])) as T,
  );
}
