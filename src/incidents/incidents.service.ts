import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { addDays, businessDate, endOfBusinessDay } from '../calendar/working-days.js';
import { FabuException, type ProblemItem } from '../common/problem.js';
import { type DirectoryUser, DirectoryRepository } from '../directory/directory.repository.js';
import { PRESS_OFFICE_POSITIONS } from '../directory/positions.js';
import type { ProcessIR } from '../processes/ir.js';
import { ProcessDefinitionsRepository } from '../processes/process-definitions.repository.js';
import { checkVariables, type Launch, RequestsService } from '../requests/requests.service.js';
import { TEMPORAL_CLIENT } from '../temporal/temporal.tokens.js';
import { type ApprovalProcessInput, handOverUpdate, reassessUpdate } from '../../workflows/definitions.js';
import {
  AlreadyReported,
  type ClockRow,
  type IncidentRow,
  IncidentsRepository,
  type ReleaseRow,
  type Visibility,
} from './incidents.repository.js';
import type {
  ClockView,
  CreateIncident,
  HandOverBody,
  IncidentView,
  ListIncidentsQuery,
  PutRoutes,
  ReassessBody,
  ReportQuery,
} from './incidents.schemas.js';
import { buildReport, type IncidentReport, reportCsv } from './report.js';
import { type Route, type RouteRule, route } from './routing.js';

/** A reporter's clock may run slightly ahead of ours; beyond this a knownAt is in the future. */
const CLOCK_SKEW_MS = 60_000;
/** The request title: the summary's beginning. */
const TITLE_LENGTH = 60;

/**
 * Incidents (O1): intake of what monitoring found or a person reported, routed to the responsible
 * units by rules kept as data (O1, H7, O4), answered by the city's response chain, whose hour
 * clocks (O2, H7, U2) feed the accountability report (O5, U3).
 */
@Injectable()
export class IncidentsService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    private readonly incidents: IncidentsRepository,
    private readonly requests: RequestsService,
    private readonly definitions: ProcessDefinitionsRepository,
    private readonly directory: DirectoryRepository,
  ) {}

  /**
   * O1: records the incident and starts the city's response chain. Idempotent twice over: the same
   * (source, sourceId) names the first incident whoever reports it again, and an Idempotency-Key
   * repeats the first answer as POST /api/requests does. The reporter need not belong to the lead
   * unit: a monitoring account or the press office reports for it.
   */
  async create(
    user: DirectoryUser,
    body: CreateIncident,
    idempotencyKey?: string,
  ): Promise<{ incident: IncidentView; created: boolean }> {
    const now = new Date();
    const bodyHash = createHash('sha256')
      .update(JSON.stringify({ ...body, reportedBy: user.username }))
      .digest('hex');
    const launch: Launch = { principal: user.username, idempotencyKey, bodyHash };
    const seen = await this.requests.repeatOf(launch);
    if (seen) return { incident: await this.view(seen), created: false };
    const first = body.sourceId ? await this.incidents.bySource(body.source, body.sourceId) : null;
    if (first) return this.reportedBefore(first);

    const definition = await this.intakeProcess(body.city);
    const ir = definition.ir;
    const knownAt = checkKnownAt(body.knownAt, now);
    const routed = route(await this.incidents.routes(body.city), {
      city: body.city,
      locality: body.locality,
      topic: body.topic,
      severity: body.severity,
    });
    const { units, leadUnit } = await this.responsible(body, routed);
    const variables = checkVariables(
      ir,
      declaredOnly(ir, {
        severity: body.severity,
        type: body.type,
        knownAt: knownAt.toISOString(),
        units,
        locality: body.locality ?? '',
        topic: body.topic ?? '',
        summary: body.summary,
        source: body.source,
        rumour: body.rumour,
        heavy: body.heavy,
      }),
    );
    try {
      const { requestId, created } = await this.requests.launch(launch, {
        prefix: ir.code,
        now,
        makeStartInput: (): ApprovalProcessInput => ({
          definition: { key: definition.key, version: definition.version, ir },
          request: {
            title: [...body.summary].slice(0, TITLE_LENGTH).join(''),
            orgCode: leadUnit,
            materials: [],
            major: body.severity !== 'general',
            initiator: user.username,
            variables,
          },
          submittedAt: now.toISOString(),
        }),
        alongside: (m, id, input) =>
          this.incidents.record(
            m,
            {
              id,
              city: body.city,
              source: body.source,
              sourceId: body.sourceId ?? null,
              summary: body.summary,
              locality: body.locality ?? null,
              topic: body.topic ?? null,
              links: body.links,
              knownAt,
              reportedBy: user.username,
              units,
              leadUnit,
              matchedRoutes: body.units ? [] : routed.matched,
            },
            input,
          ),
      });
      return { incident: await this.view(requestId), created };
    } catch (err) {
      // Reported from the same source at the same moment: the first one's transaction won.
      if (err instanceof AlreadyReported) return this.reportedBefore(err.incidentId);
      throw err;
    }
  }

  async list(user: DirectoryUser, query: ListIncidentsQuery) {
    const { limit, cursor, ...filters } = query;
    const page = await this.incidents.page(await this.visibility(user), filters, limit, cursor);
    return { items: await this.views(page.items), nextCursor: page.nextCursor };
  }

  async get(user: DirectoryUser, id: string): Promise<IncidentView> {
    return (await this.views([await this.visible(user, id)]))[0]!;
  }

  /** Re-assessment (研判, O1): the press office of the city changes the severity; windows shorten on an upgrade. */
  async reassess(user: DirectoryUser, id: string, body: ReassessBody): Promise<IncidentView> {
    const incident = await this.visible(user, id);
    if (!user.isAdmin && !(await this.pressCities(user)).includes(incident.city)) {
      throw new FabuException('FORBIDDEN', `only the press office of ${incident.city} re-assesses its incidents`);
    }
    await this.requests.chainUpdate(id, () =>
      this.temporal.workflow.getHandle(id).executeUpdate(reassessUpdate, {
        args: [{ actor: user.username, severity: body.severity, ...(body.reason ? { reason: body.reason } : {}) }],
      }),
    );
    return this.get(user, id);
  }

  /**
   * O1/O4: a unit hands the incident (by default as the responsible unit, or its own part) on to
   * the unit whose duty it is; a member of that unit or the press office of the city decides. The
   * clocks keep running.
   */
  async handOver(user: DirectoryUser, id: string, body: HandOverBody): Promise<IncidentView> {
    const incident = await this.visible(user, id);
    const unit = body.from ?? incident.orgCode ?? incident.leadUnit;
    const member = user.orgCode === unit || user.positions.some((p) => p.orgCode === unit);
    if (!user.isAdmin && !member && !(await this.pressCities(user)).includes(incident.city)) {
      throw new FabuException('FORBIDDEN', `only a member of ${unit} or the press office hands its part on`);
    }
    const to = await this.directory.findOrg(body.to);
    if (!to || to.city !== incident.city) {
      throw new FabuException('HANDOVER_INVALID', `${body.to} is not an org of ${incident.city}`, [
        { path: 'to', message: to ? `an org of ${to.city}` : 'unknown org' },
      ]);
    }
    await this.requests.chainUpdate(id, () =>
      this.temporal.workflow.getHandle(id).executeUpdate(handOverUpdate, {
        args: [
          {
            actor: user.username,
            to: body.to,
            ...(body.from ? { from: body.from } : {}),
            ...(body.reason ? { reason: body.reason } : {}),
          },
        ],
      }),
    );
    return this.get(user, id);
  }

  /** O5, U3: the accountability report of a city's incidents known between two days (Asia/Shanghai). */
  async report(user: DirectoryUser, query: ReportQuery): Promise<IncidentReport | string> {
    const city = query.city ?? null;
    if (!user.isAdmin && (!city || !(await this.pressCities(user)).includes(city))) {
      throw new FabuException('FORBIDDEN', 'the report is for administrators and the press office of its city', [
        { path: 'city', message: city ? 'not your city' : 'name your city' },
      ]);
    }
    const today = businessDate(new Date());
    const from = query.from ?? `${today.slice(0, 4)}-01-01`;
    const to = query.to ?? today;
    const rows = await this.incidents.reportRows(
      city,
      endOfBusinessDay(from, '00:00'),
      endOfBusinessDay(addDays(to, 1), '00:00'),
    );
    const report = buildReport(rows, { city, from, to });
    return query.format === 'csv' ? reportCsv(report) : report;
  }

  /** The routing rules (an administrator, or the press office of that city). */
  async routes(user: DirectoryUser, city?: string): Promise<{ items: RouteRule[] }> {
    const mine = user.isAdmin ? [] : await this.pressCities(user);
    if (!user.isAdmin && (!city || !mine.includes(city))) {
      throw new FabuException('FORBIDDEN', 'routing rules are for administrators and the press office of their city', [
        { path: 'city', message: city ? 'not your city' : 'name your city' },
      ]);
    }
    return { items: await this.incidents.routes(city) };
  }

  /**
   * Replaces a city's routing rules (an administrator). Every org a rule names must be one of the
   * city's; otherwise nothing changes and each unknown code is named.
   */
  async replaceRoutes(user: DirectoryUser, city: string, body: PutRoutes): Promise<{ items: RouteRule[] }> {
    if (!user.isAdmin) throw new FabuException('FORBIDDEN', 'only an administrator changes routing rules');
    const codes = body.rules.flatMap((r) => [...r.units, ...(r.leadUnit ? [r.leadUnit] : [])]);
    const known = new Map((await this.directory.findOrgs([...new Set(codes)])).map((o) => [o.code, o.city]));
    const errors: ProblemItem[] = [];
    const check = (code: string, path: string) => {
      const orgCity = known.get(code);
      if (orgCity !== city)
        errors.push({ path, message: orgCity ? `${code} is an org of ${orgCity}` : `no org ${code}` });
    };
    body.rules.forEach((r, i) => {
      r.units.forEach((u, j) => check(u, `rules.${i}.units.${j}`));
      if (r.leadUnit) check(r.leadUnit, `rules.${i}.leadUnit`);
    });
    if (errors.length) throw new FabuException('ROUTES_INVALID', `the rules name orgs that are not ${city}'s`, errors);
    return { items: await this.incidents.replaceRoutes(city, body.rules) };
  }

  /** The first incident reported from a source, its chain started if the first attempt stopped short. */
  private async reportedBefore(id: string): Promise<{ incident: IncidentView; created: boolean }> {
    const first = await this.incidents.startInputOf(id);
    await this.requests.start(id, first as ApprovalProcessInput);
    return { incident: await this.view(id), created: false };
  }

  /** O1: the process that answers the city's incidents (fabu:intake), its newest deployment. */
  private async intakeProcess(city: string) {
    const answering = (await this.definitions.listLatest())
      .filter((d) => d.ir.intake === city)
      .sort((a, b) => b.deployedAt.getTime() - a.deployedAt.getTime());
    if (!answering[0]) {
      throw new FabuException('NO_INTAKE_PROCESS', `no deployed process answers incidents of ${city}`, [
        { path: 'city', message: `no process has fabu:intake="${city}"` },
      ]);
    }
    return answering[0];
  }

  /**
   * The units asked and the lead (O1, O4): those a person named, else routing's; the lead first.
   * Each must be an org of the incident's city.
   */
  private async responsible(body: CreateIncident, routed: Route): Promise<{ units: string[]; leadUnit: string }> {
    const units = body.units ?? routed.units;
    const leadUnit = body.leadUnit ?? (routed.leadUnit && units.includes(routed.leadUnit) ? routed.leadUnit : units[0]);
    if (!leadUnit) {
      throw new FabuException('ROUTE_NOT_FOUND', `no routing rule of ${body.city} answers this incident`, [
        { path: 'units', message: 'name the responsible units (or an administrator adds a catch-all rule)' },
      ]);
    }
    const all = [leadUnit, ...units.filter((u) => u !== leadUnit)];
    const cities = new Map((await this.directory.findOrgs(all)).map((o) => [o.code, o.city]));
    const pathOf = (code: string) =>
      body.leadUnit === code ? 'leadUnit' : body.units ? `units.${body.units.indexOf(code)}` : 'city';
    const errors = all
      .filter((code) => cities.get(code) !== body.city)
      .map((code) => ({
        path: pathOf(code),
        message: cities.has(code) ? `${code} is an org of ${cities.get(code)}` : `no org ${code}`,
      }));
    if (errors.length) throw new FabuException('INCIDENT_INVALID', `units not of ${body.city}`, errors);
    return { units: all, leadUnit };
  }

  private async visible(user: DirectoryUser, id: string): Promise<IncidentRow> {
    const incident = await this.incidents.find(id);
    // Not yours to see: answered as if it did not exist, so ids cannot be probed.
    if (!incident || !(await this.incidents.isVisible(await this.visibility(user), id))) {
      throw new FabuException('INCIDENT_NOT_FOUND', `no incident ${id}`);
    }
    return incident;
  }

  private async visibility(user: DirectoryUser): Promise<Visibility> {
    return {
      admin: user.isAdmin,
      username: user.username,
      pressCities: await this.pressCities(user),
      orgs: [...new Set([user.orgCode, ...user.positions.map((p) => p.orgCode)])],
    };
  }

  /** The cities whose press office the user works in. */
  private async pressCities(user: DirectoryUser): Promise<string[]> {
    const offices = user.positions.filter((p) => PRESS_OFFICE_POSITIONS.has(p.position)).map((p) => p.orgCode);
    return [...new Set((await this.directory.findOrgs(offices)).map((o) => o.city))];
  }

  private async view(id: string): Promise<IncidentView> {
    return (await this.views([(await this.incidents.find(id))!]))[0]!;
  }

  private async views(incidents: IncidentRow[]): Promise<IncidentView[]> {
    const ids = incidents.map((i) => i.id);
    const [clocks, releases] = await Promise.all([this.incidents.clocksOf(ids), this.incidents.releasesOf(ids)]);
    const now = Date.now();
    return incidents.map((i) => toView(i, clocks, releases, now));
  }
}

/** When the event became known (the clocks count from it): never in the future. */
function checkKnownAt(knownAt: string | undefined, now: Date): Date {
  if (!knownAt) return now;
  const at = new Date(knownAt);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new FabuException('INCIDENT_INVALID', `knownAt ${knownAt} is in the future`, [
      { path: 'knownAt', message: 'in the future' },
    ]);
  }
  return at;
}

/** The intake's values the process declares (`<fabu:variable>`): a chain sees only what it asked for. */
function declaredOnly<T extends Record<string, unknown>>(ir: ProcessIR, values: T): Partial<T> {
  const declared = new Set((ir.variables ?? []).map((v) => v.name));
  return Object.fromEntries(Object.entries(values).filter(([name]) => declared.has(name))) as Partial<T>;
}

function toView(i: IncidentRow, clocks: ClockRow[], releases: ReleaseRow[], now: number): IncidentView {
  return {
    id: i.id,
    city: i.city,
    source: i.source,
    sourceId: i.sourceId,
    summary: i.summary,
    locality: i.locality,
    topic: i.topic,
    links: i.links,
    knownAt: i.knownAt.toISOString(),
    reportedBy: i.reportedBy,
    units: i.units,
    matchedRoutes: i.matchedRoutes,
    createdAt: i.createdAt.toISOString(),
    processKey: i.processKey,
    status: i.status,
    stage: i.stage,
    outcome: i.outcome,
    orgCode: i.orgCode,
    severity: i.severity,
    clocks: clocks.filter((c) => c.requestId === i.id).map((c) => clockView(c, now)),
    releases: releases
      .filter((r) => r.requestId === i.id)
      .map((r) => ({ channel: r.channel, title: r.title, createdAt: r.createdAt })),
  };
}

function clockView({ requestId: _, ...c }: ClockRow, now: number): ClockView {
  const remainingMs = c.status === 'running' ? Date.parse(c.dueAt) - now : null;
  return { ...c, remainingMs, overdue: c.breachedAt !== null || (remainingMs !== null && remainingMs < 0) };
}
