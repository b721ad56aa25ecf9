// The state machine behind the approval interpreter. Pure: no Temporal APIs, no clocks, no I/O,
// so unit tests drive it without a server and the workflow replays it deterministically.
// The workflow feeds it events (started, task opened, decision, deadline passed) and carries out
// the effects it returns (open a task, finish the process).
import type { DecisionAction, Outcome, ProcessIR, UserTaskNode } from '../src/processes/ir.js';

export type TaskStatus = 'opening' | 'open' | 'completed' | 'cancelled';

export interface TaskState {
  taskId: string;
  elementId: string;
  name: string;
  rules: string[];
  round: number;
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
}

export type HistoryType =
  | 'request.submitted'
  | 'task.opened'
  | 'task.decided'
  | 'task.overdue'
  | 'task.replanned'
  | 'task.cancelled'
  | 'request.rescheduled'
  | 'request.completed';

export interface HistoryEntry {
  seq: number;
  at: string;
  type: HistoryType;
  taskId?: string;
  elementId?: string;
  actor?: string;
  action?: DecisionAction;
  comment?: string;
  detail?: Record<string, unknown>;
}

export interface MachineState {
  status: 'running' | 'completed';
  outcome?: Outcome;
  tasks: Record<string, TaskState>;
  /** How many times each user task element has been opened: a task id is `<request>.<element>.<round>`. */
  rounds: Record<string, number>;
  history: HistoryEntry[];
}

export interface Decision {
  taskId: string;
  action: DecisionAction;
  actor: string;
  comment?: string;
}

export type DecisionErrorCode =
  'PROCESS_COMPLETED' | 'TASK_NOT_FOUND' | 'TASK_NOT_OPEN' | 'NOT_A_CANDIDATE' | 'ACTION_NOT_ALLOWED';

export interface DecisionError {
  code: DecisionErrorCode;
  message: string;
}

export type Effect = { type: 'openTask'; taskId: string; node: UserTaskNode } | { type: 'completed'; outcome: Outcome };

export interface OpenedTaskDetails {
  candidates: string[];
  dueAt?: string;
  dueProvisional: boolean;
  dueBasis?: string;
}

export class ApprovalMachine {
  readonly state: MachineState;

  constructor(
    private readonly ir: ProcessIR,
    private readonly requestId: string,
    state?: MachineState,
  ) {
    this.state = state ?? { status: 'running', tasks: {}, rounds: {}, history: [] };
  }

  /** Records the submission and walks from the start event to the first waiting node. */
  start(at: string, initiator: string): Effect[] {
    this.record({ at, type: 'request.submitted', actor: initiator });
    return this.enter(this.ir.startNodeId, at);
  }

  /** Called once candidates and due time are known: the task becomes decidable. */
  taskOpened(taskId: string, details: OpenedTaskDetails, at: string): TaskState {
    const task = this.requireTask(taskId);
    if (task.status !== 'opening') throw new Error(`task ${taskId} is ${task.status}, not opening`);
    Object.assign(task, { ...details, status: 'open', openedAt: at });
    this.record({
      at,
      type: 'task.opened',
      taskId,
      elementId: task.elementId,
      detail: { candidates: details.candidates, dueAt: details.dueAt, dueProvisional: details.dueProvisional },
    });
    return task;
  }

  /** Why a decision would be refused, or null if it may be applied. Never changes state. */
  validate(decision: Decision): DecisionError | null {
    if (this.state.status === 'completed') {
      return { code: 'PROCESS_COMPLETED', message: `the request is already ${this.state.outcome}` };
    }
    const task = this.state.tasks[decision.taskId];
    if (!task) return { code: 'TASK_NOT_FOUND', message: `no task ${decision.taskId} in this request` };
    if (task.status !== 'open') return { code: 'TASK_NOT_OPEN', message: `task ${decision.taskId} is ${task.status}` };
    if (!task.candidates.includes(decision.actor)) {
      return { code: 'NOT_A_CANDIDATE', message: `${decision.actor} is not a candidate of task ${decision.taskId}` };
    }
    const node = this.userTask(task.elementId);
    if (!node.actions.includes(decision.action)) {
      return { code: 'ACTION_NOT_ALLOWED', message: `${decision.action} is not allowed on ${node.id}` };
    }
    return null;
  }

  /** Applies a validated decision: approve follows the task's outgoing flow, reject ends the chain. */
  decide(decision: Decision, at: string): Effect[] {
    const error = this.validate(decision);
    if (error) throw new Error(`${error.code}: ${error.message}`);
    const task = this.requireTask(decision.taskId);
    Object.assign(task, {
      status: 'completed',
      closedAt: at,
      decision: decision.action,
      decidedBy: decision.actor,
      comment: decision.comment,
    });
    this.record({
      at,
      type: 'task.decided',
      taskId: task.taskId,
      elementId: task.elementId,
      actor: decision.actor,
      action: decision.action,
      comment: decision.comment,
    });
    if (decision.action === 'reject') return this.complete('rejected', at);
    return this.follow(this.userTask(task.elementId), at);
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
      detail: { dueAt: task.dueAt, notified },
    });
    return true;
  }

  /** Records that the conference moved (H6); the workflow then re-plans the deadlines derived from it. */
  recordReschedule(change: { from?: string; to: string; reason?: string }, actor: string, at: string): void {
    if (this.state.status !== 'running') throw new Error(`the request is already ${this.state.outcome}`);
    this.record({ at, type: 'request.rescheduled', actor, detail: { field: 'conferenceDate', ...change } });
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

  /** The step a person would name: the open tasks' names, or the outcome once finished. */
  stage(): string {
    if (this.state.status === 'completed') return this.state.outcome ?? 'completed';
    const active = Object.values(this.state.tasks).filter((t) => t.status === 'open' || t.status === 'opening');
    return active.map((t) => t.elementId).join(',') || 'starting';
  }

  private enter(nodeId: string, at: string): Effect[] {
    const node = this.ir.nodes[nodeId];
    if (!node) throw new Error(`IR refers to missing node ${nodeId}`);
    switch (node.kind) {
      case 'startEvent':
        return this.follow(node, at);
      case 'endEvent':
        return this.complete(node.outcome, at);
      case 'userTask': {
        const round = (this.state.rounds[node.id] ?? 0) + 1;
        this.state.rounds[node.id] = round;
        const taskId = `${this.requestId}.${node.id}.${round}`;
        this.state.tasks[taskId] = {
          taskId,
          elementId: node.id,
          name: node.name,
          rules: node.rules,
          round,
          status: 'opening',
          candidates: [],
          dueProvisional: false,
          overdue: false,
        };
        return [{ type: 'openTask', taskId, node }];
      }
      default: {
        const unknown: never = node;
        throw new Error(`unsupported node ${JSON.stringify(unknown)}`);
      }
    }
  }

  private follow(node: { id: string; outgoing: string[] }, at: string): Effect[] {
    // The compiler guarantees exactly one outgoing flow for starts and user tasks in this subset.
    const flowId = node.outgoing[0];
    const flow = flowId ? this.ir.flows[flowId] : undefined;
    if (!flow) throw new Error(`node ${node.id} has no outgoing flow`);
    return this.enter(flow.target, at);
  }

  private complete(outcome: Outcome, at: string): Effect[] {
    for (const task of Object.values(this.state.tasks)) {
      if (task.status === 'open' || task.status === 'opening') {
        Object.assign(task, { status: 'cancelled', closedAt: at });
        this.record({ at, type: 'task.cancelled', taskId: task.taskId, elementId: task.elementId });
      }
    }
    this.state.status = 'completed';
    this.state.outcome = outcome;
    this.record({ at, type: 'request.completed', detail: { outcome } });
    return [{ type: 'completed', outcome }];
  }

  private record(entry: Omit<HistoryEntry, 'seq'>): void {
    this.state.history.push({ seq: this.state.history.length + 1, ...entry });
  }

  private requireTask(taskId: string): TaskState {
    const task = this.state.tasks[taskId];
    if (!task) throw new Error(`no task ${taskId}`);
    return task;
  }

  private userTask(elementId: string): UserTaskNode {
    const node = this.ir.nodes[elementId];
    if (node?.kind !== 'userTask') throw new Error(`${elementId} is not a user task`);
    return node;
  }
}
