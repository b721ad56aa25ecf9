// The state machine behind the approval interpreter. Pure: no Temporal APIs, no clocks, no I/O,
// so unit tests drive it without a server and the workflow replays it deterministically.
// The workflow feeds it events (started, task opened, decision, timer fired, message, service
// done) and carries out the effects it returns (open a task, start a timer, run a service task,
// finish the process). It owns every token of the chain, which is what makes 退回 (return) safe
// across parallel branches and multi-instance steps: nothing it did not cancel stays open.
import { describeKind, isDocumentKind } from '../src/documents/document-kinds.js';
import { conditionHolds } from '../src/processes/feel.js';
import type {
  BoundaryTimerNode,
  CandidateExpr,
  ClockDef,
  DecisionAction,
  DueRule,
  Outcome,
  ProcessIR,
  ProcessNode,
  ServiceTaskNode,
  UserTaskNode,
} from '../src/processes/ir.js';

export type TaskStatus = 'opening' | 'open' | 'completed' | 'cancelled';

export interface TaskState {
  taskId: string;
  elementId: string;
  name: string;
  rules: string[];
  /** The chain's round when the task opened: 1, then one more after each return (退回). */
  round: number;
  /** The step visit this task belongs to, and its instance (one per candidate in a multi-instance step). */
  stepId?: string;
  instance?: number;
  status: TaskStatus;
  /** Usernames resolved from the BPMN candidate expressions when the task opened. */
  candidates: string[];
  dueAt?: string;
  dueProvisional: boolean;
  dueBasis?: string;
  overdue: boolean;
  openedAt?: string;
  closedAt?: string;
  decision?: DecisionAction;
  decidedBy?: string;
  comment?: string;
  /** A return's target step (element id). */
  returnTo?: string;
  /** Claimed by one candidate: only they may act until they unclaim it. */
  assignee?: string;
  /** 委派: the person deciding for now; the task comes back to the candidates when they resolve it. */
  delegatedTo?: string;
  delegatedBy?: string;
  /** Passed by a policy, not by a person: `already-approved` (fabu:dedupe) or `applicant` (fabu:skipApplicant). */
  skipped?: SkipReason;
  /** Cover while away: a candidate standing in for someone (proxy → the one they stand in for). */
  onBehalfOf?: Record<string, string>;
  /** 加签: this task is a sign-off added to another one (its owner task), before, after or beside it. */
  addedFor?: string;
  addMode?: SignerMode;
  addedBy?: string;
  /** The owner task waits for this added sign-off (前加签) before its candidates may decide. */
  blockedBy?: string;
  /** 后加签: who signs after this task is approved, in order, and who added them. */
  after?: Array<{ to: string; by: string }>;
  /** A multi-instance task over a list (fabu:collection): the org this instance is for (O4). */
  item?: string;
  /** An approval given while documents were attached: the SHA-256 of each kind's version it approved. */
  approvedDocuments?: Record<string, string>;
}

/** The latest version of one kind of document attached to the request (the API keeps every version). */
export interface AttachedDocument {
  kind: string;
  version: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  name: string;
  by: string;
  at: string;
}

/** 加签: the added person signs before the task's holder, after them, or beside them (both must approve). */
export type SignerMode = 'before' | 'after' | 'parallel';

export type SkipReason = 'already-approved' | 'applicant' | 'missed';

export type StepKind = 'userTask' | 'serviceTask' | 'timerEvent' | 'messageEvent';
export type StepResult = 'approved' | 'rejected' | 'returned' | 'interrupted' | 'done';

/** One visit of a node that waits: a user task (with its instances), a service task, a timer, a message. */
export interface StepState {
  stepId: string;
  elementId: string;
  kind: StepKind;
  round: number;
  status: 'active' | 'completed' | 'cancelled';
  result?: StepResult;
  enteredAt: string;
  closedAt?: string;
  /** User tasks: the latest task of each instance (null while it waits for a resubmission). */
  instances?: Array<string | null>;
  /** resubmit policy: when this step is done again, the returning step's instance reopens instead of moving on. */
  resubmitTo?: { stepId: string; instance: number };
  /** fabu:collection: the items its instances are for, as the list was when the step opened. */
  items?: string[];
}

/**
 * An hour clock (H7, O2, U2) of one request: counted on the wall clock from the moment the event
 * was known. A breach is a fact that stays: a clock met late keeps `breached` and says `late`.
 */
export interface ClockState {
  clockId: string;
  name: string;
  rules: string[];
  status: 'running' | 'met' | 'breached' | 'stopped';
  startedAt: string;
  windowMs: number;
  dueAt: string;
  warnAt: string;
  /** The severity the window was planned for. */
  severity?: string;
  warnedAt?: string;
  breachedAt?: string;
  metAt?: string;
  /** The element whose completion met it. */
  metBy?: string;
  late?: boolean;
  /** At the breach: who held the open tasks (O5: who is held to account). */
  holders?: string[];
  /** The responsible unit at the breach, or when met. */
  unit?: string;
  /** The chain ended before the clock was met or breached. */
  stoppedAt?: string;
}

export interface TimerState {
  timerId: string;
  /** The boundary or intermediate timer event. */
  elementId: string;
  /** The step it belongs to: the task a boundary timer is attached to, or the timer event's own step. */
  stepId: string;
  status: 'pending' | 'fired' | 'cancelled';
  /** How many times this boundary has fired for its step (non-interrupting timers may repeat). */
  firing: number;
  /** The instant it started waiting: what its rule counts from. */
  baseAt?: string;
  dueAt?: string;
  /** Counted through a year whose holidays are not loaded (weekdays only): re-planned when it is. */
  provisional?: boolean;
}

export interface JoinState {
  /** Incoming flows that arrived since the join last fired. */
  arrived: string[];
  /** The flows the last firing consumed: restored for untouched branches when a return undoes it. */
  lastFired: string[];
}

export type HistoryType =
  | 'request.submitted'
  | 'task.opened'
  | 'task.decided'
  | 'task.overdue'
  | 'task.replanned'
  | 'task.cancelled'
  | 'task.skipped'
  | 'task.transferred'
  | 'task.claimed'
  | 'task.unclaimed'
  | 'task.delegated'
  | 'task.resolved'
  | 'task.urged'
  | 'task.unassigned'
  | 'task.signerAdded'
  | 'task.signerRemoved'
  | 'step.completed'
  | 'gateway.taken'
  | 'timer.fired'
  | 'timer.replanned'
  | 'message.received'
  | 'service.completed'
  | 'round.started'
  | 'request.rescheduled'
  | 'request.changed'
  | 'request.cc'
  | 'request.completed'
  | 'task.reassigned'
  | 'clock.started'
  | 'clock.replanned'
  | 'clock.warned'
  | 'clock.breached'
  | 'clock.met'
  | 'clock.stopped'
  | 'incident.reassessed'
  | 'incident.handedOver'
  | 'document.attached'
  | 'document.changed';

export interface HistoryEntry {
  seq: number;
  at: string;
  type: HistoryType;
  taskId?: string;
  elementId?: string;
  actor?: string;
  action?: DecisionAction;
  comment?: string;
  round?: number;
  detail?: Record<string, unknown>;
}

export type Variables = Record<string, unknown>;

export interface MachineState {
  status: 'running' | 'completed';
  outcome?: Outcome;
  /** 1, then one more after each return (退回). */
  round: number;
  variables: Variables;
  tasks: Record<string, TaskState>;
  steps: Record<string, StepState>;
  timers: Record<string, TimerState>;
  joins: Record<string, JoinState>;
  /** Hour clocks by id (absent in chains started before clocks existed). */
  clocks?: Record<string, ClockState>;
  /** 抄送: who may read the request without acting on it. */
  cc?: string[];
  /** The latest version of each kind of document attached so far (absent until the first one). */
  documents?: Record<string, AttachedDocument>;
  /** How many times each element has been visited / opened; ids are built from these counters. */
  visits: Record<string, number>;
  history: HistoryEntry[];
}

export interface Decision {
  taskId: string;
  action: DecisionAction;
  actor: string;
  comment?: string;
  /** For `return`: the element id of the earlier completed user task to send the work back to. */
  returnTo?: string;
  /** An approval's output (fabu:output), e.g. `{ topics: [...] }` from the topic meeting (N2). */
  data?: Record<string, unknown>;
}

/** A topic the meeting accepted (N2): it becomes a conference request of its department. */
export interface Topic {
  orgCode: string;
  title: string;
  /** YYYY-MM-DD, in the month the meeting plans for. */
  conferenceDate: string;
}

export type DecisionErrorCode =
  | 'PROCESS_COMPLETED'
  | 'TASK_NOT_FOUND'
  | 'TASK_NOT_OPEN'
  | 'NOT_A_CANDIDATE'
  | 'ACTION_NOT_ALLOWED'
  | 'RETURN_TARGET_INVALID'
  | 'WITHDRAW_NOT_ALLOWED'
  | 'CC_NOT_ALLOWED'
  | 'MESSAGE_NOT_EXPECTED'
  | 'TRANSFER_INVALID'
  | 'TASK_DELEGATED'
  | 'TASK_CLAIMED'
  | 'COMMENT_REQUIRED'
  | 'URGE_NOT_ALLOWED'
  | 'URGED_RECENTLY'
  | 'SIGNER_INVALID'
  | 'TASK_BLOCKED'
  | 'OUTPUT_INVALID'
  | 'SEVERITY_UNCHANGED'
  | 'HANDOVER_INVALID'
  | 'MATERIALS_MISSING'
  | 'UPLOAD_NOT_ALLOWED'
  | 'DOCUMENT_KIND_INVALID';

export interface DecisionError {
  code: DecisionErrorCode;
  message: string;
  /** MATERIALS_MISSING: the document kinds still to attach. */
  missing?: string[];
}

export type Effect =
  | {
      type: 'openTask';
      taskId: string;
      node: UserTaskNode;
      candidates: CandidateExpr[];
      /** An added sign-off (加签): these users, not the node's candidate expressions. */
      users?: string[];
      /** fabu:collection: the org this instance is for. */
      item?: string;
    }
  /** An hour clock started: the workflow waits for its warning and its breach. */
  | { type: 'startClock'; clockId: string }
  /** An open task whose candidates depend on the responsible unit, which changed (a hand-over). */
  | { type: 'reassign'; taskId: string; node: UserTaskNode; candidates: CandidateExpr[]; item?: string }
  | { type: 'startTimer'; timerId: string; elementId: string; rule: DueRule; baseAt: string }
  | { type: 'runService'; stepId: string; node: ServiceTaskNode }
  | { type: 'completed'; outcome: Outcome };

export interface OpenedTaskDetails {
  candidates: string[];
  dueAt?: string;
  dueProvisional: boolean;
  dueBasis?: string;
  /** No one held a candidate position: the task went to its escalation (fabu:onEmpty="escalate"). */
  escalated?: boolean;
  /** Candidates standing in for someone away (proxy → the one they cover). */
  onBehalfOf?: Record<string, string>;
}

export interface TransferInput {
  taskId: string;
  actor: string;
  /** Username of the person the task goes to. */
  to: string;
  comment?: string;
}

export interface SignerInput {
  /** The task whose holder adds (or removes) the sign-off. */
  taskId: string;
  actor: string;
  /** The person added or removed. */
  to: string;
  mode: SignerMode;
  comment?: string;
}

export interface CcInput {
  actor: string;
  /** Usernames to copy in. */
  to: string[];
}

export interface UrgeInput {
  taskId: string;
  actor: string;
  /** The API says the actor is an operator (admin). */
  operator?: boolean;
}

/** 催办 at most once an hour per task. */
export const URGE_INTERVAL_MS = 3_600_000;

export interface MessageInput {
  name: string;
  actor: string;
  payload?: Record<string, unknown>;
}

/** A version of a document the API stored for the request (the `documents` Update). */
export interface DocumentInput {
  kind: string;
  version: number;
  sha256: string;
  name: string;
  actor: string;
}

/** Versions of several kinds stored by one upload: one `documents` Update for all of them. */
export interface DocumentsInput {
  actor: string;
  documents: Array<Omit<DocumentInput, 'actor'>>;
}

/** The versions an Update carries, one or several, each with who attached it, in the order given. */
export function documentVersions(input: DocumentInput | DocumentsInput): DocumentInput[] {
  return 'documents' in input ? input.documents.map((d) => ({ ...d, actor: input.actor })) : [input];
}

/** What a chain does with an IR feature the first slice (IR v1) did not carry. */
const DEFAULT_ACTIONS: DecisionAction[] = ['approve', 'reject'];

export class ApprovalMachine {
  readonly state: MachineState;

  constructor(
    private readonly ir: ProcessIR,
    private readonly requestId: string,
    state?: MachineState,
    variables: Variables = {},
  ) {
    this.state = state ?? {
      status: 'running',
      round: 1,
      variables: { ...variables },
      tasks: {},
      steps: {},
      timers: {},
      joins: {},
      visits: {},
      history: [],
    };
  }

  /** Records the submission and walks from the start event to the first waiting nodes. */
  start(at: string, initiator: string): Effect[] {
    this.record({ at, type: 'request.submitted', actor: initiator });
    const clocks = this.planClocks(at);
    return [...clocks, ...this.arrive(this.ir.startNodeId, undefined, at)];
  }

  /** Called once candidates and due time are known: the task becomes decidable. */
  taskOpened(taskId: string, details: OpenedTaskDetails, at: string): TaskState {
    const task = this.requireTask(taskId);
    if (task.status !== 'opening') throw new Error(`task ${taskId} is ${task.status}, not opening`);
    const { escalated, onBehalfOf, ...fields } = details;
    Object.assign(task, {
      ...fields,
      status: 'open',
      openedAt: at,
      ...(onBehalfOf && Object.keys(onBehalfOf).length ? { onBehalfOf } : {}),
    });
    this.record({
      at,
      type: 'task.opened',
      taskId,
      elementId: task.elementId,
      round: task.round,
      detail: {
        candidates: details.candidates,
        dueAt: details.dueAt,
        dueProvisional: details.dueProvisional,
        ...(escalated ? { escalated: 'no one holds the candidate positions' } : {}),
        ...(task.onBehalfOf ? { onBehalfOf: task.onBehalfOf } : {}),
        ...(task.addedFor ? { addedFor: task.addedFor, mode: task.addMode, addedBy: task.addedBy } : {}),
      },
    });
    if (details.candidates.length === 0) {
      // fabu:onEmpty="incident": open, unassigned, for operators to see and fix.
      this.record({ at, type: 'task.unassigned', taskId, elementId: task.elementId, round: task.round });
    }
    return task;
  }

  /**
   * Why an open task passes without being asked (the process's role policies), or null:
   * `already-approved` (fabu:dedupe) when a candidate approved another step earlier in this round,
   * `applicant` (fabu:skipApplicant) when the applicant is a candidate of a step not drawn for them.
   */
  skipReason(taskId: string, initiator: string): SkipReason | null {
    const task = this.state.tasks[taskId];
    // An added sign-off (加签) was asked for by name: no policy passes it.
    if (task?.status !== 'open' || task.addedFor) return null;
    const node = this.userTask(task.elementId);
    // Nothing passes a filing whose materials are not all there (H6 art. 34, L3): someone files them.
    if (this.missingMaterials(node).length) return null;
    if (this.ir.dedupe) {
      const approvers = new Set(
        Object.values(this.state.tasks)
          .filter(
            (t) =>
              t.round === this.state.round && t.decision === 'approve' && !t.skipped && t.elementId !== task.elementId,
          )
          .map((t) => t.decidedBy),
      );
      if (task.candidates.some((c) => approvers.has(c))) return 'already-approved';
    }
    const drawnForApplicant = node.candidates.some((c) => c.kind === 'initiator');
    if (this.ir.skipApplicant && !drawnForApplicant && task.candidates.includes(initiator)) return 'applicant';
    return null;
  }

  /**
   * Passes an open task by a role policy (recorded as such, then the chain moves on as after an
   * approval), or closes it as `missed` (fabu:onDue="miss"): no one decided it; the step goes on
   * without it and says who missed it.
   */
  skip(taskId: string, reason: SkipReason, at: string): Effect[] {
    const task = this.requireTask(taskId);
    if (task.status !== 'open') throw new Error(`task ${taskId} is ${task.status}`);
    Object.assign(task, {
      status: 'completed',
      closedAt: at,
      skipped: reason,
      ...(reason === 'missed' ? {} : { decision: 'approve' }),
    });
    this.record({
      at,
      type: 'task.skipped',
      taskId,
      elementId: task.elementId,
      round: task.round,
      detail: { reason, ...(reason === 'missed' ? { missedBy: task.candidates } : {}) },
    });
    if (reason === 'missed') this.cancelAdded(task, at);
    return this.afterInstance(task, 'approve', at);
  }

  /** Whether an open task closes as missed now that its due time has passed (fabu:onDue="miss"). */
  missesOnDue(taskId: string): boolean {
    const task = this.state.tasks[taskId];
    const node = task && this.ir.nodes[task.elementId];
    return task?.status === 'open' && !task.addedFor && node?.kind === 'userTask' && node.onDue === 'miss';
  }

  /** Why a decision would be refused, or null if it may be applied. Never changes state. */
  validate(decision: Decision): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    const task = this.state.tasks[decision.taskId];
    if (!task) return { code: 'TASK_NOT_FOUND', message: `no task ${decision.taskId} in this request` };
    if (task.status !== 'open') return { code: 'TASK_NOT_OPEN', message: `task ${decision.taskId} is ${task.status}` };
    if (task.delegatedTo === decision.actor) {
      return {
        code: 'ACTION_NOT_ALLOWED',
        message: `${decision.actor} was delegated this task: resolve it back to ${task.delegatedBy}`,
      };
    }
    if (!task.candidates.includes(decision.actor)) {
      return { code: 'NOT_A_CANDIDATE', message: `${decision.actor} is not a candidate of task ${decision.taskId}` };
    }
    if (task.delegatedTo) {
      return {
        code: 'TASK_DELEGATED',
        message: `task ${decision.taskId} is delegated to ${task.delegatedTo} until they resolve it`,
      };
    }
    if (task.assignee && task.assignee !== decision.actor) {
      return { code: 'TASK_CLAIMED', message: `task ${decision.taskId} is claimed by ${task.assignee}` };
    }
    if (task.blockedBy) {
      const first = this.state.tasks[task.blockedBy];
      return {
        code: 'TASK_BLOCKED',
        message: `task ${decision.taskId} waits for ${first?.candidates.join(', ') ?? 'an added signer'} to sign first (前加签)`,
      };
    }
    const node = this.userTask(task.elementId);
    if (!this.actionsOf(task).includes(decision.action)) {
      return {
        code: 'ACTION_NOT_ALLOWED',
        message: task.addedFor
          ? `an added sign-off is approved or rejected, not ${decision.action}`
          : `${decision.action} is not allowed on ${node.id}`,
      };
    }
    if (node.commentRequired?.includes(decision.action) && !decision.comment?.trim()) {
      return { code: 'COMMENT_REQUIRED', message: `${decision.action} on ${node.id} needs a comment (意见)` };
    }
    const missing = decision.action === 'approve' ? this.missingMaterials(node) : [];
    if (missing.length) {
      return {
        code: 'MATERIALS_MISSING',
        message: `${node.id} is approved once its materials are attached; missing: ${missing.map(describeKind).join(', ')}`,
        missing,
      };
    }
    const outputError = this.validateOutput(node, decision);
    if (outputError) return outputError;
    if (decision.action === 'return') return this.validateReturn(task, decision.returnTo);
    if (decision.returnTo !== undefined) {
      return {
        code: 'RETURN_TARGET_INVALID',
        message: 'returnTo belongs to a return, not to an approval or rejection',
      };
    }
    return null;
  }

  /**
   * An approval of a task with fabu:output carries that data; no other decision carries any. Topics
   * a startConferences task will start (N2) are checked here, where the meeting can correct them.
   */
  private validateOutput(node: UserTaskNode, decision: Decision): DecisionError | null {
    const invalid = (message: string): DecisionError => ({ code: 'OUTPUT_INVALID', message });
    const keys = Object.keys(decision.data ?? {});
    if (!node.output || decision.action !== 'approve') {
      return keys.length ? invalid(`${decision.action} on ${node.id} carries no data`) : null;
    }
    const names = outputNames(node);
    if (keys.some((k) => !names.includes(k)))
      return invalid(`${node.id} takes only ${names.map((n) => `"${n}"`).join(', ')}`);
    for (const name of names) {
      const declared = this.ir.variables?.find((v) => v.name === name);
      const given = decision.data?.[name];
      if (given === undefined) {
        // A declared variable with a default may be left as it is (an assessment that keeps the severity).
        if (declared?.default !== undefined) continue;
        return invalid(`an approval of ${node.id} gives "${name}"`);
      }
      const typeError = declared && variableTypeError(declared, given);
      if (typeError) return invalid(`${name} ${typeError}`);
    }
    const output = names.find((name) => decision.data?.[name] !== undefined);
    const value = output === undefined ? undefined : decision.data?.[output];
    const startsFrom = Object.values(this.ir.nodes).some(
      (n) => n.kind === 'serviceTask' && n.activity === 'startConferences' && n.topics === output,
    );
    if (!startsFrom) return null;
    if (!Array.isArray(value)) return invalid(`${output} is a list of { orgCode, title, conferenceDate }`);
    for (const [i, t] of (value as Array<Partial<Topic>>).entries()) {
      const at = `${output}[${i}]`;
      if (typeof t !== 'object' || t === null) return invalid(`${at} is not a topic`);
      if (typeof t.orgCode !== 'string' || !/^[a-z][a-z0-9-]*$/.test(t.orgCode))
        return invalid(`${at}.orgCode is not an org code`);
      if (typeof t.title !== 'string' || !t.title.trim()) return invalid(`${at}.title is empty`);
      if (typeof t.conferenceDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(t.conferenceDate)) {
        return invalid(`${at}.conferenceDate must be YYYY-MM-DD`);
      }
    }
    return null;
  }

  /** The earlier steps a task may be returned to: completed, approved user tasks it is downstream of. */
  returnTargets(taskId: string): string[] {
    const task = this.state.tasks[taskId];
    if (!task) return [];
    const approved = new Set(
      Object.values(this.state.steps)
        .filter((s) => s.kind === 'userTask' && s.status === 'completed' && s.result === 'approved')
        .map((s) => s.elementId),
    );
    return [...approved].filter((id) => id !== task.elementId && this.downstream(id).has(task.elementId)).sort();
  }

  /** Applies a validated decision: approve moves the step on, reject ends the chain, return sends it back. */
  decide(decision: Decision, at: string): Effect[] {
    const error = this.validate(decision);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const task = this.requireTask(decision.taskId);
    // A sign-off is of specific versions: once documents exist, an approval names the ones it saw.
    const documents = decision.action === 'approve' ? this.documentHashes() : undefined;
    Object.assign(task, {
      status: 'completed',
      closedAt: at,
      decision: decision.action,
      decidedBy: decision.actor,
      comment: decision.comment,
      ...(decision.returnTo ? { returnTo: decision.returnTo } : {}),
      ...(documents ? { approvedDocuments: documents } : {}),
    });
    this.record({
      at,
      type: 'task.decided',
      taskId: task.taskId,
      elementId: task.elementId,
      actor: decision.actor,
      action: decision.action,
      comment: decision.comment,
      round: task.round,
      ...(decision.returnTo || task.onBehalfOf?.[decision.actor] || decision.data || documents
        ? {
            detail: {
              ...(decision.returnTo ? { returnTo: decision.returnTo } : {}),
              ...(task.onBehalfOf?.[decision.actor] ? { onBehalfOf: task.onBehalfOf[decision.actor] } : {}),
              ...(decision.data ? { data: decision.data } : {}),
              ...(documents ? { documents } : {}),
            },
          }
        : {}),
    });
    const node = this.userTask(task.elementId);
    // An assessment may change what the clocks count (O2: a major event answers within the hour).
    const clocks = decision.action === 'approve' && decision.data ? this.keepOutput(node, task, decision.data, at) : [];
    return [...clocks, ...this.afterDecision(task, decision, at)];
  }

  private afterDecision(task: TaskState, decision: Decision, at: string): Effect[] {
    if (task.addedFor) return this.afterAdded(task, decision.action === 'approve', at);
    if (decision.action !== 'approve') this.cancelAdded(task, at);
    if (decision.action === 'return') return this.returnTo(task, decision.returnTo!, at);
    if (decision.action === 'approve') return this.continueInstance(task, at);
    return this.afterInstance(task, decision.action, at);
  }

  /**
   * Keeps an approval's data in the request's variables: under each fabu:output name, or for a task
   * over a list (fabu:collection) by its item, so each unit's draft stays beside the others (O4).
   */
  private keepOutput(node: UserTaskNode, task: TaskState, data: Record<string, unknown>, at: string): Effect[] {
    for (const name of outputNames(node)) {
      if (data[name] === undefined) continue;
      if (node.collection && task.item) {
        const byItem = (this.state.variables[name] ?? {}) as Record<string, unknown>;
        this.setVariables({ [name]: { ...byItem, [task.item]: data[name] } });
      } else this.setVariables({ [name]: data[name] });
    }
    return this.planClocks(at);
  }

  /** The decisions a task offers: its BPMN's, or approve and reject for an added sign-off. */
  actionsOf(task: TaskState): DecisionAction[] {
    if (task.addedFor) return ['approve', 'reject'];
    const node = this.ir.nodes[task.elementId];
    return node?.kind === 'userTask' ? (node.actions ?? DEFAULT_ACTIONS) : [];
  }

  /** Why adding (加签) or removing (减签) a sign-off would be refused, or null. */
  validateSigner(input: SignerInput, remove = false): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    const task = this.state.tasks[input.taskId];
    if (!task) return { code: 'TASK_NOT_FOUND', message: `no task ${input.taskId} in this request` };
    if (remove) {
      if (!this.pendingSigner(task, input.to, input.actor)) {
        return {
          code: 'SIGNER_INVALID',
          message: `${input.to} has no pending sign-off on task ${input.taskId} that ${input.actor} added`,
        };
      }
      return null;
    }
    const error = this.candidateError(input.taskId, input.actor);
    if (error) return error;
    if (task.assignee && task.assignee !== input.actor) {
      return { code: 'TASK_CLAIMED', message: `task ${input.taskId} is claimed by ${task.assignee}` };
    }
    if (task.addedFor) {
      return { code: 'ACTION_NOT_ALLOWED', message: 'an added sign-off cannot add signers of its own' };
    }
    if (input.mode === 'before' && task.blockedBy) {
      return { code: 'TASK_BLOCKED', message: `task ${input.taskId} already waits for a sign-off before it` };
    }
    if (!input.to || task.candidates.includes(input.to)) {
      return { code: 'SIGNER_INVALID', message: `${input.to || 'no one'} is already a candidate of this task` };
    }
    if (this.signersOf(task).includes(input.to)) {
      return { code: 'SIGNER_INVALID', message: `${input.to} already has a sign-off pending on this task` };
    }
    return null;
  }

  /**
   * 加签: before (the holder decides once the added person approved), after (the step moves on once
   * the added person approved after the holder) or parallel (both must approve, in any order). A
   * rejection by an added person rejects the holder's instance as the holder's own would.
   */
  addSigner(input: SignerInput, at: string): Effect[] {
    const error = this.validateSigner(input);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const task = this.state.tasks[input.taskId]!;
    this.record({
      at,
      type: 'task.signerAdded',
      taskId: task.taskId,
      elementId: task.elementId,
      actor: input.actor,
      round: task.round,
      ...(input.comment ? { comment: input.comment } : {}),
      detail: { to: input.to, mode: input.mode },
    });
    if (input.mode === 'after') {
      task.after = [...(task.after ?? []), { to: input.to, by: input.actor }];
      return [];
    }
    const effect = this.openAdded(task, input.to, input.actor, input.mode);
    if (input.mode === 'before') task.blockedBy = effect.taskId;
    return [effect];
  }

  /** 减签: the person who added a sign-off takes it back while it is still pending. */
  removeSigner(input: SignerInput, at: string): Effect[] {
    const error = this.validateSigner(input, true);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const owner = this.state.tasks[input.taskId]!;
    const pending = this.pendingSigner(owner, input.to, input.actor)!;
    this.record({
      at,
      type: 'task.signerRemoved',
      taskId: owner.taskId,
      elementId: owner.elementId,
      actor: input.actor,
      round: owner.round,
      detail: { to: input.to, mode: pending.mode },
    });
    if (pending.task) {
      this.cancelTask(pending.task, at);
      if (owner.blockedBy === pending.task.taskId) delete owner.blockedBy;
    } else {
      owner.after = owner.after!.filter((a) => !(a.to === input.to && a.by === input.actor));
    }
    return this.continueInstance(owner, at);
  }

  /** Users with a sign-off still pending on a task: open added tasks, and those queued after it. */
  signersOf(task: TaskState): string[] {
    return this.pendingSigners(task).map((s) => s.to);
  }

  /** The sign-offs still pending on a task (加签), who added them and how. */
  pendingSigners(task: TaskState): Array<{ to: string; by: string; mode: SignerMode }> {
    return [
      ...this.openAddedTo(task).map((t) => ({
        // The person added, even when a proxy stands in for them.
        to: Object.values(t.onBehalfOf ?? {})[0] ?? t.candidates[0] ?? '',
        by: t.addedBy!,
        mode: t.addMode!,
      })),
      ...(task.after ?? []).map((a) => ({ to: a.to, by: a.by, mode: 'after' as const })),
    ];
  }

  private pendingSigner(owner: TaskState, to: string, by: string): { mode: SignerMode; task?: TaskState } | undefined {
    const open = this.openAddedTo(owner).find(
      (t) => t.addedBy === by && (t.candidates.includes(to) || Object.values(t.onBehalfOf ?? {}).includes(to)),
    );
    if (open) return { mode: open.addMode!, task: open };
    if (owner.after?.some((a) => a.to === to && a.by === by)) return { mode: 'after' };
    return undefined;
  }

  private openAddedTo(owner: TaskState): TaskState[] {
    return Object.values(this.state.tasks).filter(
      (t) => t.addedFor === owner.taskId && (t.status === 'open' || t.status === 'opening'),
    );
  }

  private openAdded(owner: TaskState, to: string, by: string, mode: SignerMode): Extract<Effect, { type: 'openTask' }> {
    const node = this.userTask(owner.elementId);
    const task = this.newTask(node, {
      ...(owner.stepId ? { stepId: owner.stepId } : {}),
      ...(owner.instance !== undefined ? { instance: owner.instance } : {}),
      addedFor: owner.taskId,
      addMode: mode,
      addedBy: by,
    });
    return { type: 'openTask', taskId: task.taskId, node, candidates: [], users: [to] };
  }

  /** An added sign-off was decided: it unblocks, continues, or (rejected) rejects its owner's instance. */
  private afterAdded(added: TaskState, approved: boolean, at: string): Effect[] {
    const owner = this.requireTask(added.addedFor!);
    if (owner.blockedBy === added.taskId) delete owner.blockedBy;
    if (approved) return this.continueInstance(owner, at);
    if (owner.status === 'open' || owner.status === 'opening') this.cancelTask(owner, at);
    this.cancelAdded(owner, at);
    return this.afterInstance(owner, 'reject', at);
  }

  /** Cancels the sign-offs still pending on a task (it was rejected or returned). */
  private cancelAdded(owner: TaskState, at: string): void {
    for (const t of this.openAddedTo(owner)) this.cancelTask(t, at);
    delete owner.blockedBy;
    if (owner.after?.length) owner.after = [];
  }

  /**
   * After an approval touching a task's instance: the instance is done once the holder approved and
   * no added sign-off is pending; the next one queued after it (后加签) opens first.
   */
  private continueInstance(owner: TaskState, at: string): Effect[] {
    if (owner.status !== 'completed' || owner.decision !== 'approve') return [];
    if (this.openAddedTo(owner).length) return [];
    const next = owner.after?.shift();
    if (next) return [this.openAdded(owner, next.to, next.by, 'after')];
    return this.afterInstance(owner, 'approve', at);
  }

  /** What an instance (its task and the sign-offs added to it) decided so far; `missed` if no one did in time. */
  private instanceDecision(taskId: string | null): DecisionAction | 'missed' | undefined {
    const task = taskId ? this.state.tasks[taskId] : undefined;
    if (!task) return undefined;
    if (task.skipped === 'missed') return 'missed';
    const added = Object.values(this.state.tasks).filter((t) => t.addedFor === task.taskId);
    if (added.some((t) => t.decision === 'reject')) return 'reject';
    if (task.decision === 'approve' && (this.openAddedTo(task).length || task.after?.length)) return undefined;
    return task.decision;
  }

  /** Why a transfer (转办) would be refused, or null. */
  validateTransfer(input: TransferInput): DecisionError | null {
    const error = this.candidateError(input.taskId, input.actor);
    if (error) return error;
    if (!input.to || input.to === input.actor) {
      return { code: 'TRANSFER_INVALID', message: 'a transfer names someone other than yourself' };
    }
    return null;
  }

  /** 转办: a candidate hands the task to someone else, who becomes its only candidate. */
  transfer(input: TransferInput, at: string): TaskState {
    const error = this.validateTransfer(input);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const task = this.state.tasks[input.taskId]!;
    const from = task.candidates;
    task.candidates = [input.to];
    this.record({
      at,
      type: 'task.transferred',
      taskId: task.taskId,
      elementId: task.elementId,
      actor: input.actor,
      round: task.round,
      ...(input.comment ? { comment: input.comment } : {}),
      detail: { from, to: input.to },
    });
    return task;
  }

  /** Why a claim (or, with `release`, an unclaim) would be refused, or null. */
  validateClaim(input: { taskId: string; actor: string }, release = false): DecisionError | null {
    const error = this.candidateError(input.taskId, input.actor);
    if (error) return error;
    const task = this.state.tasks[input.taskId]!;
    if (release) {
      return task.assignee === input.actor
        ? null
        : { code: 'TASK_CLAIMED', message: `task ${input.taskId} is not claimed by ${input.actor}` };
    }
    if (task.assignee) return { code: 'TASK_CLAIMED', message: `task ${input.taskId} is claimed by ${task.assignee}` };
    return null;
  }

  /** A candidate takes the task: the other candidates no longer see or decide it until it is unclaimed. */
  claim(input: { taskId: string; actor: string }, release: boolean, at: string): TaskState {
    const error = this.validateClaim(input, release);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const task = this.state.tasks[input.taskId]!;
    if (release) delete task.assignee;
    else task.assignee = input.actor;
    this.record({
      at,
      type: release ? 'task.unclaimed' : 'task.claimed',
      taskId: task.taskId,
      elementId: task.elementId,
      actor: input.actor,
      round: task.round,
    });
    return task;
  }

  /** Why a delegation (委派) would be refused, or null: a candidate, to someone else, not already delegated. */
  validateDelegate(input: TransferInput): DecisionError | null {
    const error = this.validateTransfer(input);
    if (error) return error;
    const task = this.state.tasks[input.taskId]!;
    if (task.delegatedTo) {
      return { code: 'TASK_DELEGATED', message: `task ${input.taskId} is already delegated to ${task.delegatedTo}` };
    }
    return null;
  }

  /** 委派: someone else works on the task for now and resolves it back; the candidates decide after. */
  delegate(input: TransferInput, at: string): TaskState {
    const error = this.validateDelegate(input);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const task = this.state.tasks[input.taskId]!;
    Object.assign(task, { delegatedTo: input.to, delegatedBy: input.actor });
    this.record({
      at,
      type: 'task.delegated',
      taskId: task.taskId,
      elementId: task.elementId,
      actor: input.actor,
      round: task.round,
      ...(input.comment ? { comment: input.comment } : {}),
      detail: { to: input.to },
    });
    return task;
  }

  /** Why a resolve would be refused, or null: only the delegate resolves, with their opinion. */
  validateResolve(input: { taskId: string; actor: string; comment?: string }): DecisionError | null {
    const error = this.openTaskError(input.taskId);
    if (error) return error;
    const task = this.state.tasks[input.taskId]!;
    if (task.delegatedTo !== input.actor) {
      return { code: 'NOT_A_CANDIDATE', message: `task ${input.taskId} is not delegated to ${input.actor}` };
    }
    if (!input.comment?.trim())
      return { code: 'COMMENT_REQUIRED', message: "a resolve gives the delegate's opinion (意见)" };
    return null;
  }

  /** The delegate hands the task back with their opinion, recorded as "<delegate> for <owner>". */
  resolve(input: { taskId: string; actor: string; comment?: string }, at: string): TaskState {
    const error = this.validateResolve(input);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const task = this.state.tasks[input.taskId]!;
    const onBehalfOf = task.delegatedBy;
    delete task.delegatedTo;
    delete task.delegatedBy;
    this.record({
      at,
      type: 'task.resolved',
      taskId: task.taskId,
      elementId: task.elementId,
      actor: input.actor,
      round: task.round,
      comment: input.comment,
      detail: { onBehalfOf },
    });
    return task;
  }

  /** Why an urge (催办) would be refused, or null: the applicant or an operator, at most once an hour per task. */
  validateUrge(input: UrgeInput, initiator: string, now: string): DecisionError | null {
    const error = this.openTaskError(input.taskId);
    if (error) return error;
    if (input.actor !== initiator && !input.operator) {
      return { code: 'URGE_NOT_ALLOWED', message: `only ${initiator}, who applied, or an operator may urge` };
    }
    const last = this.state.history.findLast((h) => h.type === 'task.urged' && h.taskId === input.taskId);
    if (last && Date.parse(now) - Date.parse(last.at) < URGE_INTERVAL_MS) {
      return { code: 'URGED_RECENTLY', message: `task ${input.taskId} was urged at ${last.at}: once an hour at most` };
    }
    return null;
  }

  /** 催办: the task's current candidates are told, and the trail says who urged. */
  urge(input: UrgeInput, initiator: string, at: string): string[] {
    const error = this.validateUrge(input, initiator, at);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const task = this.state.tasks[input.taskId]!;
    this.record({
      at,
      type: 'task.urged',
      taskId: task.taskId,
      elementId: task.elementId,
      actor: input.actor,
      round: task.round,
      detail: { notified: task.candidates },
    });
    return task.candidates;
  }

  /** An open task the actor is a candidate of, not delegated away: what transfer, claim and 加签 need. */
  private candidateError(taskId: string, actor: string): DecisionError | null {
    const error = this.openTaskError(taskId);
    if (error) return error;
    const task = this.state.tasks[taskId]!;
    if (!task.candidates.includes(actor)) {
      return { code: 'NOT_A_CANDIDATE', message: `${actor} is not a candidate of task ${taskId}` };
    }
    if (task.delegatedTo)
      return { code: 'TASK_DELEGATED', message: `task ${taskId} is delegated to ${task.delegatedTo}` };
    return null;
  }

  private openTaskError(taskId: string): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    const task = this.state.tasks[taskId];
    if (!task) return { code: 'TASK_NOT_FOUND', message: `no task ${taskId} in this request` };
    if (task.status !== 'open') return { code: 'TASK_NOT_OPEN', message: `task ${taskId} is ${task.status}` };
    return null;
  }

  /** Marks an open task overdue (its due time passed); returns false if it had closed meanwhile. */
  markOverdue(taskId: string, at: string, notified: string[]): boolean {
    const task = this.requireTask(taskId);
    if (task.status !== 'open' || task.overdue) return false;
    task.overdue = true;
    this.record({
      at,
      type: 'task.overdue',
      taskId,
      elementId: task.elementId,
      round: task.round,
      detail: { dueAt: task.dueAt, notified },
    });
    return true;
  }

  /** Records the instant a timer was planned for. */
  timerPlanned(timerId: string, dueAt: string, provisional = false): void {
    const timer = this.state.timers[timerId];
    if (timer) Object.assign(timer, { dueAt, ...(provisional ? { provisional } : {}) });
  }

  /** A pending timer counted again (its calendar year was loaded); returns false when nothing changed. */
  replanTimer(timerId: string, dueAt: string, provisional: boolean, at: string): boolean {
    const timer = this.state.timers[timerId];
    if (!timer || timer.status !== 'pending') return false;
    if (timer.dueAt === dueAt && Boolean(timer.provisional) === provisional) return false;
    const from = { dueAt: timer.dueAt, provisional: Boolean(timer.provisional) };
    Object.assign(timer, { dueAt, provisional });
    this.record({
      at,
      type: 'timer.replanned',
      elementId: timer.elementId,
      detail: { timerId, from, to: { dueAt, provisional } },
    });
    return true;
  }

  /** A timer's instant passed. Returns no effects when its step closed meanwhile. */
  timerFired(timerId: string, at: string): Effect[] {
    const timer = this.state.timers[timerId];
    if (!timer || timer.status !== 'pending' || this.state.status !== 'running') return [];
    const step = this.state.steps[timer.stepId];
    if (!step || step.status !== 'active') return [];
    timer.status = 'fired';
    const node = this.node(timer.elementId);
    this.record({
      at,
      type: 'timer.fired',
      elementId: node.id,
      round: step.round,
      detail: { timerId, dueAt: timer.dueAt },
    });
    if (node.kind === 'timerEvent') return this.closeStep(step, 'done', at);
    if (node.kind !== 'boundaryTimer') throw new Error(`${node.id} is not a timer`);
    if (node.interrupting) {
      // The escalation path drawn in BPMN replaces the task.
      this.cancelStep(step, at, 'interrupted');
      return this.follow(node, at);
    }
    const effects = this.follow(node, at);
    if (node.repeat === null || timer.firing < node.repeat) {
      effects.push(this.armTimer(step, node, at, timer.firing + 1));
    }
    return effects;
  }

  /** Why a message would be refused, or null if a step is waiting for it. */
  validateMessage(message: MessageInput): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    if (!this.waitingFor(message.name)) {
      const waiting = this.activeSteps('messageEvent').map((s) => this.messageName(s.elementId));
      return {
        code: 'MESSAGE_NOT_EXPECTED',
        message: `no step waits for message "${message.name}"${waiting.length ? ` (waiting: ${waiting.join(', ')})` : ''}`,
      };
    }
    return null;
  }

  /** A message arrived (e.g. "materials-filed"); its payload is kept in the request variables under its name. */
  receiveMessage(message: MessageInput, at: string): Effect[] {
    const error = this.validateMessage(message);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const step = this.waitingFor(message.name)!;
    if (message.payload) this.state.variables[message.name] = message.payload;
    this.record({
      at,
      type: 'message.received',
      elementId: step.elementId,
      actor: message.actor,
      round: step.round,
      detail: { name: message.name, ...(message.payload ? { payload: message.payload } : {}) },
    });
    return this.closeStep(step, 'done', at);
  }

  /** The kinds a step still needs attached before it may be approved (fabu:materials), in the BPMN's order. */
  missingMaterials(node: UserTaskNode): string[] {
    return (node.materials ?? []).filter((kind) => !this.state.documents?.[kind]);
  }

  /** `{ kind: sha256 }` of the latest version of each document, or undefined while there are none. */
  private documentHashes(): Record<string, string> | undefined {
    const documents = Object.values(this.state.documents ?? {});
    if (!documents.length) return undefined;
    return Object.fromEntries(documents.map((d) => [d.kind, d.sha256]));
  }

  /**
   * Why a document version may not be attached now, or null: the chain is running, the kind is
   * known, and the actor applied or is asked by an open task (who files materials).
   */
  validateDocument(input: DocumentInput, initiator: string): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    if (!isDocumentKind(input.kind)) {
      return { code: 'DOCUMENT_KIND_INVALID', message: `"${input.kind}" is not a document kind` };
    }
    const asked = this.openTasks().some((t) => t.candidates.includes(input.actor) || t.delegatedTo === input.actor);
    if (input.actor !== initiator && !asked) {
      return {
        code: 'UPLOAD_NOT_ALLOWED',
        message: `only ${initiator}, who applied, or someone an open task asks may attach documents`,
      };
    }
    return null;
  }

  /**
   * A new version of a document was stored. A version the chain already has (a retried upload) or an
   * older one arriving late changes nothing. When an approval covered an earlier version, the change
   * is recorded (`document.changed`, naming those approvals) and, H6 (art. 32: a changed content is
   * approved again), the approval re-runs from the chain's fabu:restartAt step as a request change does.
   */
  attachDocument(input: DocumentInput, initiator: string, at: string): Effect[] {
    return this.attachDocuments([input], initiator, at);
  }

  /**
   * Several versions stored by one upload, attached one after another as separate Updates would be
   * (H6). All are checked first: the approval one of them re-runs must not refuse the next.
   */
  attachDocuments(inputs: DocumentInput[], initiator: string, at: string): Effect[] {
    const error = this.validateDocuments(inputs, initiator);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    return inputs.flatMap((input) => this.attachVersion(input, at));
  }

  private attachVersion(input: DocumentInput, at: string): Effect[] {
    const documents = (this.state.documents ??= {});
    const previous = documents[input.kind];
    if (previous && (input.version < previous.version || previous.sha256 === input.sha256)) return [];
    const { actor, ...fields } = input;
    documents[input.kind] = { ...fields, by: actor, at };
    const version = { version: input.version, sha256: input.sha256, name: input.name };
    this.record({ at, type: 'document.attached', actor, detail: { kind: input.kind, ...version } });
    const approvedBefore = Object.values(this.state.tasks)
      .filter((t) => {
        const approved = t.approvedDocuments?.[input.kind];
        return t.decision === 'approve' && approved !== undefined && approved !== input.sha256;
      })
      .map((t) => t.taskId);
    if (!approvedBefore.length) return [];
    this.record({
      at,
      type: 'document.changed',
      actor,
      detail: {
        kind: input.kind,
        ...(previous ? { from: { version: previous.version, sha256: previous.sha256 } } : {}),
        to: { version: input.version, sha256: input.sha256 },
        approvedBy: approvedBefore,
      },
    });
    return this.reapprove(at);
  }

  /** Why a batch of versions may not be attached now (the first refusal refuses them all), or null. */
  validateDocuments(inputs: DocumentInput[], initiator: string): DecisionError | null {
    if (!inputs.length) return { code: 'DOCUMENT_KIND_INVALID', message: 'no document to attach' };
    for (const input of inputs) {
      const error = this.validateDocument(input, initiator);
      if (error) return error;
    }
    return null;
  }

  /** A service task's activity finished; what it reports is audited and its variables kept. */
  serviceDone(
    stepId: string,
    output: { detail?: Record<string, unknown>; variables?: Variables },
    at: string,
  ): Effect[] {
    const step = this.state.steps[stepId];
    if (!step || step.status !== 'active' || this.state.status !== 'running') return [];
    Object.assign(this.state.variables, output.variables ?? {});
    this.record({ at, type: 'service.completed', elementId: step.elementId, round: step.round, detail: output.detail });
    return this.closeStep(step, 'done', at);
  }

  /** Why the applicant may not withdraw (撤回) now, or null: allowed until someone else has decided. */
  validateWithdraw(actor: string, initiator: string): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    if (actor !== initiator)
      return { code: 'WITHDRAW_NOT_ALLOWED', message: `only ${initiator}, who applied, may withdraw` };
    const decided = Object.values(this.state.tasks).find(
      (t) => t.status === 'completed' && !t.skipped && t.decidedBy !== undefined && t.decidedBy !== initiator,
    );
    if (decided) {
      return {
        code: 'WITHDRAW_NOT_ALLOWED',
        message: `${decided.decidedBy} already decided ${decided.elementId}: the request can no longer be withdrawn`,
      };
    }
    return null;
  }

  /** Why a CC (抄送) would be refused, or null: the applicant or anyone the chain has asked may copy others in. */
  validateCc(input: CcInput, initiator: string): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    const participant =
      input.actor === initiator || Object.values(this.state.tasks).some((t) => t.candidates.includes(input.actor));
    if (!participant) {
      return { code: 'CC_NOT_ALLOWED', message: `only the applicant or someone the chain asked may copy others in` };
    }
    return null;
  }

  /** 抄送: the named users may read the request (not act on it); the trail says who copied whom. */
  cc(input: CcInput, initiator: string, at: string): string[] {
    const error = this.validateCc(input, initiator);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const added = input.to.filter((u) => !(this.state.cc ?? []).includes(u));
    this.state.cc = [...(this.state.cc ?? []), ...added];
    this.record({ at, type: 'request.cc', actor: input.actor, detail: { to: added } });
    return this.state.cc;
  }

  /** Ends the chain by the applicant (withdrawn) or an operator (cancelled). */
  end(outcome: 'withdrawn' | 'cancelled', actor: string, reason: string | undefined, at: string): Effect[] {
    if (this.state.status === 'completed') throw new Error(`the request is already ${this.state.outcome}`);
    return this.complete(outcome, at, { actor, ...(reason ? { reason } : {}) });
  }

  /** Records that the conference moved (H6); the workflow then re-plans the deadlines derived from it. */
  recordReschedule(change: { from?: string; to: string; reason?: string }, actor: string, at: string): void {
    if (this.state.status !== 'running') throw new Error(`the request is already ${this.state.outcome}`);
    this.record({ at, type: 'request.rescheduled', actor, detail: { field: 'conferenceDate', ...change } });
  }

  /** Records a change of the request's data (H6): title, materials, variables, the conference date. */
  recordChange(
    changes: Record<string, { from: unknown; to: unknown }>,
    actor: string,
    reason: string | undefined,
    at: string,
  ): void {
    if (this.state.status !== 'running') throw new Error(`the request is already ${this.state.outcome}`);
    this.record({ at, type: 'request.changed', actor, detail: { changes, ...(reason ? { reason } : {}) } });
  }

  /** New values for the variables gateway conditions read (a changed request). */
  setVariables(variables: Variables): void {
    Object.assign(this.state.variables, variables);
  }

  /**
   * H6: a conference is held exactly as approved; any change re-runs the approval from the
   * process's `fabu:restartAt` step, in a new round, once any step from there on was approved in
   * this round. Before that there is nothing to re-run (the workflow re-plans deadlines only).
   */
  reapprove(at: string): Effect[] {
    const restartAt = this.ir.restartAt;
    if (!restartAt || this.state.status !== 'running') return [];
    const region = this.downstream(restartAt);
    const approved = Object.values(this.state.steps).some(
      (s) =>
        s.kind === 'userTask' && s.result === 'approved' && s.round === this.state.round && region.has(s.elementId),
    );
    if (!approved) return [];
    return this.rerunFrom(restartAt, at, { cause: 'change' });
  }

  /** A new due time for an open task (its calendar year was loaded); returns false when nothing changed. */
  replanDue(taskId: string, due: Pick<TaskState, 'dueAt' | 'dueProvisional' | 'dueBasis'>, at: string): boolean {
    const task = this.requireTask(taskId);
    if (task.status !== 'open') return false;
    if (task.dueAt === due.dueAt && task.dueProvisional === due.dueProvisional) return false;
    const from = { dueAt: task.dueAt, dueProvisional: task.dueProvisional };
    Object.assign(task, due);
    this.record({ at, type: 'task.replanned', taskId, elementId: task.elementId, detail: { from, to: due } });
    return true;
  }

  openTasks(): TaskState[] {
    return Object.values(this.state.tasks).filter((t) => t.status === 'open');
  }

  pendingTimers(): TimerState[] {
    return Object.values(this.state.timers).filter((t) => t.status === 'pending');
  }

  /** The step a person would name: the open tasks' elements (or what the chain waits for), or the outcome. */
  stage(): string {
    if (this.state.status === 'completed') return this.state.outcome ?? 'completed';
    const tasks = Object.values(this.state.tasks).filter((t) => t.status === 'open' || t.status === 'opening');
    const elements = [...new Set(tasks.map((t) => t.elementId))];
    if (elements.length === 0) elements.push(...new Set(this.activeSteps().map((s) => s.elementId)));
    return elements.join(',') || 'starting';
  }

  // ─── walking the graph ──────────────────────────────────────────────────────────────────────

  private arrive(
    nodeId: string,
    viaFlow: string | undefined,
    at: string,
    resubmitTo?: StepState['resubmitTo'],
  ): Effect[] {
    if (this.state.status !== 'running') return [];
    const node = this.node(nodeId);
    switch (node.kind) {
      case 'startEvent':
        return this.follow(node, at);
      case 'endEvent':
        // Without an outcome only this branch ends (a reminder path); the chain goes on.
        return node.outcome ? this.complete(node.outcome, at) : [];
      case 'userTask': {
        const step = this.newStep(node, 'userTask', at, resubmitTo);
        if (node.collection) step.items = this.itemsOf(node.collection);
        const count = step.items ? step.items.length : node.multi ? node.candidates.length : 1;
        step.instances = Array.from({ length: count }, () => null);
        if (count === 0) {
          // An empty list asks no one: the step is done (recorded, so the audit says why).
          this.record({
            at,
            type: 'step.completed',
            elementId: node.id,
            round: step.round,
            detail: { result: 'approved', instances: 0 },
          });
          return this.closeStep(step, 'approved', at);
        }
        const effects: Effect[] = [];
        const first = node.multi?.mode === 'sequential' ? [0] : step.instances.map((_, i) => i);
        for (const i of first) effects.push(this.openInstance(step, node, i));
        effects.push(...this.armBoundaries(step, node, at));
        return effects;
      }
      case 'serviceTask': {
        const step = this.newStep(node, 'serviceTask', at, resubmitTo);
        return [{ type: 'runService', stepId: step.stepId, node }];
      }
      case 'timerEvent': {
        const step = this.newStep(node, 'timerEvent', at, resubmitTo);
        const timerId = `${step.stepId}/${node.id}`;
        this.state.timers[timerId] = {
          timerId,
          elementId: node.id,
          stepId: step.stepId,
          status: 'pending',
          firing: 1,
          baseAt: at,
        };
        return [{ type: 'startTimer', timerId, elementId: node.id, rule: node.timer, baseAt: at }];
      }
      case 'messageEvent':
        this.newStep(node, 'messageEvent', at, resubmitTo);
        return [];
      case 'exclusiveGateway':
        return this.choose(node, at);
      case 'parallelGateway': {
        const incoming = node.incoming;
        if (incoming.length > 1) {
          const join = (this.state.joins[node.id] ??= { arrived: [], lastFired: [] });
          if (viaFlow && !join.arrived.includes(viaFlow)) join.arrived.push(viaFlow);
          if (!incoming.every((f) => join.arrived.includes(f))) return [];
          join.lastFired = join.arrived;
          join.arrived = [];
        }
        return node.outgoing.flatMap((flowId) => this.take(flowId, at));
      }
      case 'boundaryTimer':
        throw new Error(`boundary event ${node.id} cannot be entered by a sequence flow`);
      default: {
        const unknown: never = node;
        throw new Error(`unsupported node ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Exclusive gateway: the first outgoing flow whose FEEL condition holds, else the default flow. */
  private choose(node: Extract<ProcessNode, { kind: 'exclusiveGateway' }>, at: string): Effect[] {
    // One way out: a merge, not a decision.
    if (node.outgoing.length === 1) return this.take(node.outgoing[0]!, at);
    const context = this.state.variables;
    const chosen =
      node.outgoing.find((id) => {
        const condition = this.ir.flows[id]?.condition;
        return condition !== undefined && id !== node.default && conditionHolds(condition, context);
      }) ?? node.default;
    if (!chosen) {
      // The compiler refuses gateways whose conditions can all be false; reaching this is an incident.
      throw new Error(`exclusive gateway ${node.id}: no condition holds and there is no default flow`);
    }
    const flow = this.ir.flows[chosen]!;
    this.record({
      at,
      type: 'gateway.taken',
      elementId: node.id,
      round: this.state.round,
      detail: {
        flow: chosen,
        target: flow.target,
        ...(flow.condition ? { condition: flow.condition } : { default: true }),
      },
    });
    return this.take(chosen, at);
  }

  private follow(node: { id: string; outgoing: string[] }, at: string): Effect[] {
    if (node.outgoing.length === 0) throw new Error(`node ${node.id} has no outgoing flow`);
    return node.outgoing.flatMap((flowId) => this.take(flowId, at));
  }

  private take(flowId: string, at: string): Effect[] {
    const flow = this.ir.flows[flowId];
    if (!flow) throw new Error(`IR refers to missing flow ${flowId}`);
    return this.arrive(flow.target, flowId, at);
  }

  private newStep(node: ProcessNode, kind: StepKind, at: string, resubmitTo?: StepState['resubmitTo']): StepState {
    const visit = (this.state.visits[`step:${node.id}`] ?? 0) + 1;
    this.state.visits[`step:${node.id}`] = visit;
    const stepId = `${node.id}#${visit}`;
    const step: StepState = {
      stepId,
      elementId: node.id,
      kind,
      round: this.state.round,
      status: 'active',
      enteredAt: at,
      ...(resubmitTo ? { resubmitTo } : {}),
    };
    this.state.steps[stepId] = step;
    return step;
  }

  private openInstance(step: StepState, node: UserTaskNode, instance: number): Effect {
    const item = step.items?.[instance];
    // Over a list every expression applies to each item; otherwise each expression is an instance.
    const candidates = node.multi && !step.items ? [node.candidates[instance]!] : node.candidates;
    const label = candidates.length === 1 && candidates[0]!.kind === 'position' ? candidates[0]!.label : undefined;
    const suffix = [label, item].filter(Boolean).join(' · ');
    const { taskId } = this.newTask(node, {
      stepId: step.stepId,
      instance,
      ...(suffix ? { name: `${node.name}（${suffix}）` } : {}),
      ...(item ? { item } : {}),
    });
    step.instances![instance] = taskId;
    return { type: 'openTask', taskId, node, candidates, ...(item ? { item } : {}) };
  }

  private itemsOf(name: string): string[] {
    const value = this.state.variables[name];
    return Array.isArray(value) ? [...new Set(value.filter((v): v is string => typeof v === 'string'))] : [];
  }

  /** A task of a user task node, opening; ids keep the first slice's shape `<request>.<element>.<n>`, n counting every opening. */
  private newTask(node: UserTaskNode, fields: Partial<TaskState>): TaskState {
    const n = (this.state.visits[node.id] ?? 0) + 1;
    this.state.visits[node.id] = n;
    const taskId = `${this.requestId}.${node.id}.${n}`;
    const task: TaskState = {
      taskId,
      elementId: node.id,
      name: node.name,
      rules: node.rules,
      round: this.state.round,
      ...fields,
      status: 'opening',
      candidates: [],
      dueProvisional: false,
      overdue: false,
    };
    this.state.tasks[taskId] = task;
    return task;
  }

  private armBoundaries(step: StepState, node: UserTaskNode, at: string): Effect[] {
    return (node.boundaries ?? []).map((id) => this.armTimer(step, this.boundary(id), at, 1));
  }

  private armTimer(step: StepState, node: BoundaryTimerNode, at: string, firing: number): Effect {
    const timerId = `${step.stepId}/${node.id}/${firing}`;
    this.state.timers[timerId] = {
      timerId,
      elementId: node.id,
      stepId: step.stepId,
      status: 'pending',
      firing,
      baseAt: at,
    };
    return { type: 'startTimer', timerId, elementId: node.id, rule: node.timer, baseAt: at };
  }

  /** After one instance of a user task was approved or rejected: does the step complete, and how? */
  private afterInstance(task: TaskState, action: 'approve' | 'reject', at: string): Effect[] {
    const node = this.userTask(task.elementId);
    const step = task.stepId ? this.state.steps[task.stepId] : undefined;
    if (!step) {
      // A task without a step cannot happen in IR v2; kept for clarity of failure.
      throw new Error(`task ${task.taskId} has no step`);
    }
    const multi = node.multi;
    if (!multi) return this.closeStep(step, action === 'approve' ? 'approved' : 'rejected', at);

    const decisions = step.instances!.map((id) => this.instanceDecision(id));
    const total = decisions.length;
    const approved = decisions.filter((d) => d === 'approve').length;
    const rejected = decisions.filter((d) => d === 'reject').length;
    // fabu:onDue="miss": no one decided in time; done, but not an approval.
    const missed = decisions.filter((d) => d === 'missed').length;
    let result: 'approved' | 'rejected' | undefined;

    if (multi.mode === 'any') {
      if (task.skipped !== 'missed') result = action === 'approve' ? 'approved' : 'rejected';
      else if (missed === total) result = 'approved';
    } else if (multi.mode === 'sequential') {
      if (action === 'reject') result = 'rejected';
      else if (task.instance! + 1 < total) return [this.openInstance(step, node, task.instance! + 1)];
      else result = 'approved';
    } else if (multi.completionCondition) {
      const context = {
        nrOfInstances: total,
        nrOfApproved: approved,
        nrOfRejected: rejected,
        nrOfCompletedInstances: approved + rejected + missed,
      };
      if (conditionHolds(multi.completionCondition, context)) result = 'approved';
      else if (approved + rejected + missed === total) result = 'rejected';
    } else if (multi.passRatio !== undefined) {
      const needed = Math.ceil(multi.passRatio * total - 1e-9);
      if (approved >= needed) result = 'approved';
      else if (total - rejected - missed < needed) result = 'rejected';
    } else {
      // 会签 with one veto: any rejection rejects; every approval passes (missed ones excepted).
      if (rejected > 0) result = 'rejected';
      else if (approved + missed === total) result = 'approved';
    }
    if (!result) return [];
    const missedBy = step.instances!.flatMap((id) =>
      id && this.state.tasks[id]?.skipped === 'missed' ? this.state.tasks[id]!.candidates : [],
    );
    this.record({
      at,
      type: 'step.completed',
      elementId: step.elementId,
      round: step.round,
      detail: {
        result,
        mode: multi.mode,
        approved,
        rejected,
        instances: total,
        ...(missed ? { missed, missedBy } : {}),
      },
    });
    return this.closeStep(step, result, at);
  }

  /** Closes a step with its result and moves on: approved/done follow the flow, rejected ends the chain. */
  private closeStep(step: StepState, result: StepResult, at: string): Effect[] {
    this.cancelStep(step, at, result, 'completed');
    if (result === 'rejected') return this.complete('rejected', at);
    this.clocksReached(step.elementId, at);
    const node = this.node(step.elementId);
    if (step.resubmitTo) {
      // resubmit policy: the returned work goes straight back to the step that returned it.
      const target = this.state.steps[step.resubmitTo.stepId];
      if (target?.status === 'active') {
        this.record({
          at,
          type: 'round.started',
          elementId: target.elementId,
          round: this.state.round,
          detail: { resubmitted: step.elementId, to: target.elementId },
        });
        const targetNode = this.userTask(target.elementId);
        const effects = [this.openInstance(target, targetNode, step.resubmitTo.instance)];
        if (!this.pendingTimersOf(target).length) effects.push(...this.armBoundaries(target, targetNode, at));
        return effects;
      }
      return [];
    }
    return this.follow(node, at);
  }

  /** Closes a step and everything open in it: its tasks (cancelled) and its timers. */
  private cancelStep(
    step: StepState,
    at: string,
    result: StepResult,
    status: 'completed' | 'cancelled' = 'cancelled',
  ): void {
    if (step.status !== 'active') return;
    step.status = status;
    step.result = result;
    step.closedAt = at;
    // Its instances' tasks and the sign-offs added to them (加签).
    for (const task of Object.values(this.state.tasks)) {
      if (task.stepId === step.stepId && (task.status === 'open' || task.status === 'opening')) {
        this.cancelTask(task, at);
      }
    }
    for (const timer of this.pendingTimersOf(step)) timer.status = 'cancelled';
  }

  private cancelTask(task: TaskState, at: string): void {
    Object.assign(task, { status: 'cancelled', closedAt: at });
    this.record({ at, type: 'task.cancelled', taskId: task.taskId, elementId: task.elementId, round: task.round });
  }

  // ─── 退回 ──────────────────────────────────────────────────────────────────────────────────

  private validateReturn(task: TaskState, target: string | undefined): DecisionError | null {
    if (!target) return { code: 'RETURN_TARGET_INVALID', message: 'a return names the earlier step in returnTo' };
    const targets = this.returnTargets(task.taskId);
    if (!targets.includes(target)) {
      return {
        code: 'RETURN_TARGET_INVALID',
        message:
          `${target} is not an earlier completed step of ${task.elementId}` +
          (targets.length
            ? ` (it may return to: ${targets.join(', ')})`
            : ' (there is no earlier completed step to return to)'),
      };
    }
    return null;
  }

  /**
   * Sends the work back to an earlier step (退回) in a new round. `rerun`: everything downstream of
   * the target that is still open closes (tasks of every branch and instance, timers), joins forget
   * the arrivals of those branches and keep the others', and the chain runs again from the target.
   * `resubmit`: only the returning instance waits; once the target is done again it reopens.
   */
  private returnTo(task: TaskState, targetId: string, at: string): Effect[] {
    const step = this.state.steps[task.stepId!]!;
    const policy = this.ir.returnPolicy ?? 'rerun';
    this.startRound(targetId, at, { from: task.elementId, to: targetId, policy });
    if (policy === 'resubmit') {
      step.instances![task.instance!] = null;
      // The returning step waits: its reminders stop until the work comes back.
      for (const timer of this.pendingTimersOf(step)) timer.status = 'cancelled';
      return this.arrive(targetId, undefined, at, { stepId: step.stepId, instance: task.instance! });
    }

    this.cancelStep(step, at, 'returned', 'cancelled');
    return this.rerunFrom(targetId, at, undefined);
  }

  /**
   * Runs the chain again from an earlier step: everything downstream of it that is still open closes
   * (tasks of every branch and instance, timers), joins forget the arrivals of those branches and
   * keep the others', and the step opens again. `round` says whether a new round starts here (a
   * change, H6) or was already started by the caller (a return).
   */
  private rerunFrom(targetId: string, at: string, round: { cause: 'change' } | undefined): Effect[] {
    if (round) this.startRound(targetId, at, { to: targetId, cause: round.cause });
    const region = this.downstream(targetId);
    for (const active of this.activeSteps().filter((s) => region.has(s.elementId))) {
      this.cancelStep(active, at, 'interrupted', 'cancelled');
    }
    for (const [joinId, join] of Object.entries(this.state.joins)) {
      const fromRegion = (flowId: string) => region.has(this.ir.flows[flowId]!.source);
      const restored = region.has(joinId) ? join.lastFired.filter((f) => !fromRegion(f)) : [];
      join.arrived = [...new Set([...join.arrived.filter((f) => !fromRegion(f)), ...restored])];
      if (region.has(joinId)) join.lastFired = [];
    }
    return this.arrive(targetId, undefined, at);
  }

  /** One more round (a return, a change): numbered in state and in the audit trail. */
  private startRound(elementId: string, at: string, detail: Record<string, unknown>): void {
    const previousRound = this.state.round;
    this.state.round += 1;
    this.record({
      at,
      type: 'round.started',
      elementId,
      round: this.state.round,
      detail: { ...detail, previousRound },
    });
  }

  /** The element and everything reachable from it (through boundary events too). */
  private downstream(elementId: string): Set<string> {
    const seen = new Set<string>([elementId]);
    const queue = [elementId];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const node = this.ir.nodes[id];
      if (!node) continue;
      const next = node.outgoing.map((f) => this.ir.flows[f]!.target);
      if (node.kind === 'userTask') next.push(...(node.boundaries ?? []));
      for (const n of next.filter((n) => !seen.has(n))) {
        seen.add(n);
        queue.push(n);
      }
    }
    return seen;
  }

  // ─── hour clocks (H7, O2, U2) ───────────────────────────────────────────────────────────────

  /**
   * Starts the clocks whose window now applies and shortens running ones whose window got shorter
   * (a severity upgrade). A window is never lengthened: a downgrade keeps what was promised, and the
   * history keeps both assessments. Returns a start effect for each clock started.
   */
  private planClocks(at: string): Effect[] {
    if (this.state.status !== 'running' || !this.ir.clocks?.length) return [];
    const clocks = (this.state.clocks ??= {});
    const effects: Effect[] = [];
    for (const def of this.ir.clocks) {
      const window = def.windows.find((w) => w.when === undefined || conditionHolds(w.when, this.state.variables));
      if (!window) continue;
      const clock = clocks[def.id];
      const severity = typeof this.state.variables.severity === 'string' ? this.state.variables.severity : undefined;
      if (!clock) {
        const startedAt = this.knownAt(def);
        clocks[def.id] = {
          clockId: def.id,
          name: def.name,
          rules: def.rules,
          status: 'running',
          startedAt,
          ...clockWindow(def, startedAt, window.ms),
          ...(severity ? { severity } : {}),
        };
        this.record({
          at,
          type: 'clock.started',
          detail: { clockId: def.id, startedAt, within: window.source, dueAt: clocks[def.id]!.dueAt, severity },
        });
        effects.push({ type: 'startClock', clockId: def.id });
      } else if (clock.status === 'running' && window.ms < clock.windowMs) {
        const from = { windowMs: clock.windowMs, dueAt: clock.dueAt };
        Object.assign(clock, clockWindow(def, clock.startedAt, window.ms), severity ? { severity } : {});
        if (clock.warnedAt && Date.parse(clock.warnedAt) < Date.parse(clock.warnAt)) delete clock.warnedAt;
        this.record({
          at,
          type: 'clock.replanned',
          detail: {
            clockId: def.id,
            from,
            to: { windowMs: clock.windowMs, dueAt: clock.dueAt },
            within: window.source,
          },
        });
      }
    }
    return effects;
  }

  /** The instant the event was known (fabu:clock from="knownAt"), else when the request was submitted. */
  private knownAt(def: ClockDef): string {
    const given = def.from ? this.state.variables[def.from] : undefined;
    if (typeof given === 'string' && !Number.isNaN(Date.parse(given))) return new Date(given).toISOString();
    return this.state.history.find((h) => h.type === 'request.submitted')!.at;
  }

  /** An element in a clock's `until` completed: the clock is met (late, if it was breached). */
  private clocksReached(elementId: string, at: string): void {
    for (const def of this.ir.clocks ?? []) {
      const clock = this.state.clocks?.[def.id];
      if (!clock || clock.metAt || clock.status === 'stopped' || !def.until.includes(elementId)) continue;
      const late = clock.status === 'breached';
      Object.assign(clock, {
        status: late ? 'breached' : 'met',
        metAt: at,
        metBy: elementId,
        unit: this.responsibleUnit(),
        ...(late ? { late: true } : {}),
      });
      const elapsedMs = Date.parse(at) - Date.parse(clock.startedAt);
      this.record({
        at,
        type: 'clock.met',
        elementId,
        detail: { clockId: def.id, elapsedMs, windowMs: clock.windowMs, late },
      });
    }
  }

  /** The clock's warning time passed with the clock still running: its holders and recipients are told. */
  clockWarned(clockId: string, at: string, notified: string[]): boolean {
    const clock = this.state.clocks?.[clockId];
    if (clock?.status !== 'running' || clock.warnedAt || this.state.status !== 'running') return false;
    clock.warnedAt = at;
    this.record({
      at,
      type: 'clock.warned',
      detail: { clockId, dueAt: clock.dueAt, holders: this.holders(), notified },
    });
    return true;
  }

  /** The window ended unmet: a breach, recorded with who held the task at that moment (O5). */
  clockBreached(clockId: string, at: string, notified: string[]): boolean {
    const clock = this.state.clocks?.[clockId];
    if (clock?.status !== 'running' || this.state.status !== 'running') return false;
    const holders = this.holders();
    Object.assign(clock, { status: 'breached', breachedAt: at, holders, unit: this.responsibleUnit() });
    this.record({
      at,
      type: 'clock.breached',
      detail: {
        clockId,
        dueAt: clock.dueAt,
        holders,
        tasks: this.openTasks().map((t) => t.elementId),
        unit: clock.unit,
        notified,
      },
    });
    return true;
  }

  clockDef(clockId: string): ClockDef | undefined {
    return this.ir.clocks?.find((c) => c.id === clockId);
  }

  runningClocks(): ClockState[] {
    return Object.values(this.state.clocks ?? {}).filter((c) => c.status === 'running');
  }

  /** Who holds the open tasks: a claimer or delegate, else every candidate. */
  private holders(): string[] {
    const users = this.openTasks().flatMap((t) =>
      t.delegatedTo ? [t.delegatedTo] : t.assignee ? [t.assignee] : t.candidates,
    );
    return [...new Set(users)].sort();
  }

  private responsibleUnit(): string | undefined {
    const org = this.state.variables.orgCode;
    return typeof org === 'string' ? org : undefined;
  }

  /** Why the severity may not be set to this value now, or null. */
  validateReassess(input: { severity: string }): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    const declared = this.ir.variables?.find((v) => v.name === 'severity');
    if (!declared) return { code: 'OUTPUT_INVALID', message: `${this.ir.key} has no severity to assess` };
    const typeError = variableTypeError(declared, input.severity);
    if (typeError) return { code: 'OUTPUT_INVALID', message: `severity ${typeError}` };
    if (this.state.variables.severity === input.severity) {
      return { code: 'SEVERITY_UNCHANGED', message: `the severity is already ${input.severity}` };
    }
    return null;
  }

  /**
   * 研判 again (O1): an upgrade shortens the running clocks and may start new ones (H7: a press
   * conference within 24 hours); a downgrade keeps the clocks already promised. Both are recorded.
   */
  reassess(input: { actor: string; severity: string; reason?: string }, at: string): Effect[] {
    const from = this.state.variables.severity;
    this.setVariables({ severity: input.severity });
    this.record({
      at,
      type: 'incident.reassessed',
      actor: input.actor,
      comment: input.reason,
      detail: { from, to: input.severity },
    });
    return this.planClocks(at);
  }

  /** Why the responsible unit may not hand the work on to `to` now, or null. */
  validateHandOver(input: { to: string; from?: string }): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    const from = input.from ?? this.responsibleUnit();
    const units = this.itemsOf('units');
    if (!/^[a-z][a-z0-9-]*$/.test(input.to))
      return { code: 'HANDOVER_INVALID', message: `"${input.to}" is not an org code` };
    if (input.to === from) return { code: 'HANDOVER_INVALID', message: `${input.to} already holds it` };
    if (from !== this.responsibleUnit() && !units.includes(from ?? '')) {
      return { code: 'HANDOVER_INVALID', message: `${from} is not a responsible unit of this incident` };
    }
    if (units.includes(input.to)) return { code: 'HANDOVER_INVALID', message: `${input.to} is already responsible` };
    return null;
  }

  /**
   * O1: a unit hands the incident on to the unit whose duty it is; recorded, and the open tasks that
   * were that unit's (its instance of a list task, or the lead unit's steps) go to the new one.
   */
  handOver(input: { actor: string; to: string; from?: string; reason?: string }, at: string): Effect[] {
    const lead = this.responsibleUnit();
    const from = input.from ?? lead!;
    const units = this.itemsOf('units');
    if (units.includes(from)) this.setVariables({ units: units.map((u) => (u === from ? input.to : u)) });
    if (from === lead) this.setVariables({ orgCode: input.to });
    this.record({
      at,
      type: 'incident.handedOver',
      actor: input.actor,
      comment: input.reason,
      detail: { from, to: input.to, lead: from === lead },
    });
    const effects: Effect[] = [];
    for (const task of this.openTasks().filter((t) => !t.addedFor)) {
      const node = this.userTask(task.elementId);
      const step = task.stepId ? this.state.steps[task.stepId] : undefined;
      if (task.item === from) {
        task.item = input.to;
        if (step?.items) step.items[task.instance!] = input.to;
        effects.push({ type: 'reassign', taskId: task.taskId, node, candidates: node.candidates, item: input.to });
      } else if (from === lead && !task.item) {
        const exprs = node.multi ? [node.candidates[task.instance!]!] : node.candidates;
        if (exprs.some((e) => e.kind === 'position' && e.org.kind === 'applicant')) {
          effects.push({ type: 'reassign', taskId: task.taskId, node, candidates: exprs });
        }
      }
    }
    return effects;
  }

  /** New candidates for an open task after a hand-over; returns false when the task closed meanwhile. */
  reassign(taskId: string, candidates: string[], at: string): boolean {
    const task = this.state.tasks[taskId];
    if (task?.status !== 'open') return false;
    const from = task.candidates;
    Object.assign(task, { candidates, assignee: undefined, delegatedTo: undefined, delegatedBy: undefined });
    if (task.item) task.name = task.name.replace(/（[^（）]*）$/, `（${task.item}）`);
    this.record({
      at,
      type: 'task.reassigned',
      taskId,
      elementId: task.elementId,
      round: task.round,
      detail: { from, to: candidates },
    });
    return true;
  }

  // ─── ending ────────────────────────────────────────────────────────────────────────────────

  private complete(outcome: Outcome, at: string, detail: Record<string, unknown> = {}): Effect[] {
    for (const step of this.activeSteps()) this.cancelStep(step, at, 'interrupted');
    for (const task of Object.values(this.state.tasks)) {
      if (task.status === 'open' || task.status === 'opening') this.cancelTask(task, at);
    }
    this.state.status = 'completed';
    this.state.outcome = outcome;
    for (const clock of Object.values(this.state.clocks ?? {}).filter((c) => c.status === 'running')) {
      Object.assign(clock, { status: 'stopped', stoppedAt: at });
      this.record({ at, type: 'clock.stopped', detail: { clockId: clock.clockId, outcome } });
    }
    this.record({ at, type: 'request.completed', round: this.state.round, detail: { outcome, ...detail } });
    return [{ type: 'completed', outcome }];
  }

  // ─── helpers ───────────────────────────────────────────────────────────────────────────────

  private activeSteps(kind?: StepKind): StepState[] {
    return Object.values(this.state.steps).filter((s) => s.status === 'active' && (!kind || s.kind === kind));
  }

  private pendingTimersOf(step: StepState): TimerState[] {
    return Object.values(this.state.timers).filter((t) => t.stepId === step.stepId && t.status === 'pending');
  }

  private waitingFor(name: string): StepState | undefined {
    return this.activeSteps('messageEvent').find((s) => this.messageName(s.elementId) === name);
  }

  private messageName(elementId: string): string {
    const node = this.node(elementId);
    return node.kind === 'messageEvent' ? node.message : '';
  }

  private record(entry: Omit<HistoryEntry, 'seq'>): void {
    this.state.history.push({ seq: this.state.history.length + 1, ...entry });
  }

  private requireTask(taskId: string): TaskState {
    const task = this.state.tasks[taskId];
    if (!task) throw new Error(`no task ${taskId}`);
    return task;
  }

  private node(id: string): ProcessNode {
    const node = this.ir.nodes[id];
    if (!node) throw new Error(`IR refers to missing node ${id}`);
    return node;
  }

  private userTask(elementId: string): UserTaskNode {
    const node = this.ir.nodes[elementId];
    if (node?.kind !== 'userTask') throw new Error(`${elementId} is not a user task`);
    return node;
  }

  private boundary(elementId: string): BoundaryTimerNode {
    const node = this.ir.nodes[elementId];
    if (node?.kind !== 'boundaryTimer') throw new Error(`${elementId} is not a boundary timer`);
    return node;
  }
}

/** The names an approval of this task gives data under (fabu:output, comma-separated). */
export function outputNames(node: UserTaskNode): string[] {
  return (node.output ?? '').split(',').filter(Boolean);
}

/** Why a value does not fit a declared variable, or undefined. */
function variableTypeError(v: NonNullable<ProcessIR['variables']>[number], value: unknown): string | undefined {
  switch (v.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'enum':
      return typeof value === 'string' && v.values!.includes(value)
        ? undefined
        : `must be one of ${v.values!.join(', ')}`;
    case 'list':
      return Array.isArray(value) && value.every((x) => typeof x === 'string')
        ? undefined
        : 'must be a list of strings';
    case 'string':
      return undefined;
  }
}

/** A clock's window from the instant the event was known: its due time and its warning time. */
function clockWindow(def: ClockDef, startedAt: string, ms: number): Pick<ClockState, 'windowMs' | 'dueAt' | 'warnAt'> {
  const start = Date.parse(startedAt);
  return {
    windowMs: ms,
    dueAt: new Date(start + ms).toISOString(),
    warnAt: new Date(start + Math.round(ms * def.warnAt)).toISOString(),
  };
}
