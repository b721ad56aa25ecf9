// Runs scenarios of a chain through the real interpreter (approvalProcess) on a time-skipping
// Temporal test server: decisions as the scenario says (approve by default), time skipped to each
// wait, never slept on the wall clock. Everything here stays inside the test server and memory.
import { createHash } from 'node:crypto';
import {
  type Client,
  WithStartWorkflowOperation,
  type WorkflowHandle,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPlanningActivities, type PlanningDeps } from '../../activities/planning.js';
import { createProjectionActivities } from '../../activities/projection.js';
import { createServiceActivities } from '../../activities/services.js';
import type { DecisionError, HistoryEntry, TaskState } from '../../workflows/approval-machine.js';
import { approvalProcess } from '../../workflows/approval-process.js';
import {
  type ApprovalProcessInput,
  CHAIN_REFUSED,
  DECISION_REFUSED,
  type ProcessView,
  SCHEDULER,
  decideUpdate,
  documentsUpdate,
  messageUpdate,
  startedUpdate,
  startingAttributes,
  stateQuery,
} from '../../workflows/definitions.js';
import { type WorkingDayCalendar, addDays, businessDate, computeDue } from '../calendar/working-days.js';
import { FabuException, type ProblemItem } from '../common/problem.js';
import { parseDueExpression } from '../processes/fabu-moddle.js';
import { conditionHolds } from '../processes/feel.js';
import { type DueRule, type ProcessIR, scheduleOf } from '../processes/ir.js';
import { earliestDateAllowed } from '../processes/plan.js';
import { checkVariables } from '../requests/requests.service.js';
import type { DecisionSpec, Scenario, ScenarioResult } from './dry-run.schemas.js';
import { syntheticDirectory } from './synthetic-directory.js';

/** Who applies in a dry run, and for which org unless the scenario names one. */
export const DRY_RUN_APPLICANT = 'applicant';
export const DRY_RUN_ORG = 'applicant-org';
/** Polls of a chain that has nothing open and nothing scheduled before it is called waiting. */
const IDLE_POLLS = 50;

export interface DryRunActivityDeps {
  calendar: PlanningDeps['calendar'];
  dayEnd: string;
  /** Chains a topic meeting's requests run (N2); absent, such a step fails as it would with none deployed. */
  definitions?: PlanningDeps['definitions'];
  /** Receives each projection batch's request id: the read model of a dry run is a count in memory. */
  projected?: (requestId: string) => void;
}

/**
 * The worker's activities for a dry run: the real planning and service activities over the
 * synthetic directory, no release store (a publish step says it published nothing) and a projection
 * that writes nowhere.
 */
export function createDryRunActivities(deps: DryRunActivityDeps) {
  return {
    ...createPlanningActivities({
      directory: syntheticDirectory,
      calendar: deps.calendar,
      dayEnd: deps.dayEnd,
      definitions: deps.definitions,
    }),
    ...createServiceActivities({ directory: syntheticDirectory }),
    ...createProjectionActivities({ readModel: { apply: async (batch) => deps.projected?.(batch.requestId) } }),
  };
}

export interface DryRunContext {
  env: TestWorkflowEnvironment;
  client: Client;
  taskQueue: string;
  calendar: WorkingDayCalendar;
  dayEnd: string;
  maxSteps: number;
  /** Wall-clock instant (ms) after which the scenario stops as timed out. */
  deadline?: number;
  /** Projection batches written so far, by request id. */
  projections?: Map<string, number>;
  /** Numbers the scenarios' request ids within one server. */
  seq: { next: number };
}

class DryRunTimeout extends Error {}

/**
 * Why a scenario cannot run on this chain, with the path of each field at fault (relative to the
 * scenario): unknown elements, an invalid `after` or `until`, variables that do not fit.
 */
export function scenarioProblems(ir: ProcessIR, scenario: Scenario): ProblemItem[] {
  const problems: ProblemItem[] = [];
  scenario.decisions.forEach((d, i) => {
    const node = ir.nodes[d.element];
    if (node?.kind !== 'userTask') {
      problems.push({ path: `decisions.${i}.element`, message: `${ir.key} has no user task "${d.element}"` });
    }
    if (d.returnTo !== undefined && ir.nodes[d.returnTo]?.kind !== 'userTask') {
      problems.push({ path: `decisions.${i}.returnTo`, message: `${ir.key} has no user task "${d.returnTo}"` });
    }
    if (d.after !== undefined) {
      const error = ruleError(d.after);
      if (error) problems.push({ path: `decisions.${i}.after`, message: error });
    }
  });
  if (scenario.until !== undefined && !ir.nodes[scenario.until]) {
    const error = ruleError(scenario.until);
    if (error) {
      problems.push({ path: 'until', message: `neither an element of ${ir.key} nor a duration: ${error}` });
    }
  }
  try {
    checkVariables(ir, scenario.request.variables ?? {});
  } catch (err) {
    if (!(err instanceof FabuException)) throw err;
    problems.push(...err.errors.map((e) => ({ ...e, path: `request.${e.path}` })));
  }
  return problems;
}

function ruleError(text: string): string | undefined {
  try {
    parseDueExpression(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The workflow input a scenario starts with, as POST /api/requests (or a schedule) would give it. */
function inputOf(ir: ProcessIR, scenario: Scenario, now: Date): ApprovalProcessInput {
  const schedule = scheduleOf(ir);
  const r = scenario.request;
  const conferenceDate = r.conferenceDate ?? (schedule ? undefined : addDays(businessDate(now), 60));
  return {
    definition: { key: ir.key, version: 0, ir },
    request: {
      title: r.title ?? `${ir.name}（演练：${scenario.name}）`,
      // A recurring process runs for its schedule's org, started by no one (N2, N3, L1, L2).
      orgCode: schedule?.orgCode ?? r.orgCode ?? DRY_RUN_ORG,
      ...(conferenceDate ? { conferenceDate } : {}),
      materials: [],
      major: r.major ?? false,
      initiator: schedule ? SCHEDULER : DRY_RUN_APPLICANT,
      variables: checkVariables(ir, r.variables ?? {}),
    },
    submittedAt: now.toISOString(),
    ...(schedule ? { scheduled: schedule.recurrence ? { recurrence: schedule.recurrence } : {} } : {}),
  };
}

/**
 * H1, L3: an application later than the chain's lead time is refused by the API before any chain
 * starts; a dry run says so the same way, with the earliest date still possible.
 */
function lateness(ir: ProcessIR, input: ApprovalProcessInput, ctx: DryRunContext): ProblemItem | null {
  const rule = ir.applyBefore;
  const date = input.request.conferenceDate;
  if (!rule || !date || !('field' in rule)) return null;
  const context = { ...input.request.variables, major: input.request.major, orgCode: input.request.orgCode };
  if (ir.applyBeforeUnless && conditionHolds(ir.applyBeforeUnless, context)) return null;
  const submitted = new Date(input.submittedAt);
  const last = computeDue(rule, {
    openedAt: submitted,
    request: { conferenceDate: date },
    calendar: ctx.calendar,
    dayEnd: ctx.dayEnd,
  });
  if (submitted.getTime() <= last.dueAt.getTime()) return null;
  const earliest = earliestDateAllowed(rule, submitted, ctx.calendar, ctx.dayEnd);
  return {
    path: 'request.conferenceDate',
    message: `too soon (${rule.source}): the last moment was ${last.dueAt.toISOString()}; the earliest conferenceDate still possible is ${earliest}`,
  };
}

/** Runs one scenario to its end (or its bound) and reports what the chain did. */
export async function runScenario(ctx: DryRunContext, ir: ProcessIR, scenario: Scenario): Promise<ScenarioResult> {
  const { env, client } = ctx;
  const startMs = await env.currentTimeMs();
  const input = inputOf(ir, scenario, new Date(startMs));
  const requestId = `${ir.code}-DRY-${String(ctx.seq.next++).padStart(4, '0')}`;
  const late = lateness(ir, input, ctx);
  if (late) {
    return empty(scenario, requestId, startMs, 'refused', { code: 'APPLICATION_TOO_LATE', message: late.message });
  }

  await client.workflow.executeUpdateWithStart(startedUpdate, {
    startWorkflowOperation: new WithStartWorkflowOperation(approvalProcess, {
      taskQueue: ctx.taskQueue,
      workflowId: requestId,
      workflowIdConflictPolicy: 'FAIL',
      args: [input],
      typedSearchAttributes: startingAttributes(ir.key, input.request.orgCode, input.request.major),
      staticSummary: input.request.title,
    }),
  });
  const handle = client.workflow.getHandle<typeof approvalProcess>(requestId);
  const drive = new Driver(ctx, ir, scenario, handle, input, startMs);
  let view: ProcessView;
  try {
    view = await drive.run();
  } catch (err) {
    if (!(err instanceof DryRunTimeout)) throw err;
    drive.status = 'timeout';
    view = await handle.query(stateQuery);
  }
  const endMs = await env.currentTimeMs();
  const events = (await handle.fetchHistory()).events?.length ?? 0;
  return {
    name: scenario.name,
    requestId,
    status: drive.status,
    outcome: view.status === 'completed' ? (view.outcome ?? null) : null,
    error: drive.error,
    startedAt: new Date(startMs).toISOString(),
    endedAt: new Date(endMs).toISOString(),
    elapsedMs: endMs - startMs,
    path: drive.path,
    tasks: view.tasks.map(taskView),
    ...fromHistory(ir, view.history),
    clocks: (view.clocks ?? []) as unknown as Array<Record<string, unknown>>,
    history: { events, entries: view.history.length, projections: ctx.projections?.get(requestId) ?? 0 },
    notes: drive.notes,
  };
}

/** A scenario that never started a chain (refused before it, or skipped). */
export function empty(
  scenario: Scenario,
  requestId: string,
  startMs: number,
  status: ScenarioResult['status'],
  error: ScenarioResult['error'],
): ScenarioResult {
  const at = new Date(startMs).toISOString();
  return {
    name: scenario.name,
    requestId,
    status,
    outcome: null,
    error,
    startedAt: at,
    endedAt: at,
    elapsedMs: 0,
    path: [],
    tasks: [],
    gateways: [],
    timers: [],
    overdue: [],
    clocks: [],
    history: { events: 0, entries: 0, projections: 0 },
    notes: [],
  };
}

/** The decisions, waits and messages of one scenario, applied to its running chain. */
class Driver {
  status: ScenarioResult['status'] = 'completed';
  error: ScenarioResult['error'] = null;
  readonly path: ScenarioResult['path'] = [];
  readonly notes: string[] = [];
  private readonly queues = new Map<string, DecisionSpec[]>();
  private readonly messages: Scenario['messages'];
  private readonly untilAt?: number;
  private readonly untilElement?: string;
  private steps = 0;

  constructor(
    private readonly ctx: DryRunContext,
    private readonly ir: ProcessIR,
    private readonly scenario: Scenario,
    private readonly handle: WorkflowHandle<typeof approvalProcess>,
    private readonly input: ApprovalProcessInput,
    startMs: number,
  ) {
    for (const d of scenario.decisions) this.queues.set(d.element, [...(this.queues.get(d.element) ?? []), d]);
    this.messages = [...scenario.messages];
    if (scenario.until !== undefined) {
      if (ir.nodes[scenario.until]) this.untilElement = scenario.until;
      else this.untilAt = this.instant(parseDueExpression(scenario.until), startMs);
    }
  }

  async run(): Promise<ProcessView> {
    for (let idle = 0; ;) {
      this.checkDeadline();
      const view = await this.handle.query(stateQuery);
      if (view.status === 'completed') return view;
      const now = await this.ctx.env.currentTimeMs();
      if (this.untilAt !== undefined && now >= this.untilAt) return this.stop(view, 'stopped');
      if (this.untilElement && view.history.some((h) => h.elementId === this.untilElement)) {
        return this.stop(view, 'stopped');
      }
      const open = view.tasks
        .filter((t) => t.status === 'open' && (view.actions[t.taskId]?.length ?? 0) > 0)
        .sort((a, b) => (a.openedAt ?? '').localeCompare(b.openedAt ?? '') || a.taskId.localeCompare(b.taskId));
      const task = open[0];
      if (!task) {
        if (await this.feedMessage(view)) continue;
        const next = Math.min(...view.timers.flatMap((t) => (t.dueAt ? [Date.parse(t.dueAt)] : [])));
        if (Number.isFinite(next)) {
          // Nothing to decide: the chain waits for a timer (a timer event, L5's week before), so skip to it.
          await this.skipTo(Math.max(next, now) + 1);
          continue;
        }
        if (++idle > IDLE_POLLS) {
          this.notes.push(`nothing left to decide or to wait for at ${view.stage}`);
          return this.stop(view, 'waiting');
        }
        // A service task in flight: let the server's clock move a little while the worker runs it.
        await this.ctx.env.sleep(10);
        continue;
      }
      idle = 0;
      if (++this.steps > this.ctx.maxSteps) {
        this.notes.push(`stopped after ${this.ctx.maxSteps} steps`);
        return this.stop(view, 'step-limit');
      }
      const spec = this.queues.get(task.elementId)?.shift() ?? { element: task.elementId, action: 'approve' as const };
      if (spec.after && !(await this.waitBefore(task, spec))) continue;
      const refused = await this.decide(task, spec, view);
      if (refused) {
        this.error = refused;
        return this.stop(await this.handle.query(stateQuery), 'refused');
      }
    }
  }

  private stop(view: ProcessView, status: ScenarioResult['status']): ProcessView {
    this.status = status;
    return view;
  }

  private checkDeadline(): void {
    if (this.ctx.deadline !== undefined && Date.now() > this.ctx.deadline) throw new DryRunTimeout();
  }

  /** When a rule counted from an instant falls (a duration, or working days from its business date). */
  private instant(rule: DueRule, fromMs: number): number {
    return computeDue(rule, {
      openedAt: new Date(fromMs),
      request: { conferenceDate: this.input.request.conferenceDate },
      calendar: this.ctx.calendar,
      dayEnd: this.ctx.dayEnd,
    }).dueAt.getTime();
  }

  /** Skips the server's clock to `target` (or to `until`, if sooner), then lets what fell due happen. */
  private async skipTo(target: number): Promise<void> {
    const to = this.untilAt !== undefined ? Math.min(target, this.untilAt) : target;
    const now = await this.ctx.env.currentTimeMs();
    if (to > now) await this.ctx.env.sleep(to - now);
    await this.settle();
  }

  /**
   * Waits (in server time, a millisecond at a time) until every timer, deadline and clock that fell
   * due has been handled by the chain, so a decision after a wait sees what the wait caused.
   */
  private async settle(): Promise<void> {
    for (let i = 0; i < IDLE_POLLS; i++) {
      this.checkDeadline();
      const now = await this.ctx.env.currentTimeMs();
      const view = await this.handle.query(stateQuery);
      if (view.status === 'completed') return;
      const due = (at?: string) => at !== undefined && Date.parse(at) <= now;
      const pending =
        view.timers.some((t) => due(t.dueAt)) ||
        view.tasks.some((t) => t.status === 'open' && !t.overdue && due(t.dueAt)) ||
        (view.clocks ?? []).some((c) => c.status === 'running' && ((!c.warnedAt && due(c.warnAt)) || due(c.dueAt)));
      if (!pending) return;
      await this.ctx.env.sleep(1);
    }
  }

  /** `after`: skip to that long after the task opened; false when the task closed meanwhile (escalated, missed). */
  private async waitBefore(task: TaskState, spec: DecisionSpec): Promise<boolean> {
    // An open task always carries the instant it opened.
    const target = this.instant(parseDueExpression(spec.after!), Date.parse(task.openedAt!));
    await this.skipTo(target);
    if (this.untilAt !== undefined && (await this.ctx.env.currentTimeMs()) >= this.untilAt) return false;
    const view = await this.handle.query(stateQuery);
    if (view.tasks.find((t) => t.taskId === task.taskId)?.status === 'open') return true;
    this.notes.push(`${task.taskId} closed while waiting ${spec.after} to ${spec.action} it`);
    return false;
  }

  /** Sends the decision; returns the refusal (as the REST API would name it), if any. */
  private async decide(task: TaskState, spec: DecisionSpec, view: ProcessView): Promise<ScenarioResult['error']> {
    const outputs = view.outputs?.[task.taskId];
    const data =
      spec.data ??
      (spec.action === 'approve' && outputs && this.scenario.outputs
        ? Object.fromEntries(
            outputs
              .split(',')
              .filter((name) => this.scenario.outputs![name] !== undefined)
              .map((name) => [name, this.scenario.outputs![name]]),
          )
        : undefined);
    const actor = task.assignee ?? task.candidates[0] ?? DRY_RUN_APPLICANT;
    try {
      if (spec.action === 'approve') await this.attachMaterials(task, view, actor);
      await this.handle.executeUpdate(decideUpdate, {
        args: [
          {
            taskId: task.taskId,
            actor,
            action: spec.action,
            ...(spec.comment !== undefined ? { comment: spec.comment } : {}),
            ...(spec.returnTo !== undefined ? { returnTo: spec.returnTo } : {}),
            ...(data && Object.keys(data).length ? { data } : {}),
          },
        ],
      });
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      return { ...refusal, element: task.elementId };
    }
    const at = new Date(await this.ctx.env.currentTimeMs()).toISOString();
    this.path.push({
      element: task.elementId,
      taskId: task.taskId,
      round: task.round,
      action: spec.action,
      actor,
      at,
      ...(spec.returnTo ? { returnTo: spec.returnTo } : {}),
    });
    return null;
  }

  /**
   * A step that files materials (fabu:materials, H6 art. 34, L3) is approved once they are attached:
   * a dry run attaches a placeholder of each kind still missing, as the API would after an upload.
   */
  private async attachMaterials(task: TaskState, view: ProcessView, actor: string): Promise<void> {
    const missing = (view.materials?.[task.taskId] ?? []).filter((kind) => !view.documents?.[kind]);
    for (const kind of missing) {
      const sha256 = createHash('sha256').update(`${this.handle.workflowId} ${kind}`).digest('hex');
      await this.handle.executeUpdate(documentsUpdate, {
        args: [{ kind, version: 1, sha256, name: `${kind} (dry run)`, actor }],
      });
    }
    if (missing.length) this.notes.push(`attached placeholder ${missing.join(', ')} for ${task.taskId}`);
  }

  /** Feeds the next listed message the chain waits for; false when it waits for none listed. */
  private async feedMessage(view: ProcessView): Promise<boolean> {
    const names = view.steps
      .filter((s) => s.status === 'active' && s.kind === 'messageEvent')
      .flatMap((s) => {
        const node = this.ir.nodes[s.elementId];
        return node?.kind === 'messageEvent' ? [node.message] : [];
      });
    const i = this.messages.findIndex((m) => names.includes(m.name));
    if (i < 0) {
      if (names.length) this.notes.push(`waits for message ${names.map((n) => `"${n}"`).join(', ')}`);
      return false;
    }
    const [message] = this.messages.splice(i, 1);
    await this.handle.executeUpdate(messageUpdate, {
      args: [
        { name: message!.name, actor: DRY_RUN_APPLICANT, ...(message!.payload ? { payload: message!.payload } : {}) },
      ],
    });
    return true;
  }
}

/** A refused decision or message, as its code and message; undefined for any other failure. */
function refusalOf(err: unknown): { code: string; message: string } | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== DECISION_REFUSED && err.cause.type !== CHAIN_REFUSED) return undefined;
  const detail = err.cause.details?.[0] as DecisionError | undefined;
  return { code: detail?.code ?? err.cause.type, message: detail?.message ?? err.cause.message };
}

function taskView(t: TaskState): ScenarioResult['tasks'][number] {
  return {
    taskId: t.taskId,
    element: t.elementId,
    name: t.name,
    round: t.round,
    status: t.status,
    candidates: t.candidates,
    openedAt: t.openedAt ?? null,
    closedAt: t.closedAt ?? null,
    dueAt: t.dueAt ?? null,
    dueProvisional: t.dueProvisional,
    dueBasis: t.dueBasis ?? null,
    overdue: t.overdue,
    decision: t.decision ?? null,
    skipped: t.skipped ?? null,
  };
}

/** Gateways taken, timers fired and deadlines passed, read from the chain's own history. */
function fromHistory(ir: ProcessIR, history: HistoryEntry[]): Pick<ScenarioResult, 'gateways' | 'timers' | 'overdue'> {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const result: Pick<ScenarioResult, 'gateways' | 'timers' | 'overdue'> = { gateways: [], timers: [], overdue: [] };
  for (const h of history) {
    const detail = h.detail ?? {};
    if (h.type === 'gateway.taken') {
      result.gateways.push({
        element: h.elementId!,
        flow: String(detail.flow),
        target: String(detail.target),
        condition: str(detail.condition),
        round: h.round ?? null,
        at: h.at,
      });
    } else if (h.type === 'timer.fired') {
      const node = ir.nodes[h.elementId!];
      const kind = node?.kind === 'boundaryTimer' ? (node.interrupting ? 'escalation' : 'reminder') : 'wait';
      result.timers.push({ element: h.elementId!, kind, dueAt: str(detail.dueAt), at: h.at });
    } else if (h.type === 'task.overdue') {
      result.overdue.push({
        taskId: h.taskId!,
        element: h.elementId!,
        dueAt: str(detail.dueAt),
        at: h.at,
        notified: Array.isArray(detail.notified) ? (detail.notified as string[]) : [],
      });
    }
  }
  return result;
}
