import { z } from 'zod';
import { PositionSchema } from '../directory/positions.js';

/**
 * The JSON intermediate representation a BPMN file compiles to. It travels in the workflow input,
 * so a running chain keeps the version it started with; workflows import its types only.
 */
export const IR_VERSION = 1 as const;

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

/** Who may act on a user task: the initiator, or holders of a position in a fixed org or the applicant's org. */
export const CandidateExprSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('initiator') }),
  z.object({
    kind: z.literal('position'),
    position: PositionSchema,
    org: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('applicant') }),
      z.object({ kind: z.literal('fixed'), code: z.string().min(1) }),
    ]),
  }),
]);
export type CandidateExpr = z.infer<typeof CandidateExprSchema>;

export const DecisionActionSchema = z.enum(['approve', 'reject']);
export type DecisionAction = z.infer<typeof DecisionActionSchema>;

export const OutcomeSchema = z.enum(['approved', 'rejected', 'withdrawn']);
export type Outcome = z.infer<typeof OutcomeSchema>;

const NodeBase = {
  id: z.string().min(1),
  name: z.string(),
  outgoing: z.array(z.string()),
};

export const StartEventSchema = z.object({ ...NodeBase, kind: z.literal('startEvent') });
export const EndEventSchema = z.object({ ...NodeBase, kind: z.literal('endEvent'), outcome: OutcomeSchema });
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
});
export type UserTaskNode = z.infer<typeof UserTaskSchema>;

export const NodeSchema = z.discriminatedUnion('kind', [StartEventSchema, EndEventSchema, UserTaskSchema]);
export type ProcessNode = z.infer<typeof NodeSchema>;

export const FlowSchema = z.object({ id: z.string(), source: z.string(), target: z.string(), name: z.string().optional() });
export type Flow = z.infer<typeof FlowSchema>;

export const ProcessIRSchema = z.object({
  irVersion: z.literal(IR_VERSION),
  /** The BPMN process id, e.g. "huludao-government-conference". */
  key: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string().min(1),
  /** Business-id prefix of requests, e.g. "H3" → workflow id "H3-2026-0012". */
  code: z.string().regex(/^[A-Z][A-Z0-9]*$/),
  rules: z.array(z.string()),
  /** H1: the request must arrive at least this long before a date field, or it is refused as late. */
  applyBefore: DueRuleSchema.optional(),
  startNodeId: z.string(),
  nodes: z.record(z.string(), NodeSchema),
  flows: z.record(z.string(), FlowSchema),
});
export type ProcessIR = z.infer<typeof ProcessIRSchema>;
