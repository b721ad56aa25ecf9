import { z } from 'zod';
import { PositionSchema } from '../directory/positions.js';
import { DOCUMENT_KIND_NAMES, type DocumentKind } from '../documents/document-kinds.js';

/**
 * The JSON intermediate representation a BPMN file compiles to. It travels in the workflow input,
 * so a running chain keeps the version it started with; workflows import its types only.
 */
export const IR_VERSION = 2 as const;

/** A date-valued request field that due rules may count from. */
export const DateFieldSchema = z.enum(['conferenceDate']);
export type DateField = z.infer<typeof DateFieldSchema>;

/**
 * When a step is due.
 * - `P2WD`: the end of the business day of the 2nd working day after the task opens (H1 reply).
 * - `conferenceDate - 3WD` (or `conferenceDate -P3WD`): the end of the business day 3 working days
 *   before the conference (H3.4).
 * - `P1W`, `P1M`: a calendar week or month after the task opens (H8: a roster change filed within
 *   one month); a period ending on a day off ends on the next working day.
 * - `conferenceDate - P1W`: a calendar week before the date (N6: filed one week before); a day off
 *   moves it to the working day before.
 * - `PT5H` (ISO 8601 duration): wall-clock time after the task opens (emergencies, H7).
 * - `before conferenceDate`: the start of that day, 00:00 business time (L3: an emergency
 *   conference files before it starts; a request carries the date, not the hour).
 */
export const CalendarUnitSchema = z.enum(['week', 'month']);
export const DueRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('workingDaysAfterOpen'), days: z.number().int().positive(), source: z.string() }),
  z.object({
    kind: z.literal('workingDaysBeforeField'),
    field: DateFieldSchema,
    days: z.number().int().nonnegative(),
    source: z.string(),
  }),
  z.object({ kind: z.literal('durationAfterOpen'), ms: z.number().int().positive(), source: z.string() }),
  /** `before conferenceDate`: before the day begins (00:00 business time), L3's "file before it starts". */
  z.object({ kind: z.literal('startOfField'), field: DateFieldSchema, source: z.string() }),
  z.object({
    kind: z.literal('calendarAfterOpen'),
    unit: CalendarUnitSchema,
    count: z.number().int().positive(),
    source: z.string(),
  }),
  z.object({
    kind: z.literal('calendarBeforeField'),
    field: DateFieldSchema,
    unit: CalendarUnitSchema,
    count: z.number().int().positive(),
    source: z.string(),
  }),
]);
export type DueRule = z.infer<typeof DueRuleSchema>;

/**
 * Who may act on a user task: the initiator, or holders of a position in a fixed org, the applicant's
 * org, or (a multi-instance task over a list, fabu:collection) the org its instance is for.
 */
export const CandidateExprSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('initiator') }),
  z.object({
    kind: z.literal('position'),
    position: PositionSchema,
    org: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('applicant') }),
      z.object({ kind: z.literal('fixed'), code: z.string().min(1) }),
      z.object({ kind: z.literal('item') }),
    ]),
    /** What this instance of a multi-instance task stands for, e.g. 法律关 (O3); shown in the task's name. */
    label: z.string().optional(),
  }),
]);
export type CandidateExpr = z.infer<typeof CandidateExprSchema>;
type CandidateOrg = Extract<CandidateExpr, { kind: 'position' }>['org'];

/** The org a candidate position is held in: a fixed one, the applicant's, or its instance's item (O4). */
export function orgCodeOf(org: CandidateOrg, ctx: { orgCode: string; item?: string }): string {
  return org.kind === 'fixed' ? org.code : org.kind === 'item' ? (ctx.item ?? '') : ctx.orgCode;
}

export const DecisionActionSchema = z.enum(['approve', 'reject', 'return']);
export type DecisionAction = z.infer<typeof DecisionActionSchema>;

/** How a chain ends: an end event's outcome, or the applicant's withdrawal / an operator's cancellation. */
export const OutcomeSchema = z.enum(['approved', 'rejected', 'withdrawn', 'cancelled']);
export type Outcome = z.infer<typeof OutcomeSchema>;
/** What an end event may carry (cancellation is an operator's act, never drawn). */
export const EndOutcomeSchema = z.enum(['approved', 'rejected', 'withdrawn']);

/** After a step returned (退回) to an earlier one is done again: run on from there, or go straight back. */
export const ReturnPolicySchema = z.enum(['rerun', 'resubmit']);
export type ReturnPolicy = z.infer<typeof ReturnPolicySchema>;

/** A request variable that gateway conditions read, declared with `<fabu:variable>`. */
export const VariableSchema = z.object({
  name: z.string().regex(/^[a-z][A-Za-z0-9]*$/),
  /** `list`: a list of strings, e.g. the responsible units of an incident (O4). */
  type: z.enum(['boolean', 'string', 'number', 'enum', 'list']),
  values: z.array(z.string()).optional(),
  default: z.union([z.boolean(), z.string(), z.number()]).optional(),
  label: z.string().optional(),
});
export type Variable = z.infer<typeof VariableSchema>;

/** Multi-instance user task: one instance per candidate expression. */
export const MultiInstanceSchema = z.object({
  /** 依次 one after another, 会签 all at once, 或签 the first decision decides. */
  mode: z.enum(['sequential', 'all', 'any']),
  /** 会签: the share of approvals that passes the step; without it one rejection rejects it. */
  passRatio: z.number().gt(0).lte(1).optional(),
  /** FEEL over nrOfInstances, nrOfApproved, nrOfRejected, nrOfCompletedInstances. */
  completionCondition: z.string().optional(),
});
export type MultiInstance = z.infer<typeof MultiInstanceSchema>;

/** A kind of document a request carries (src/documents/document-kinds.ts). */
export const DocumentKindSchema = z.enum(DOCUMENT_KIND_NAMES as [DocumentKind, ...DocumentKind[]]);

/** Allow-listed activities a service task may name; anything else is refused at deploy. */
export const ServiceActivitySchema = z.enum([
  'notify',
  'file',
  'publish',
  'inviteMedia',
  'startConferences',
  'complianceNotice',
]);
export type ServiceActivity = z.infer<typeof ServiceActivitySchema>;

/** Media tiers a conference invites (L6). */
export const MediaTierSchema = z.enum(['central', 'region', 'city', 'online', 'overseas']);
export type MediaTier = z.infer<typeof MediaTierSchema>;

const NodeBase = {
  id: z.string().min(1),
  name: z.string(),
  outgoing: z.array(z.string()),
};

/**
 * A timer start event makes the process recurring: deployed as a Temporal Schedule that starts a
 * run per period, for the org named on the event. `recurrence` names a calendar rule (N2, N3, L1,
 * L2), `cron` a plain cycle (minute hour day-of-month month day-of-week, Asia/Shanghai).
 */
export const ScheduleSchema = z.object({
  recurrence: z.string().optional(),
  cron: z.string().optional(),
  orgCode: z.string().min(1),
});
export type ScheduleIR = z.infer<typeof ScheduleSchema>;
export const StartEventSchema = z.object({
  ...NodeBase,
  kind: z.literal('startEvent'),
  schedule: ScheduleSchema.optional(),
});
/** An end event with an outcome ends the chain; without one it only ends its branch (a reminder). */
export const EndEventSchema = z.object({ ...NodeBase, kind: z.literal('endEvent'), outcome: EndOutcomeSchema.optional() });
export const UserTaskSchema = z.object({
  ...NodeBase,
  kind: z.literal('userTask'),
  /** Rule ids from docs/chains.md that this step implements, e.g. ["H1", "H3"]. */
  rules: z.array(z.string()),
  candidates: z.array(CandidateExprSchema).min(1),
  due: DueRuleSchema.optional(),
  /** Who is told when the step passes its due time (H1: the office head by default). */
  escalation: z.array(CandidateExprSchema),
  actions: z.array(DecisionActionSchema).min(1),
  multi: MultiInstanceSchema.optional(),
  /**
   * When no one holds the candidate positions: `escalate` gives the task to its fabu:escalation
   * (e.g. the press-office head); `incident` (the default) opens it unassigned for operators to see.
   */
  onEmpty: z.enum(['escalate', 'incident']).optional(),
  /**
   * `miss`: when the due time passes with the task still open, it closes as missed (recorded by
   * name) and the step goes on without it, e.g. a unit's annual plan not sent by 1 February (L2).
   */
  onDue: z.literal('miss').optional(),
  /**
   * An approval of this task carries data under this name (e.g. `topics`, the topic meeting's
   * list, N2); it is kept in the request's variables.
   */
  output: z.string().optional(),
  /** Actions that need a comment (意见), e.g. reject and return. */
  commentRequired: z.array(DecisionActionSchema).optional(),
  /**
   * A multi-instance task over a list variable (fabu:collection, e.g. `units`): one instance per
   * item, each for the org the item names (candidates with org="item"), O4's units responding.
   */
  collection: z.string().optional(),
  /** Ids of the boundary events attached to this task. */
  boundaries: z.array(z.string()).optional(),
  /**
   * fabu:materials: the kinds of document that must be attached to the request before this step is
   * approved (H6 art. 34, L3: what a filing contains).
   */
  materials: z.array(DocumentKindSchema).optional(),
});
export type UserTaskNode = z.infer<typeof UserTaskSchema>;
export const ServiceTaskSchema = z.object({
  ...NodeBase,
  kind: z.literal('serviceTask'),
  rules: z.array(z.string()),
  activity: ServiceActivitySchema,
  recipients: z.array(CandidateExprSchema),
  tiers: z.array(MediaTierSchema),
  /**
   * startConferences (N2): the chain each accepted topic's request runs, and the variable holding
   * the topics (a decision's output, fabu:output on the meeting's task).
   */
  process: z.string().optional(),
  topics: z.string().optional(),
  /**
   * complianceNotice (L1, U3, H8): the city whose quotas are watched, and how many working days
   * before a period ends a unit short of its quota (and its leaders) are told.
   */
  city: z.string().optional(),
  lead: z.number().int().positive().optional(),
  /** publish (N7, H7): the channels released on, in order: the government's own account first. */
  channels: z.array(z.string()).optional(),
  /** publish: the request variable holding the release text (default `draft`). */
  content: z.string().optional(),
  /** publish (U2): variables released together, e.g. a policy document and its interpretation. */
  together: z.array(z.string()).optional(),
});
export type ServiceTaskNode = z.infer<typeof ServiceTaskSchema>;
export const ExclusiveGatewaySchema = z.object({ ...NodeBase, kind: z.literal('exclusiveGateway'), default: z.string().optional() });
export const ParallelGatewaySchema = z.object({
  ...NodeBase,
  kind: z.literal('parallelGateway'),
  /** Incoming flows a join waits for. */
  incoming: z.array(z.string()),
});
export const TimerEventSchema = z.object({ ...NodeBase, kind: z.literal('timerEvent'), timer: DueRuleSchema });
export const MessageEventSchema = z.object({ ...NodeBase, kind: z.literal('messageEvent'), message: z.string().min(1) });
export const BoundaryTimerSchema = z.object({
  ...NodeBase,
  kind: z.literal('boundaryTimer'),
  attachedTo: z.string(),
  /** Interrupting closes the task and takes this path (escalation); otherwise a reminder. */
  interrupting: z.boolean(),
  timer: DueRuleSchema,
  /** How many times a non-interrupting timer fires while the task stays open; null: until it closes. */
  repeat: z.number().int().positive().nullable(),
});
export type BoundaryTimerNode = z.infer<typeof BoundaryTimerSchema>;

export const NodeSchema = z.discriminatedUnion('kind', [
  StartEventSchema,
  EndEventSchema,
  UserTaskSchema,
  ServiceTaskSchema,
  ExclusiveGatewaySchema,
  ParallelGatewaySchema,
  TimerEventSchema,
  MessageEventSchema,
  BoundaryTimerSchema,
]);
export type ProcessNode = z.infer<typeof NodeSchema>;

export const FlowSchema = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  name: z.string().optional(),
  /** FEEL condition (on flows out of an exclusive gateway). */
  condition: z.string().optional(),
});
export type Flow = z.infer<typeof FlowSchema>;

/**
 * An hour clock (H7, O2, U2): a wall-clock window counted from the moment the event was known,
 * never in working days. The first window whose condition holds sets its length; it is met when
 * one of `until` completes, warned at `warnAt` of the window and breached at its end.
 */
export const ClockWindowSchema = z.object({
  /** FEEL over the request's variables, e.g. `severity = "major"`; absent: always. */
  when: z.string().optional(),
  ms: z.number().int().positive(),
  source: z.string(),
});
export const ClockSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string().min(1),
  rules: z.array(z.string()),
  /** The variable holding the instant the event was known (ISO 8601); absent: the submission. */
  from: z.string().optional(),
  /** Elements whose completion meets the clock (the first release, the conference held). */
  until: z.array(z.string()).min(1),
  /** The share of the window after which the holders are warned (0.8 = at 80 %). */
  warnAt: z.number().gt(0).lt(1),
  windows: z.array(ClockWindowSchema).min(1),
  /** Told at the warning: the responsible unit and the press office. */
  recipients: z.array(CandidateExprSchema),
  /** Told at the breach (O5). */
  escalation: z.array(CandidateExprSchema),
});
export type ClockDef = z.infer<typeof ClockSchema>;

export const ProcessIRSchema = z.object({
  /** 1: the first slice (sequential user tasks); 2: gateways, multi-instance, timers, messages, services. */
  irVersion: z.union([z.literal(1), z.literal(IR_VERSION)]),
  /** The BPMN process id, e.g. "huludao-government-conference". */
  key: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string().min(1),
  /** Business-id prefix of requests, e.g. "H3" → workflow id "H3-2026-0012". */
  code: z.string().regex(/^[A-Z][A-Z0-9]*$/),
  rules: z.array(z.string()),
  /** H1: the request must arrive at least this long before a date field, or it is refused as late. */
  applyBefore: DueRuleSchema.optional(),
  /** A person who already approved earlier in this round is not asked again: the step passes itself. */
  dedupe: z.boolean().optional(),
  /** The applicant is not asked to approve their own request (steps drawn for the initiator excepted). */
  skipApplicant: z.boolean().optional(),
  /** false: its requests are not conferences and do not count towards release quotas (L2's annual plan). */
  conference: z.literal(false).optional(),
  /** FEEL over the request's variables: when it holds, applyBefore does not apply (L3: emergencies). */
  applyBeforeUnless: z.string().optional(),
  returnPolicy: ReturnPolicySchema.optional(),
  /** H6: a change of the request after approval re-runs the approval from this user task. */
  restartAt: z.string().optional(),
  variables: z.array(VariableSchema).optional(),
  /** The city whose incidents this process answers (POST /api/incidents, O1). */
  intake: z.string().optional(),
  /** Hour clocks running beside the steps (H7, O2, U2). */
  clocks: z.array(ClockSchema).optional(),
  startNodeId: z.string(),
  nodes: z.record(z.string(), NodeSchema),
  flows: z.record(z.string(), FlowSchema),
});
export type ProcessIR = z.infer<typeof ProcessIRSchema>;

/** The timer start event's schedule, if the process is recurring (N2, N3, L1, L2). */
export function scheduleOf(ir: ProcessIR): ScheduleIR | undefined {
  const start = ir.nodes[ir.startNodeId];
  return start?.kind === 'startEvent' ? start.schedule : undefined;
}
