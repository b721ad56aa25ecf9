import { z } from 'zod';
import { isIsoDate } from '../calendar/working-days.js';
import { DossierDocumentSchema } from '../documents/documents.schemas.js';

const IsoDateSchema = z
  .string()
  .refine(isIsoDate, 'expected a real calendar date YYYY-MM-DD')
  .describe('YYYY-MM-DD, Asia/Shanghai');

/** A declared variable's value; a `list` variable holds strings (e.g. an incident's units, O4). */
const VariableValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string().max(200)).max(50)]);

/** POST /api/requests: start a chain. */
export const CreateRequestSchema = z.strictObject({
  processKey: z.string().min(1).describe('Which deployed chain, e.g. "huludao-government-conference" (H3)'),
  title: z.string().trim().min(1).max(200).describe('发布会名称 / what is to be released'),
  orgCode: z
    .string()
    .min(1)
    .optional()
    .describe("The lead (applicant) org; defaults to the caller's org. The caller must belong to it."),
  conferenceDate: IsoDateSchema.optional().describe(
    'Conference date; required by chains whose rules count from it (H1, H3)',
  ),
  materials: z
    .array(z.string().trim().min(1).max(200))
    .max(50)
    .default([])
    .describe('Names of the materials to be filed (发布稿, 主持词, 答问口径, 背景材料, 场地方案)'),
  major: z.boolean().default(false).describe('重大事项 (H3.5)'),
  variables: z
    .record(z.string(), VariableValueSchema)
    .default({})
    .describe('Values of the chain\'s declared variables (GET /processes/:key lists them), e.g. { "cityWide": true }'),
});
export type CreateRequest = z.infer<typeof CreateRequestSchema>;

export const RescheduleSchema = z.strictObject({
  conferenceDate: IsoDateSchema.describe('The new conference date (H6); deadlines counted from it move'),
  reason: z.string().trim().max(500).optional().describe('Why it moved; kept in the history'),
});
export type Reschedule = z.infer<typeof RescheduleSchema>;

export const ChangeSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    conferenceDate: IsoDateSchema.optional().describe('The new conference date; deadlines counted from it move'),
    materials: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    variables: z
      .record(z.string(), VariableValueSchema)
      .optional()
      .describe('New values of declared variables; the others keep theirs'),
    reason: z.string().trim().max(500).optional().describe('Why it changed; kept in the history'),
  })
  .refine(
    (c) =>
      c.title !== undefined || c.conferenceDate !== undefined || c.materials !== undefined || c.variables !== undefined,
    {
      message: 'name at least one of title, conferenceDate, materials, variables',
    },
  );
export type Change = z.infer<typeof ChangeSchema>;

export const TaskViewSchema = z.object({
  id: z.string().describe('<request id>.<BPMN element id>.<round>'),
  requestId: z.string(),
  elementId: z.string(),
  name: z.string(),
  round: z.number().int(),
  rules: z.array(z.string()).describe('Rule ids from docs/chains.md this step implements'),
  status: z.enum(['opening', 'open', 'completed', 'cancelled']),
  candidates: z.array(z.string()),
  dueAt: z.string().nullable().describe('ISO 8601 instant'),
  dueProvisional: z.boolean().describe('Counted across a year without holiday data (weekdays only)'),
  dueBasis: z.string().nullable(),
  overdue: z.boolean(),
  slackWorkingDays: z
    .number()
    .int()
    .nullable()
    .describe('Open tasks: working days left before the due day (0 = due today, negative = overdue)'),
  decision: z.string().nullable(),
  decidedBy: z.string().nullable(),
  comment: z.string().nullable(),
  returnTo: z.string().nullable().describe('A return (退回): the step it sent the work back to'),
  delegatedTo: z.string().nullable().describe('委派: who works on it until they resolve it back'),
  assignee: z.string().nullable().describe('The candidate who claimed it: only they decide it until they unclaim it'),
  onBehalfOf: z
    .record(z.string(), z.string())
    .describe('Cover while away: a candidate standing in for someone (proxy → the one they cover)'),
  addedFor: z.string().nullable().describe('加签: the task this sign-off was added to'),
  addMode: z.enum(['before', 'after', 'parallel']).nullable().describe('加签: before, after or beside that task'),
  addedBy: z.string().nullable().describe('加签: who added it'),
  skipped: z
    .enum(['already-approved', 'applicant', 'missed'])
    .nullable()
    .describe('Closed without a decision: passed by a role policy, or missed its due time (fabu:onDue="miss", L2)'),
  blockedBy: z.string().nullable().describe('前加签: the added sign-off this task waits for before it can be decided'),
  openedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

export const AuditEventViewSchema = z.object({
  seq: z.number().int(),
  type: z.string(),
  taskId: z.string().nullable(),
  actor: z.string().nullable(),
  onBehalfOf: z.string().nullable().describe('"actor for onBehalfOf": the proxy\'s principal, or the delegating owner'),
  payload: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
});

export const RequestViewSchema = z.object({
  id: z.string().describe('Business id and Temporal workflow id, e.g. H3-2026-0012'),
  processKey: z.string(),
  processVersion: z.number().int(),
  title: z.string(),
  orgCode: z.string(),
  conferenceDate: z.string().nullable(),
  materials: z.array(z.string()),
  major: z.boolean(),
  initiator: z.string(),
  status: z.enum(['running', 'completed']),
  stage: z.string(),
  outcome: z.enum(['approved', 'rejected', 'withdrawn', 'cancelled']).nullable(),
  variables: z
    .record(z.string(), z.unknown())
    .describe("The process's declared variables, and what messages and service tasks added"),
  round: z.number().int().describe('1, then one more after each return (退回)'),
  cc: z.array(z.string()).describe('抄送: who may read the request without acting on it'),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
  tasks: z.array(TaskViewSchema),
  history: z.array(AuditEventViewSchema),
});
export type RequestView = z.infer<typeof RequestViewSchema>;

/** POST /api/requests/:id/withdraw (the applicant) and /cancel (an operator). */
export const EndRequestSchema = z.strictObject({
  reason: z.string().trim().max(500).optional().describe('Why; kept in the history'),
});
export type EndRequest = z.infer<typeof EndRequestSchema>;

/** POST /api/requests/:id/messages: feeds a message event the chain waits for. */
export const MessageSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .describe('The BPMN message name, e.g. "materials-filed"'),
  payload: z.record(z.string(), z.unknown()).optional().describe('Kept in the request variables under the name'),
});
export type MessageBody = z.infer<typeof MessageSchema>;

export const AuditTrailSchema = z.object({
  items: z.array(
    AuditEventViewSchema.extend({
      prevHash: z.string().describe("The previous row's hash ('' for the first)"),
      hash: z.string().describe('SHA-256 over prevHash and this row (audit_event_hash)'),
    }),
  ),
});

export const ChainVerificationSchema = z.object({
  requestId: z.string(),
  length: z.number().int(),
  head: z.string().nullable().describe("The last row's hash"),
  ok: z.boolean(),
  broken: z
    .object({ seq: z.number().int(), reason: z.enum(['content changed', 'link broken', 'sequence gap']) })
    .optional()
    .describe('The first link that does not hold'),
});

/** The dossier of a request (备案材料): what was decided, by whom, with which opinions, and the chain head. */
export const DossierSchema = z.object({
  request: z.object({
    id: z.string(),
    processKey: z.string(),
    processVersion: z.number().int(),
    title: z.string(),
    orgCode: z.string(),
    conferenceDate: z.string().nullable(),
    materials: z.array(z.string()),
    initiator: z.string(),
    status: z.string(),
    outcome: z.string().nullable(),
    round: z.number().int(),
  }),
  decisions: z.array(
    z.object({
      taskId: z.string(),
      elementId: z.string(),
      name: z.string(),
      round: z.number().int(),
      decision: z.string(),
      decidedBy: z.string().nullable(),
      comment: z.string().nullable(),
      returnTo: z.string().nullable(),
      closedAt: z.string().nullable(),
      documents: z
        .record(z.string(), z.string())
        .nullable()
        .describe('An approval given while documents were attached: the SHA-256 of each kind it approved'),
    }),
  ),
  documents: z.array(DossierDocumentSchema).describe('Every version of every document, oldest first by kind'),
  chain: ChainVerificationSchema,
  exportedAt: z.string(),
});

/** POST /api/requests/:id/cc (抄送). */
export const CcSchema = z.strictObject({
  to: z.array(z.string().min(1)).min(1).max(50).describe('Usernames to copy in, read only'),
});
export type CcBody = z.infer<typeof CcSchema>;

/** GET /api/requests: 我发起的 (started), 抄送我 (cc), or every request (operators). */
export const ListRequestsQuerySchema = z.strictObject({
  scope: z
    .enum(['started', 'cc', 'all'])
    .default('started')
    .describe('started: the ones I applied for (我发起的); cc: the ones copied to me (抄送我); all: every one (admin)'),
  status: z.enum(['running', 'completed']).optional(),
  processKey: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size'),
  cursor: z.string().optional().describe('nextCursor of the previous page (with the same filters)'),
});
export type ListRequestsQuery = z.infer<typeof ListRequestsQuerySchema>;

export const RequestSummarySchema = z.object({
  id: z.string(),
  processKey: z.string(),
  title: z.string(),
  orgCode: z.string(),
  conferenceDate: z.string().nullable(),
  initiator: z.string(),
  status: z.enum(['running', 'completed']),
  stage: z.string(),
  outcome: z.enum(['approved', 'rejected', 'withdrawn', 'cancelled']).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RequestSummary = z.infer<typeof RequestSummarySchema>;
export const RequestPageSchema = z.object({ items: z.array(RequestSummarySchema), nextCursor: z.string().nullable() });
