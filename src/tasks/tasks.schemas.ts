import { z } from 'zod';
import { TaskViewSchema } from '../requests/requests.schemas.js';

export const DecisionSchema = z.strictObject({
  action: z
    .enum(['approve', 'reject', 'return'])
    .describe('approve moves the chain on; reject ends it as rejected; return (退回) sends it back to an earlier step'),
  comment: z.string().trim().max(2000).optional().describe('意见; shown in the history'),
  returnTo: z
    .string()
    .min(1)
    .optional()
    .describe("For return: the BPMN element id of an earlier completed step (see the task's returnTargets)"),
  data: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'What an approval of a step with fabu:output gives, e.g. { "topics": [{ "orgCode", "title", "conferenceDate" }] } (N2)',
    ),
});
export type DecisionBody = z.infer<typeof DecisionSchema>;

export const DecisionResultSchema = z.object({
  taskId: z.string(),
  action: z.enum(['approve', 'reject', 'return']),
  status: z.enum(['running', 'completed']).describe("The request's status after the decision"),
  outcome: z.enum(['approved', 'rejected', 'withdrawn', 'cancelled']).optional(),
  openTasks: z.array(z.string()).describe('Tasks open after the decision'),
});

const QueryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ListTasksQuerySchema = z.strictObject({
  status: z
    .enum(['open', 'done'])
    .default('open')
    .describe('open (待办): mine to decide, soonest due first; done (已办): the ones I decided, latest first'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size'),
  cursor: z.string().optional().describe('nextCursor of the previous page (with the same filters)'),
  processKey: z.string().min(1).optional().describe('Only tasks of this chain'),
  orgCode: z.string().min(1).optional().describe('Only tasks of requests from this (applicant) org'),
  dueBefore: z.iso.datetime({ offset: true }).optional().describe('Only tasks due before this instant'),
  overdue: QueryBoolean.optional().describe('true: only tasks past their due time; false: only the others'),
  provisional: QueryBoolean.optional().describe('true: only tasks whose due time is provisional (a year not loaded)'),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuerySchema>;

export const InboxItemSchema = TaskViewSchema.extend({
  request: z.object({
    title: z.string(),
    orgCode: z.string(),
    processKey: z.string(),
    conferenceDate: z.string().nullable(),
  }),
});
export type InboxItem = z.infer<typeof InboxItemSchema>;

export const TaskPageSchema = z.object({ items: z.array(InboxItemSchema), nextCursor: z.string().nullable() });

/** POST /api/tasks/:id/transfer (转办). */
export const TransferSchema = z.strictObject({
  to: z.string().min(1).describe('Username of the person the task goes to'),
  comment: z.string().trim().max(2000).optional(),
});
export type TransferBody = z.infer<typeof TransferSchema>;

export const UrgeResultSchema = z.object({ notified: z.array(z.string()).describe('Who was told again') });

/** POST /api/tasks/:id/resolve: the delegate's opinion. */
export const ResolveSchema = z.strictObject({ comment: z.string().trim().min(1).max(2000).describe('意见') });
export type ResolveBody = z.infer<typeof ResolveSchema>;

/** POST /api/tasks/bulk-decision: approve (or reject) several tasks; one result per task. */
export const BulkDecisionSchema = z.strictObject({
  taskIds: z.array(z.string().min(1)).min(1).max(100).describe('At most 100 tasks'),
  action: z.enum(['approve', 'reject']),
  comment: z.string().trim().max(2000).optional(),
});
export type BulkDecisionBody = z.infer<typeof BulkDecisionSchema>;

export const BulkDecisionResultSchema = z.object({
  results: z.array(
    z.object({
      taskId: z.string(),
      status: z.number().int().describe('The HTTP status this decision alone would have had'),
      code: z.string().optional().describe('The problem code of a refused decision'),
      detail: z.string().optional(),
      outcome: z.string().optional(),
    }),
  ),
});

/** POST /api/tasks/:id/signers (加签). */
export const SignerSchema = z.strictObject({
  to: z.string().min(1).describe('Username of the person added'),
  mode: z
    .enum(['before', 'after', 'parallel'])
    .default('parallel')
    .describe(
      'before: they sign first, then you decide; after: they sign once you approved; parallel: both must approve',
    ),
  comment: z.string().trim().max(2000).optional().describe('Why (kept in the history)'),
});
export type SignerBody = z.infer<typeof SignerSchema>;

export const InboxSummarySchema = z.object({
  open: z.number().int().describe('待办: open tasks I may decide'),
  overdue: z.number().int().describe('Of those, past their due time'),
  done: z.number().int().describe('已办: tasks I decided'),
  cc: z.number().int().describe('抄送我: running requests copied to me'),
  started: z.number().int().describe('我发起的: running requests I applied for'),
  digest: z.string().describe('Changes whenever an open task arrives, leaves, is claimed or moves its due time'),
});
