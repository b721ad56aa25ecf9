import type { WorkingDayCalendar } from '../src/calendar/working-days.js';
import { computeDue } from '../src/calendar/working-days.js';
import type { DirectoryRepository } from '../src/directory/directory.repository.js';
import type { CandidateExpr, DueRule, UserTaskNode } from '../src/processes/ir.js';
import type { RequestFields } from '../workflows/definitions.js';

export interface PlanTaskInput {
  requestId: string;
  taskId: string;
  node: UserTaskNode;
  /** The candidate expressions of this task: all of the node's, or one per multi-instance instance. */
  candidates?: CandidateExpr[];
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
}

export interface PlanningDeps {
  directory: Pick<DirectoryRepository, 'resolve'>;
  /** The statutory calendar as known now (the store, or the bundled data in tests). */
  calendar: () => WorkingDayCalendar | Promise<WorkingDayCalendar>;
  /** HH:MM at which a working-day deadline falls due. */
  dayEnd: string;
}

/** Local activities: who may act on a task and when it is due, computed once and recorded in history. */
export function createPlanningActivities(deps: PlanningDeps) {
  async function resolveAll(exprs: CandidateExpr[], request: RequestFields) {
    const candidates = new Set<string>();
    const unresolved: CandidateExpr[] = [];
    for (const expr of exprs) {
      const users = await deps.directory.resolve(expr, { orgCode: request.orgCode, initiator: request.initiator });
      if (users.length === 0) unresolved.push(expr);
      users.forEach((u) => candidates.add(u));
    }
    return { candidates: [...candidates].sort(), unresolved };
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

  return {
    async planTask(input: PlanTaskInput): Promise<TaskPlan> {
      const { candidates, unresolved } = await resolveAll(input.candidates ?? input.node.candidates, input.request);
      const due = await planDue(input);
      if (candidates.length === 0 && input.node.onEmpty === 'escalate') {
        const escalation = await resolveAll(input.node.escalation, input.request);
        return { candidates: escalation.candidates, unresolved, escalated: true, ...due };
      }
      return { candidates, unresolved, ...due };
    },

    /** The due time alone, counted again from the calendar as it is now (after a year was loaded). */
    planDue,

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
