import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service.js';
import { addDays, businessDate, computeDue } from '../calendar/working-days.js';
import { type ErrorCode, FabuException } from '../common/problem.js';
import { scheduleOf } from '../processes/ir.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { DirectoryRepository } from '../directory/directory.repository.js';
import { DocumentsRepository } from '../documents/documents.repository.js';
import { coveredApprovals, dossierDocuments } from '../documents/materials.js';
import { conditionHolds } from '../processes/feel.js';
import type { DateField, ProcessIR, Variable } from '../processes/ir.js';
import { ProcessesService } from '../processes/processes.service.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { TEMPORAL_CLIENT } from '../temporal/temporal.tokens.js';
import { approvalProcess } from '../../workflows/approval-process.js';
import {
  type ApprovalProcessInput,
  CHAIN_REFUSED,
  type RequestFields,
  RESCHEDULE_REFUSED,
  startingAttributes,
  cancelUpdate,
  ccUpdate,
  changeUpdate,
  messageUpdate,
  startedUpdate,
  withdrawUpdate,
} from '../../workflows/definitions.js';
import { type Reservation, RequestsRepository } from './requests.repository.js';
import type {
  CcBody,
  Change,
  CreateRequest,
  EndRequest,
  ListRequestsQuery,
  MessageBody,
  RequestView,
  Reschedule,
} from './requests.schemas.js';

/** The request's date fields that deadlines count from. */
type DateFields = Partial<Record<DateField, string>>;

export interface Created {
  request: RequestView;
  /** False when an Idempotency-Key repeated an earlier POST: the first request is returned. */
  created: boolean;
}

/** Who asks to start a chain, and how a repeat of the same POST is recognised. */
export interface Launch {
  /** An Idempotency-Key is its principal's alone. */
  principal: string;
  idempotencyKey?: string;
  /** Of what was asked: the same key with another body is refused (IDEMPOTENCY_KEY_REUSED). */
  bodyHash: string;
}

@Injectable()
export class RequestsService {
  constructor(
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    private readonly processes: ProcessesService,
    private readonly directory: DirectoryRepository,
    private readonly requests: RequestsRepository,
    private readonly calendar: CalendarService,
    private readonly documents: DocumentsRepository,
  ) {}

  async create(user: DirectoryUser, body: CreateRequest, idempotencyKey?: string): Promise<Created> {
    const orgCode = body.orgCode ?? user.orgCode;
    const request = { ...body, orgCode, initiator: user.username };
    const bodyHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const launch: Launch = { principal: user.username, idempotencyKey, bodyHash };
    // A repeat returns the first request even if, since then, the rules would refuse it (e.g. H1 lateness).
    const seen = await this.repeatOf(launch);
    if (seen) return { request: (await this.view(seen))!, created: false };

    const definition = await this.processes.get(body.processKey).catch((err: unknown) => {
      if (err instanceof FabuException)
        throw new FabuException(err.code, err.detail, [{ path: 'processKey', message: err.detail }]);
      throw err;
    });
    const ir = definition.ir;
    if (scheduleOf(ir)) {
      throw new FabuException(
        'PROCESS_RECURRING',
        `${ir.key} is recurring: its schedule starts each run (an operator can trigger one: POST /api/schedules/${ir.key}/trigger)`,
        [{ path: 'processKey', message: 'started by its schedule, not by a request' }],
      );
    }
    const variables = checkVariables(ir, body.variables);
    await this.checkApplicant(user, orgCode);
    const now = new Date();
    await this.checkApplyBefore(ir, body, now, { ...variables, major: body.major, orgCode, title: body.title });
    await this.checkCalendarYears(body, now);

    const { requestId, created } = await this.launch(launch, {
      prefix: ir.code,
      now,
      makeStartInput: (): ApprovalProcessInput => ({
        definition: { key: definition.key, version: definition.version, ir },
        request: {
          title: request.title,
          orgCode,
          conferenceDate: request.conferenceDate,
          materials: request.materials,
          major: request.major,
          initiator: user.username,
          variables,
        },
        submittedAt: now.toISOString(),
      }),
    });
    // start() returns once the first projection is written: the read model has the request.
    return { request: (await this.view(requestId))!, created };
  }

  /** The request an earlier POST with the same Idempotency-Key started (finishing its start), or null. */
  async repeatOf(launch: Launch): Promise<string | null> {
    if (!launch.idempotencyKey) return null;
    const seen = await this.requests.findReservation(launch.principal, launch.idempotencyKey);
    return seen && this.repeat(seen, launch);
  }

  /**
   * Allocates the business id (per chain code and year), records the Idempotency-Key and whatever
   * `alongside` writes in one transaction, then starts the workflow. Two identical POSTs racing: the
   * second finds the first's reservation inside the transaction and gets its request.
   */
  async launch(
    launch: Launch,
    args: {
      prefix: string;
      now: Date;
      makeStartInput: (requestId: string) => ApprovalProcessInput;
      alongside?: (m: EntityManager, requestId: string, input: ApprovalProcessInput) => Promise<void>;
    },
  ): Promise<{ requestId: string; created: boolean }> {
    const { idempotencyKey, principal, bodyHash } = launch;
    const reservation = await this.requests.reserve({
      prefix: args.prefix,
      year: Number(businessDate(args.now).slice(0, 4)),
      idempotency: idempotencyKey ? { principal, key: idempotencyKey, bodyHash } : undefined,
      makeStartInput: args.makeStartInput,
      alongside: args.alongside,
    });
    if (reservation.repeated) return { requestId: await this.repeat(reservation, launch), created: false };
    await this.start(reservation.requestId, reservation.startInput as ApprovalProcessInput);
    return { requestId: reservation.requestId, created: true };
  }

  private async repeat(seen: Reservation, launch: Launch): Promise<string> {
    if (seen.bodyHash !== launch.bodyHash) {
      throw new FabuException(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key ${launch.idempotencyKey} was first used for a different request (${seen.requestId})`,
      );
    }
    // The first attempt may have stopped before its workflow started: finishing the start is safe.
    await this.start(seen.requestId, seen.startInput as ApprovalProcessInput);
    return seen.requestId;
  }

  /**
   * Moves the conference (H6). The new date must still respect the chain's lead time (H1), as a
   * new application would; the workflow then counts every deadline derived from it again.
   */
  async reschedule(user: DirectoryUser, id: string, body: Reschedule): Promise<RequestView> {
    return this.change(user, id, { conferenceDate: body.conferenceDate, reason: body.reason });
  }

  /**
   * Changes the request (H6: time, place, content): only its applicant may. A new date must still
   * respect the chain's lead time (H1), as a new application would; new variables must fit the
   * chain. Where the chain says so (fabu:restartAt), an approval already under way runs again.
   */
  async change(user: DirectoryUser, id: string, body: Change): Promise<RequestView> {
    const view = await this.get(user, id);
    if (view.initiator !== user.username) {
      throw new FabuException('FORBIDDEN', `only ${view.initiator}, who applied, may change the request`);
    }
    const definition = await this.processes.get(view.processKey, view.processVersion);
    const declared = new Set((definition.ir.variables ?? []).map((v) => v.name));
    const current = Object.fromEntries(Object.entries(view.variables).filter(([name]) => declared.has(name))) as Record<
      string,
      VariableValue
    >;
    const variables = body.variables ? checkVariables(definition.ir, { ...current, ...body.variables }) : undefined;
    if (body.conferenceDate) {
      const context = {
        ...current,
        ...variables,
        major: view.major,
        orgCode: view.orgCode,
        title: body.title ?? view.title,
      };
      await this.checkApplyBefore(definition.ir, body, new Date(), context);
    }
    await this.chainUpdate(id, () =>
      this.temporal.workflow.getHandle(id).executeUpdate(changeUpdate, {
        args: [
          {
            actor: user.username,
            reason: body.reason,
            ...(body.title !== undefined ? { title: body.title } : {}),
            ...(body.conferenceDate !== undefined ? { conferenceDate: body.conferenceDate } : {}),
            ...(body.materials !== undefined ? { materials: body.materials } : {}),
            ...(variables ? { variables } : {}),
          },
        ],
      }),
    );
    return (await this.view(id))!;
  }

  /** The audit trail with its hash chain (visible to whoever may see the request). */
  async audit(user: DirectoryUser, id: string) {
    await this.get(user, id);
    return { items: await this.requests.audit(id) };
  }

  /** Recomputes the request's audit chain and reports the first broken link. */
  async verify(user: DirectoryUser, id: string) {
    await this.get(user, id);
    return this.requests.verify(id);
  }

  /**
   * The dossier (备案材料) as JSON: the request, every decision and opinion (an approval with the
   * hashes of the document versions it approved), every document version with its SHA-256 and the
   * approvals that covered it, and the verified chain head.
   */
  async dossier(user: DirectoryUser, id: string) {
    const view = await this.get(user, id);
    const approvals = coveredApprovals(view.history);
    return {
      request: {
        id: view.id,
        processKey: view.processKey,
        processVersion: view.processVersion,
        title: view.title,
        orgCode: view.orgCode,
        conferenceDate: view.conferenceDate,
        materials: view.materials,
        initiator: view.initiator,
        status: view.status,
        outcome: view.outcome,
        round: view.round,
      },
      decisions: view.tasks
        .filter((t) => t.decision !== null)
        .map((t) => ({
          taskId: t.id,
          elementId: t.elementId,
          name: t.name,
          round: t.round,
          decision: t.decision!,
          decidedBy: t.decidedBy,
          comment: t.comment,
          returnTo: t.returnTo,
          closedAt: t.closedAt,
          documents: approvals.findLast((a) => a.taskId === t.id)?.documents ?? null,
        })),
      documents: dossierDocuments(await this.documents.list(id), view.history),
      chain: await this.requests.verify(id),
      exportedAt: new Date().toISOString(),
    };
  }

  /** 撤回: the applicant ends the chain while no one else has decided yet. */
  async withdraw(user: DirectoryUser, id: string, body: EndRequest): Promise<RequestView> {
    await this.get(user, id);
    await this.chainUpdate(id, () =>
      this.temporal.workflow
        .getHandle(id)
        .executeUpdate(withdrawUpdate, { args: [{ actor: user.username, reason: body.reason }] }),
    );
    return (await this.view(id))!;
  }

  /** An operator (admin) ends a running chain as cancelled. */
  async cancel(user: DirectoryUser, id: string, body: EndRequest): Promise<RequestView> {
    if (!user.isAdmin) throw new FabuException('FORBIDDEN', 'only an operator (admin) may cancel a request');
    await this.get(user, id);
    await this.chainUpdate(id, () =>
      this.temporal.workflow
        .getHandle(id)
        .executeUpdate(cancelUpdate, { args: [{ actor: user.username, reason: body.reason }] }),
    );
    return (await this.view(id))!;
  }

  /** 抄送: copies directory users in, read only; the applicant or someone the chain asked may. */
  async cc(user: DirectoryUser, id: string, body: CcBody): Promise<RequestView> {
    await this.get(user, id);
    const errors = [];
    for (const [i, username] of body.to.entries()) {
      if (!(await this.directory.findUser(username))) errors.push({ path: `to.${i}`, message: `no user ${username}` });
    }
    if (errors.length) throw new FabuException('VALIDATION_FAILED', 'unknown users in to', errors);
    await this.chainUpdate(id, () =>
      this.temporal.workflow.getHandle(id).executeUpdate(ccUpdate, { args: [{ actor: user.username, to: body.to }] }),
    );
    return (await this.view(id))!;
  }

  /** Feeds a message event the chain waits for (e.g. "materials-filed"). */
  async message(user: DirectoryUser, id: string, body: MessageBody): Promise<RequestView> {
    await this.get(user, id);
    await this.chainUpdate(id, () =>
      this.temporal.workflow.getHandle(id).executeUpdate(messageUpdate, {
        args: [{ name: body.name, actor: user.username, ...(body.payload ? { payload: body.payload } : {}) }],
      }),
    );
    return (await this.view(id))!;
  }

  /**
   * Runs an Update; a refusal by the workflow (ChainRefused, RescheduleRefused) becomes its problem
   * code, a finished chain PROCESS_COMPLETED.
   */
  async chainUpdate(id: string, update: () => Promise<unknown>): Promise<void> {
    try {
      await update();
    } catch (err) {
      if (
        err instanceof WorkflowUpdateFailedError &&
        err.cause instanceof ApplicationFailure &&
        (err.cause.type === CHAIN_REFUSED || err.cause.type === RESCHEDULE_REFUSED)
      ) {
        const detail = err.cause.details?.[0] as { code: ErrorCode; message: string };
        throw new FabuException(detail.code, detail.message);
      }
      if (err instanceof WorkflowNotFoundError)
        throw new FabuException('PROCESS_COMPLETED', `request ${id} has already finished`);
      throw err;
    }
  }

  /** The read model's view of a request, with each open task's slack in working days. */
  private async view(id: string): Promise<RequestView | null> {
    const view = await this.requests.view(id);
    return view && { ...view, tasks: await this.calendar.withSlack(view.tasks) };
  }

  /** 我发起的 and 抄送我 for anyone; every request for an operator (admin). */
  async list(user: DirectoryUser, query: ListRequestsQuery) {
    if (query.scope === 'all' && !user.isAdmin) {
      throw new FabuException('FORBIDDEN', 'only an operator (admin) lists every request', [
        { path: 'scope', message: 'use started or cc' },
      ]);
    }
    return this.requests.page(user.username, query);
  }

  async get(user: DirectoryUser, id: string): Promise<RequestView & { allowedActions: string[] }> {
    const view = await this.view(id);
    if (!view) throw new FabuException('REQUEST_NOT_FOUND', `no request ${id}`);
    const sameOrg = user.orgCode === view.orgCode || user.positions.some((p) => p.orgCode === view.orgCode);
    if (!user.isAdmin && !sameOrg && !(await this.requests.isParticipant(id, user.username))) {
      // Not yours to see: answer as if it did not exist, so ids cannot be probed.
      throw new FabuException('REQUEST_NOT_FOUND', `no request ${id}`);
    }
    return { ...view, allowedActions: requestActions(view, user.username) };
  }

  /**
   * Starts the workflow with the business id and waits (update-with-start) until its first steps
   * are open and projected. A repeat with the same id reaches the running chain (USE_EXISTING) or
   * finds it finished (REJECT_DUPLICATE): never a second run.
   */
  async start(workflowId: string, input: ApprovalProcessInput): Promise<void> {
    const { request, definition } = input;
    const startWorkflowOperation = new WithStartWorkflowOperation(approvalProcess, {
      taskQueue: this.runtime.config.env.TEMPORAL_TASK_QUEUE,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
      typedSearchAttributes: startingAttributes(definition.key, request.orgCode, request.major),
      staticSummary: request.title,
      staticDetails: [
        `**${definition.ir.name}** v${definition.version} (${definition.ir.rules.join(', ')})`,
        `org: ${request.orgCode} · initiator: ${request.initiator}`,
        request.conferenceDate ? `conference: ${request.conferenceDate}` : undefined,
        request.major ? 'major matter (重大事项)' : undefined,
      ]
        .filter(Boolean)
        .join('\n\n'),
    });
    try {
      await this.temporal.workflow.executeUpdateWithStart(startedUpdate, { startWorkflowOperation });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  private async checkApplicant(user: DirectoryUser, orgCode: string): Promise<void> {
    if (!(await this.directory.findOrg(orgCode))) {
      throw new FabuException('VALIDATION_FAILED', `no org ${orgCode}`, [{ path: 'orgCode', message: 'unknown org' }]);
    }
    const member = user.orgCode === orgCode || user.positions.some((p) => p.orgCode === orgCode);
    if (!member && !user.isAdmin) {
      throw new FabuException('FORBIDDEN', `${user.username} cannot apply on behalf of ${orgCode}`, [
        { path: 'orgCode', message: 'you do not belong to this org' },
      ]);
    }
  }

  /** H1: an application later than the chain's lead time is refused, never silently accepted. */
  /**
   * With CALENDAR_MISSING_YEAR=strict, a request whose deadlines would be counted through a year
   * whose holidays are not loaded is refused (saying which year and how to load it), rather than
   * run on provisional, weekdays-only deadlines.
   */
  private async checkCalendarYears(body: CreateRequest, now: Date): Promise<void> {
    if (this.runtime.config.env.CALENDAR_MISSING_YEAR !== 'strict') return;
    const calendar = await this.calendar.calendar();
    const from = Number(businessDate(now).slice(0, 4));
    const to = Math.max(from, Number((body.conferenceDate ?? businessDate(now)).slice(0, 4)));
    const missing: number[] = [];
    for (let y = from; y <= to; y++) if (!calendar.covers(`${y}-01-01`)) missing.push(y);
    if (missing.length === 0) return;
    throw new FabuException(
      'CALENDAR_YEAR_MISSING',
      `the deadlines of this request fall in ${missing.join(', ')}, whose holidays are not loaded: ` +
        `an administrator loads the State Council notice with POST /api/calendar/notice (or data with ` +
        `POST /api/calendar/${missing[0]}/days), then the request can be made`,
      body.conferenceDate ? [{ path: 'conferenceDate', message: `${missing.join(', ')} not loaded` }] : [],
      { missingYears: missing },
    );
  }

  /**
   * H1: an application later than the chain's lead time (e.g. 7 working days before the conference)
   * is refused, never silently accepted, with the last moment it could have come and the earliest
   * date it could still ask for.
   */
  private async checkApplyBefore(
    ir: ProcessIR,
    fields: DateFields,
    now: Date,
    context: Record<string, unknown>,
  ): Promise<void> {
    const rule = ir.applyBefore;
    // L3: an emergency conference has no lead time (it files before it starts).
    if (ir.applyBeforeUnless && conditionHolds(ir.applyBeforeUnless, context)) return;
    // The compiler only accepts lead times that count back from a date field.
    if (rule?.kind !== 'workingDaysBeforeField' && rule?.kind !== 'calendarBeforeField') return;
    const date = fields[rule.field];
    if (!date) {
      throw new FabuException('VALIDATION_FAILED', `${ir.name} needs ${rule.field}`, [
        { path: rule.field, message: `required by ${ir.code} (${rule.source})` },
      ]);
    }
    const calendar = await this.calendar.calendar();
    const dayEnd = this.runtime.config.env.BUSINESS_DAY_END;
    const lastMoment = (d: string) =>
      computeDue(rule, { openedAt: now, request: { [rule.field]: d }, calendar, dayEnd }).dueAt;
    const last = lastMoment(date);
    if (now.getTime() <= last.getTime()) return;
    let earliest = addDays(businessDate(now), 1);
    for (let i = 0; i < 366 && now.getTime() > lastMoment(earliest).getTime(); i++) earliest = addDays(earliest, 1);
    const lastDay = `${businessDate(last)} ${dayEnd}`;
    throw new FabuException(
      'APPLICATION_TOO_LATE',
      `${ir.code} must be applied for at least ${lead(rule)} before the ${rule.field} (H1): ` +
        `for ${date} the last moment was ${lastDay} (Asia/Shanghai); the earliest ${rule.field} still possible is ${earliest}`,
      [{ path: rule.field, message: `too soon: the earliest ${rule.field} still possible is ${earliest}` }],
      {
        latestSubmission: last.toISOString(),
        [`earliest${rule.field[0]!.toUpperCase()}${rule.field.slice(1)}`]: earliest,
      },
    );
  }
}

/**
 * The request's variables checked against the chain's declarations (`<fabu:variable>`): every
 * field at fault is named; declared defaults fill what was left out.
 */
export function checkVariables(ir: ProcessIR, given: Record<string, VariableValue>): Record<string, VariableValue> {
  const declared = new Map((ir.variables ?? []).map((v) => [v.name, v]));
  const errors: Array<{ path: string; message: string }> = [];
  const values: Record<string, VariableValue> = {};
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) {
      const known = [...declared.keys()];
      errors.push({
        path: `variables.${name}`,
        message: `${ir.code} declares no variable ${name}${known.length ? ` (declared: ${known.join(', ')})` : ''}`,
      });
    }
  }
  for (const v of declared.values()) {
    const value = given[v.name] ?? v.default;
    const path = `variables.${v.name}`;
    if (value === undefined) errors.push({ path, message: `required by ${ir.code}${v.label ? ` (${v.label})` : ''}` });
    else if (v.type === 'enum' && !v.values!.includes(String(value)))
      errors.push({ path, message: `must be one of ${v.values!.join(', ')}` });
    else if (!fitsType(v.type, value))
      errors.push({
        path,
        message: `must be a ${v.type === 'enum' ? 'string' : v.type === 'list' ? 'list of strings' : v.type}`,
      });
    else values[v.name] = value;
  }
  // U2: what a publish step releases together (a policy document and its interpretation) is given
  // together: one without the other is refused before anything starts.
  for (const node of Object.values(ir.nodes)) {
    if (node.kind !== 'serviceTask' || !node.together) continue;
    for (const name of node.together) {
      const value = values[name];
      if (value !== undefined && (typeof value !== 'string' || value.trim())) continue;
      if (errors.some((e) => e.path === `variables.${name}`)) continue;
      const others = node.together.filter((n) => n !== name).join(', ');
      errors.push({
        path: `variables.${name}`,
        message: `published together with ${others} (U2): it may not be empty`,
      });
    }
  }
  if (errors.length) {
    throw new FabuException(
      'VARIABLES_INVALID',
      `the variables do not fit ${ir.code}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      errors,
    );
  }
  return values;
}

/** A value a request variable may hold: `list` variables hold strings (an incident's units, O4). */
type VariableValue = NonNullable<RequestFields['variables']>[string];

function fitsType(type: Variable['type'], value: VariableValue): boolean {
  if (type === 'list') return Array.isArray(value) && (value as unknown[]).every((item) => typeof item === 'string');
  return typeof value === (type === 'enum' ? 'string' : type);
}

function lead(
  rule: { kind: 'workingDaysBeforeField'; days: number } | { kind: 'calendarBeforeField'; unit: string; count: number },
) {
  return rule.kind === 'workingDaysBeforeField'
    ? `${rule.days} working day${rule.days === 1 ? '' : 's'}`
    : `${rule.count} ${rule.unit}${rule.count === 1 ? '' : 's'}`;
}

/**
 * What the caller may do to a request as a whole, as the chain would judge it from the read model:
 * 撤回 for the applicant until someone else has decided, 抄送 for the applicant or anyone the chain asked.
 */
export function requestActions(view: RequestView, username: string): string[] {
  if (view.status !== 'running') return [];
  const actions: string[] = [];
  const applicant = view.initiator === username;
  const decidedByOthers = view.tasks.some(
    (t) => t.status === 'completed' && t.decidedBy && t.decidedBy !== view.initiator && !t.skipped,
  );
  if (applicant && !decidedByOthers) actions.push('withdraw');
  if (applicant || view.tasks.some((t) => t.candidates.includes(username))) actions.push('cc');
  return actions;
}
