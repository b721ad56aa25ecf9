import { z } from 'zod';
import { isIsoDate } from '../calendar/working-days.js';

/** Bounds of one dry run: scenarios per request, steps (decisions and waits) per scenario, wall-clock time. */
export const DRY_RUN_LIMITS = { scenarios: 20, steps: 200, timeoutMs: 60_000 } as const;

const VariableValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string().max(200)).max(50)]);
const DueExpression = z
  .string()
  .min(1)
  .max(100)
  .describe('An ISO 8601 duration (PT4H, P3D) or a due rule (P3WD, conferenceDate - 1WD)');

export const DecisionSpecSchema = z.strictObject({
  element: z.string().min(1).describe('The user task decided; entries of one element apply to its tasks in order'),
  action: z.enum(['approve', 'reject', 'return']).default('approve'),
  returnTo: z.string().min(1).optional().describe('For return (退回): the earlier step'),
  comment: z.string().max(2000).optional(),
  data: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('An approval\'s output (fabu:output), e.g. { "severity": "major" }'),
  after: DueExpression.optional().describe(
    'Wait this long after the task opened before deciding, in simulated time: due times pass, reminders and escalations fire',
  ),
});
export type DecisionSpec = z.infer<typeof DecisionSpecSchema>;

export const ScenarioSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  request: z
    .strictObject({
      title: z.string().trim().min(1).max(200).optional(),
      conferenceDate: z
        .string()
        .refine(isIsoDate, 'expected a real calendar date YYYY-MM-DD')
        .optional()
        .describe('Default: 60 days after the (simulated) submission'),
      orgCode: z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/, 'an org code such as hld-edu')
        .optional()
        .describe('The applicant org; every position in any org is held by the synthetic user <position>@<org>'),
      major: z.boolean().optional().describe('重大事项 (H3.5)'),
      variables: z.record(z.string(), VariableValueSchema).optional(),
    })
    .default({}),
  decisions: z
    .array(DecisionSpecSchema)
    .max(DRY_RUN_LIMITS.steps)
    .default([])
    .describe('Who decides what, when; a task without an entry is approved at once'),
  outputs: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Output values (fabu:output) for approvals whose entry gives no data, e.g. { "draft": "…" }'),
  messages: z
    .array(z.strictObject({ name: z.string().min(1), payload: z.record(z.string(), z.unknown()).optional() }))
    .max(50)
    .default([])
    .describe('Messages fed, in order, when the chain waits for one of that name'),
  until: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('Stop when this element is reached, or at this time after the submission (a duration or due rule)'),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

export const DryRunBodySchema = z.strictObject({
  bpmn: z.string().min(1).max(1_000_000).describe('BPMN 2.0 XML with fabu: extensions, as deployed'),
  scenarios: z.array(ScenarioSchema).min(1).max(DRY_RUN_LIMITS.scenarios),
});
export type DryRunBody = z.infer<typeof DryRunBodySchema>;

const ProblemItemSchema = z.object({ code: z.string(), message: z.string(), element: z.string().optional() });

export const ScenarioResultSchema = z.object({
  name: z.string(),
  requestId: z.string(),
  status: z
    .enum(['completed', 'stopped', 'waiting', 'refused', 'step-limit', 'timeout', 'skipped'])
    .describe(
      'completed: the chain ended (see outcome); stopped: `until` was reached; waiting: nothing left to decide or to ' +
        'wait for (a message not given); refused: a decision or the request was refused (see error); step-limit, ' +
        'timeout: bounded; skipped: not run, the request ran out of time before it',
    ),
  outcome: z.enum(['approved', 'rejected', 'withdrawn', 'cancelled']).nullable(),
  error: ProblemItemSchema.nullable(),
  startedAt: z.string().describe('The simulated submission'),
  endedAt: z.string().describe('Simulated time when the scenario ended'),
  elapsedMs: z.number().int().describe('Simulated time that passed'),
  path: z
    .array(
      z.object({
        element: z.string(),
        taskId: z.string(),
        round: z.number().int(),
        action: z.enum(['approve', 'reject', 'return']),
        actor: z.string(),
        at: z.string(),
        returnTo: z.string().optional(),
      }),
    )
    .describe('The decisions made, in order'),
  tasks: z.array(
    z.object({
      taskId: z.string(),
      element: z.string(),
      name: z.string(),
      round: z.number().int(),
      status: z.string(),
      candidates: z.array(z.string()),
      openedAt: z.string().nullable(),
      closedAt: z.string().nullable(),
      dueAt: z.string().nullable(),
      dueProvisional: z.boolean(),
      dueBasis: z.string().nullable(),
      overdue: z.boolean(),
      decision: z.string().nullable(),
      skipped: z.string().nullable(),
    }),
  ),
  gateways: z.array(
    z.object({
      element: z.string(),
      flow: z.string(),
      target: z.string(),
      condition: z.string().nullable().describe('The condition that held; null for the default flow'),
      round: z.number().int().nullable(),
      at: z.string(),
    }),
  ),
  timers: z
    .array(
      z.object({
        element: z.string(),
        kind: z.enum(['reminder', 'escalation', 'wait']),
        dueAt: z.string().nullable(),
        at: z.string(),
      }),
    )
    .describe('Timers fired (timer.fired): reminders, escalations (interrupting) and timer events'),
  overdue: z
    .array(
      z.object({
        taskId: z.string(),
        element: z.string(),
        dueAt: z.string().nullable(),
        at: z.string(),
        notified: z.array(z.string()),
      }),
    )
    .describe('Tasks that passed their due time (task.overdue), with who was told'),
  clocks: z.array(z.record(z.string(), z.unknown())).describe('Hour clocks (H7, O2, U2), as the chain holds them'),
  history: z.object({
    events: z.number().int().describe('Temporal history events of the (last) run'),
    entries: z.number().int().describe("Entries of the chain's own audit history"),
    projections: z.number().int().describe('Projection batches the chain wrote (kept in memory, never in Postgres)'),
  }),
  notes: z.array(z.string()),
});
export type ScenarioResult = z.infer<typeof ScenarioResultSchema>;

export const DryRunResultSchema = z.object({
  processKey: z.string(),
  name: z.string(),
  scenarios: z.array(ScenarioResultSchema),
  server: z.object({ startMs: z.number().int(), totalMs: z.number().int() }).describe('Wall-clock cost'),
});
export type DryRunResult = z.infer<typeof DryRunResultSchema>;
