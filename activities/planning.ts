import { ApplicationFailure } from '@temporalio/common';
import type { WorkingDayCalendar } from '../src/calendar/working-days.js';
import { businessDate, computeDue } from '../src/calendar/working-days.js';
import { parseRecurrence, upcomingPeriodOf } from '../src/calendar/recurrence.js';
import type { DirectoryRepository } from '../src/directory/directory.repository.js';
import type { ProxiesRepository } from '../src/proxies/proxies.repository.js';
import type { CandidateExpr, DueRule, ProcessIR, UserTaskNode } from '../src/processes/ir.js';
import type { RequestFields } from '../workflows/definitions.js';

export interface PlanTaskInput {
  requestId: string;
  taskId: string;
  node: UserTaskNode;
  /** The candidate expressions of this task: all of the node's, or one per multi-instance instance. */
  candidates?: CandidateExpr[];
  /** An added sign-off (加签): these users, not the node's expressions. */
  users?: string[];
  /** A multi-instance task over a list (fabu:collection): the org this instance is for (O4). */
  item?: string;
  /** The chain, for proxies registered for one chain only. */
  processKey?: string;
  request: RequestFields;
  /** ISO instant the task opened (the workflow's clock). */
  openedAt: string;
}

export interface DuePlan {
  dueAt?: string;
  /** Counted through a year that is not loaded (weekdays only): re-planned when the year is imported. */
  dueProvisional: boolean;
  dueBasis?: string;
}

export interface TaskPlan extends DuePlan {
  candidates: string[];
  /** Candidate expressions no one holds: the task opens without them and operators see it. */
  unresolved: CandidateExpr[];
  /** No one held a candidate position, so the task went to its fabu:escalation (fabu:onEmpty="escalate"). */
  escalated?: boolean;
  /** Candidates standing in for someone away (proxy → the one they cover). */
  onBehalfOf?: Record<string, string>;
}

export interface PlanningDeps {
  directory: Pick<DirectoryRepository, 'resolve'>;
  /** Cover while away; without it (tests of the chains alone) no one has a proxy. */
  proxies?: Pick<ProxiesRepository, 'resolve'>;
  /** The deployed chains, for the requests a topic meeting starts (N2). */
  definitions?: { latest(key: string): Promise<{ key: string; version: number; ir: ProcessIR } | null> };
  /** The statutory calendar as known now (the store, or the bundled data in tests). */
  calendar: () => WorkingDayCalendar | Promise<WorkingDayCalendar>;
  /** HH:MM at which a working-day deadline falls due. */
  dayEnd: string;
}

/** Local activities: who may act on a task and when it is due, computed once and recorded in history. */
export function createPlanningActivities(deps: PlanningDeps) {
  async function resolveAll(exprs: CandidateExpr[], request: RequestFields, item?: string) {
    const candidates = new Set<string>();
    const unresolved: CandidateExpr[] = [];
    for (const expr of exprs) {
      const users = await deps.directory.resolve(expr, {
        orgCode: request.orgCode,
        initiator: request.initiator,
        ...(item ? { item } : {}),
      });
      if (users.length === 0) unresolved.push(expr);
      users.forEach((u) => candidates.add(u));
    }
    return { candidates: [...candidates].sort(), unresolved };
  }

  /**
   * Cover while away: a candidate with a proxy in force when the task opens is replaced by the end
   * of their proxy chain, and the task remembers whom the proxy stands in for.
   */
  async function standIn(
    users: string[],
    input: PlanTaskInput,
  ): Promise<{ candidates: string[]; onBehalfOf?: Record<string, string> }> {
    const proxyOf = deps.proxies ? await deps.proxies.resolve(users, new Date(input.openedAt), input.processKey) : {};
    if (Object.keys(proxyOf).length === 0) return { candidates: users };
    const candidates = new Set<string>();
    const onBehalfOf: Record<string, string> = {};
    for (const user of users) {
      const proxy = proxyOf[user];
      if (!proxy) candidates.add(user);
      else {
        candidates.add(proxy);
        if (!users.includes(proxy) && !onBehalfOf[proxy]) onBehalfOf[proxy] = user;
      }
    }
    return { candidates: [...candidates].sort(), onBehalfOf };
  }

  async function planDue(input: Omit<PlanTaskInput, 'taskId'> & { taskId?: string }): Promise<DuePlan> {
    if (!input.node.due) return { dueProvisional: false };
    return planRule(input.node.due, input.request, input.openedAt);
  }

  async function planRule(
    rule: DueRule,
    request: RequestFields,
    from: string,
  ): Promise<Required<Omit<DuePlan, 'dueAt'>> & { dueAt: string }> {
    const due = computeDue(rule, {
      openedAt: new Date(from),
      request,
      calendar: await deps.calendar(),
      dayEnd: deps.dayEnd,
    });
    return { dueAt: due.dueAt.toISOString(), dueProvisional: due.provisional, dueBasis: due.basis };
  }

  async function planTask(input: PlanTaskInput): Promise<TaskPlan> {
    const due = await planDue(input);
    if (input.users) return { ...(await standIn(input.users, input)), unresolved: [], ...due };
    const { candidates, unresolved } = await resolveAll(
      input.candidates ?? input.node.candidates,
      input.request,
      input.item,
    );
    if (candidates.length === 0 && input.node.onEmpty === 'escalate') {
      const escalation = await resolveAll(input.node.escalation, input.request, input.item);
      return { ...(await standIn(escalation.candidates, input)), unresolved, escalated: true, ...due };
    }
    return { ...(await standIn(candidates, input)), unresolved, ...due };
  }

  return {
    planTask,

    /**
     * The tasks one step opens (a countersign's instances, a fork's branches), planned by one local
     * activity: one marker in the history for all of them.
     */
    async planTasks(inputs: PlanTaskInput[]): Promise<TaskPlan[]> {
      const plans: TaskPlan[] = [];
      for (const input of inputs) plans.push(await planTask(input));
      return plans;
    },

    /** The due time alone, counted again from the calendar as it is now (after a year was loaded). */
    planDue,

    /** The latest deployed version of a chain (the one a topic meeting's requests run, N2). */
    async loadDefinition(input: { key: string }): Promise<{ key: string; version: number; ir: ProcessIR }> {
      const found = await deps.definitions?.latest(input.key);
      if (!found) throw ApplicationFailure.nonRetryable(`no deployed process ${input.key}`, 'ProcessNotFound');
      return { key: found.key, version: found.version, ir: found.ir };
    },

    /** A scheduled run's period and date (N2, N3, L1, L2), from the business date it fired on. */
    async planPeriod(input: { recurrence: string; firedAt: string }) {
      const recurrence = parseRecurrence(input.recurrence);
      if ('error' in recurrence) throw new Error(recurrence.error);
      return upcomingPeriodOf(recurrence, businessDate(new Date(input.firedAt)), await deps.calendar());
    },

    /** When a timer event or boundary timer fires: its rule counted from the moment it started waiting. */
    async planTimer(input: {
      requestId: string;
      rule: DueRule;
      request: RequestFields;
      from: string;
    }): Promise<DuePlan> {
      return planRule(input.rule, input.request, input.from);
    },

    async resolveRecipients(input: {
      requestId: string;
      exprs: CandidateExpr[];
      request: RequestFields;
    }): Promise<string[]> {
      return (await resolveAll(input.exprs, input.request)).candidates;
    },
  };
}
