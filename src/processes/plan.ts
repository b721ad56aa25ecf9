// Plan preview: every dated step of a chain for one conference date and submission, counted by
// the same due computation the workflow uses (computeDue), never a second calendar arithmetic.
// Pure: the caller brings the compiled chain and the calendar as stored.
import {
  type IsoDate,
  type WorkingDayCalendar,
  addDays,
  businessDate,
  computeDue,
  endOfBusinessDay,
} from '../calendar/working-days.js';
import type { DueRule, ProcessIR, ProcessNode } from './ir.js';
import type { Plan, PlanItem } from './plan.schemas.js';

export interface PlanInput {
  ir: ProcessIR;
  /** YYYY-MM-DD. */
  conferenceDate: IsoDate;
  submitAt: Date;
  calendar: WorkingDayCalendar;
  /** HH:MM at which a working-day deadline falls due (BUSINESS_DAY_END). */
  dayEnd: string;
}

/** Rules dated by a request field; the others count from the moment a step opens. */
const FIELD_RULES = new Set<DueRule['kind']>(['workingDaysBeforeField', 'calendarBeforeField', 'startOfField']);
const isFieldRule = (rule: DueRule) => FIELD_RULES.has(rule.kind);

/** Rules of docs/chains.md that set a lead time before the conference ("filed ≥ 7 WD / 1 week before"). */
const LEAD_TIME_RULES = new Set(['H1', 'H5', 'L3', 'N6']);

/** The order of items due at the same instant: what must happen first, the conference last. */
const KIND_ORDER: Record<PlanItem['kind'], number> = {
  submission: 0,
  applyBefore: 1,
  due: 2,
  timer: 3,
  escalation: 4,
  conference: 5,
};

type Dated = Omit<PlanItem, 'workingDaysFromPrevious' | 'workingDaysToConference' | 'crossed' | 'countsProvisional'>;

export function planChain(input: PlanInput): Plan {
  const { ir, conferenceDate, submitAt, calendar, dayEnd } = input;
  const count = (rule: DueRule) =>
    computeDue(rule, { openedAt: submitAt, request: { conferenceDate }, calendar, dayEnd });

  const dated = (
    rule: DueRule,
    o: { kind: PlanItem['kind']; element: string; name: string; rules: string[]; note?: string },
  ): Dated => {
    const due = count(rule);
    const fromField = isFieldRule(rule);
    const note = fromField
      ? o.note
      : [o.note, 'counted from the submission: the step counts from when it opens'].filter(Boolean).join('; ');
    return {
      ...o,
      source: rule.source,
      countedFrom: fromField ? 'conferenceDate' : 'submission',
      at: due.dueAt.toISOString(),
      date: businessDate(due.dueAt),
      basis: due.basis,
      provisional: due.provisional,
      ...(note ? { note } : {}),
    };
  };

  const items: Dated[] = [
    {
      kind: 'submission',
      element: null,
      name: '提交申请',
      rules: [],
      source: null,
      countedFrom: null,
      at: submitAt.toISOString(),
      date: businessDate(submitAt),
      basis: null,
      provisional: !calendar.covers(businessDate(submitAt)),
    },
  ];
  // H1, L3: the latest moment the application may come.
  if (ir.applyBefore) {
    items.push(
      dated(ir.applyBefore, {
        kind: 'applyBefore',
        element: ir.key,
        name: '最迟申请',
        rules: ir.rules.filter((r) => LEAD_TIME_RULES.has(r)),
        ...(ir.applyBeforeUnless ? { note: `does not apply when ${ir.applyBeforeUnless}` } : {}),
      }),
    );
  }
  for (const node of chainOrder(ir)) {
    const item = nodeItem(node, ir);
    if (item) items.push(dated(item.rule, item));
  }
  const conferenceAt = endOfBusinessDay(conferenceDate, '00:00');
  items.push({
    kind: 'conference',
    element: null,
    name: '发布会',
    rules: [],
    source: null,
    countedFrom: null,
    at: conferenceAt.toISOString(),
    date: conferenceDate,
    basis: null,
    provisional: !calendar.covers(conferenceDate),
  });

  items.sort((a, b) => a.at.localeCompare(b.at) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  const planned: PlanItem[] = items.map((item, i) => {
    const previous = items[i - 1];
    const between = previous ? calendar.countWorkingDays(previous.date, item.date) : undefined;
    const toConference = calendar.countWorkingDays(item.date, conferenceDate);
    return {
      ...item,
      countsProvisional: Boolean(between?.provisional) || toConference.provisional,
      workingDaysFromPrevious: between ? between.count : null,
      workingDaysToConference: toConference.count,
      crossed: previous ? calendar.specialDays(previous.date, item.date) : [],
    };
  });

  const latest = planned.find((i) => i.kind === 'applyBefore');
  const rule = ir.applyBefore;
  const brief = planned.some((i) => i.kind !== 'conference' && i.date > conferenceDate && i.rules.includes('H6'));
  return {
    processKey: ir.key,
    name: ir.name,
    conferenceDate,
    submitAt: submitAt.toISOString(),
    items: planned,
    provisional: planned.some((i) => i.provisional || i.countsProvisional),
    tooLate: latest ? submitAt.getTime() > Date.parse(latest.at) : false,
    latestSubmission: latest?.at ?? null,
    earliestConference: rule && isFieldRule(rule) ? earliestDateAllowed(rule, submitAt, calendar, dayEnd) : null,
    brief: {
      present: brief,
      rule: 'H6',
      note: brief
        ? 'the brief (简报) after the conference is drawn as a dated step (H6 art. 35)'
        : 'no step of this chain is dated after the conference: the brief (简报) of H6 art. 35 is not drawn ' +
          '(a due rule cannot count forward from conferenceDate)',
    },
  };
}

/**
 * The nodes in the order the chain reaches them (breadth first from the start, a task's boundary
 * timers after it): steps due at the same moment are listed as the chain runs them, whatever order
 * the stored IR keeps its nodes in (jsonb does not keep it).
 */
function chainOrder(ir: ProcessIR): ProcessNode[] {
  const seen = new Set<string>();
  const order: ProcessNode[] = [];
  const queue = [ir.startNodeId];
  while (queue.length) {
    const node = ir.nodes[queue.shift()!];
    if (!node || seen.has(node.id)) continue;
    seen.add(node.id);
    order.push(node);
    if (node.kind === 'userTask') queue.push(...(node.boundaries ?? []));
    queue.push(...node.outgoing.flatMap((f) => (ir.flows[f] ? [ir.flows[f].target] : [])));
  }
  return order;
}

/** The dated rule a node carries, if any, with how to name it. */
function nodeItem(
  node: ProcessNode,
  ir: ProcessIR,
): { rule: DueRule; kind: PlanItem['kind']; element: string; name: string; rules: string[] } | undefined {
  switch (node.kind) {
    case 'userTask':
      return node.due ? { rule: node.due, kind: 'due', element: node.id, name: node.name, rules: node.rules } : undefined;
    case 'timerEvent':
      return { rule: node.timer, kind: 'timer', element: node.id, name: node.name, rules: [] };
    case 'boundaryTimer': {
      const task = ir.nodes[node.attachedTo];
      const rules = task?.kind === 'userTask' ? task.rules : [];
      // H1: an escalation (interrupting) is a date the chain acts on; so is a reminder dated by the
      // conference (L5: a gap looms a week before). Repeating reminders counted from opening are not dates.
      if (node.interrupting) return { rule: node.timer, kind: 'escalation', element: node.id, name: node.name, rules };
      return isFieldRule(node.timer)
        ? { rule: node.timer, kind: 'timer', element: node.id, name: node.name, rules }
        : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * H1: the first date whose lead time (a rule counted back from it, e.g. 7 WD) a submission at
 * `submitAt` still meets; null when none does within a year.
 */
export function earliestDateAllowed(
  rule: DueRule,
  submitAt: Date,
  calendar: WorkingDayCalendar,
  dayEnd: string,
): IsoDate | null {
  const field = 'field' in rule ? rule.field : 'conferenceDate';
  let date = addDays(businessDate(submitAt), 1);
  for (let i = 0; i < 366; i++, date = addDays(date, 1)) {
    const last = computeDue(rule, { openedAt: submitAt, request: { [field]: date }, calendar, dayEnd }).dueAt;
    if (submitAt.getTime() <= last.getTime()) return date;
  }
  return null;
}
