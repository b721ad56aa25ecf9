import { z } from 'zod';
import { isIsoDate } from '../calendar/working-days.js';
import { SEVERITIES } from './routing.js';

const Slug = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/);
const OrgCode = z.string().min(1).max(100);
const Text = (max: number) => z.string().trim().min(1).max(max);
const IsoDate = z.string().refine(isIsoDate, 'expected a real calendar date YYYY-MM-DD');

export const SeveritySchema = z.enum(SEVERITIES).describe('一般 general / 重大 major / 特别重大 especially-major');

/** POST /api/incidents: an item found by monitoring, or reported by a person (O1). */
export const CreateIncidentSchema = z.strictObject({
  city: Slug.describe('Whose incident: huludao, ningbo, huainan, liuzhou (a process with fabu:intake answers it)'),
  source: Slug.describe('Where it came from: monitor, person, inbox, …'),
  sourceId: Text(200)
    .optional()
    .describe("The source's own id of the item: a repeat with the same source and sourceId returns the first incident"),
  summary: Text(2000).describe('What happened; its first 60 characters become the title'),
  locality: Text(100).optional().describe('Where, e.g. 柳北区, 绥中县: routing matches it (O1, H7)'),
  topic: Text(100).optional().describe('Whose duty, e.g. traffic, health, education: routing matches it'),
  links: z.array(z.url().max(2000)).max(20).default([]).describe('Where it was seen (posts, articles)'),
  knownAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe(
      'When the event became known (ISO 8601 with offset; default now, never in the future): the clocks count from it',
    ),
  severity: SeveritySchema.default('general'),
  type: z.enum(['emergency', 'opinion']).default('opinion').describe('突发事件 or 政务舆情'),
  rumour: z.boolean().default(false).describe('A harmful rumour: handed to public security (O1)'),
  heavy: z.boolean().default(false).describe('Heavy casualties or large impact: a press conference within 24 h (O2)'),
  units: z
    .array(OrgCode)
    .min(1)
    .max(20)
    .optional()
    .describe('The responsible units, when a person names them; otherwise routing decides (O1, O4)'),
  leadUnit: OrgCode.optional().describe('The lead unit (O4); default: routing’s lead, or the first of units'),
});
export type CreateIncident = z.infer<typeof CreateIncidentSchema>;

export const ListIncidentsQuerySchema = z.strictObject({
  city: Slug.optional(),
  status: z.enum(['running', 'completed']).optional().describe("The response chain's status"),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size'),
  cursor: z.string().optional().describe('nextCursor of the previous page (with the same filters)'),
});
export type ListIncidentsQuery = z.infer<typeof ListIncidentsQuerySchema>;

export const ReassessSchema = z.strictObject({
  severity: SeveritySchema.describe('The new severity: an upgrade shortens the running windows (never lengthens)'),
  reason: z.string().trim().max(500).optional().describe('Why; kept in the history'),
});
export type ReassessBody = z.infer<typeof ReassessSchema>;

export const HandOverSchema = z.strictObject({
  to: OrgCode.describe('The org that becomes the responsible unit (of the same city)'),
  from: OrgCode.optional().describe('The unit handing its part on (O4); default: the responsible unit'),
  reason: z.string().trim().max(500).optional().describe('Why; kept in the history'),
});
export type HandOverBody = z.infer<typeof HandOverSchema>;

export const ClockViewSchema = z.object({
  clockId: z.string(),
  name: z.string().describe('e.g. 首次发布'),
  rules: z.array(z.string()).describe('e.g. ["O2"]'),
  status: z.enum(['running', 'met', 'breached', 'stopped']),
  startedAt: z.string().describe('When the event was known: the window counts from it'),
  windowMs: z.number().int(),
  dueAt: z.string(),
  warnAt: z.string(),
  severity: z.string().nullable().describe('The severity the window was planned for'),
  warnedAt: z.string().nullable(),
  breachedAt: z.string().nullable(),
  metAt: z.string().nullable(),
  metBy: z.string().nullable().describe('The BPMN element whose completion met it'),
  late: z.boolean().describe('Met after it was breached'),
  holders: z.array(z.string()).describe('At the breach: who held the open tasks'),
  unit: z.string().nullable().describe('The responsible unit at the breach, or when met'),
  stoppedAt: z.string().nullable(),
  remainingMs: z.number().int().nullable().describe('Running clocks: time left (negative once past due)'),
  overdue: z.boolean(),
});
export type ClockView = z.infer<typeof ClockViewSchema>;

export const IncidentViewSchema = z.object({
  id: z.string().describe('The response chain’s business id (its workflow id)'),
  city: z.string(),
  source: z.string(),
  sourceId: z.string().nullable(),
  summary: z.string(),
  locality: z.string().nullable(),
  topic: z.string().nullable(),
  links: z.array(z.string()),
  knownAt: z.string(),
  reportedBy: z.string(),
  units: z.array(z.string()).describe('The units responsible now (O4): routed at intake, changed by hand-overs'),
  matchedRoutes: z.array(z.string()).describe('The routing rules that named them'),
  createdAt: z.string(),
  processKey: z.string().nullable(),
  status: z.enum(['running', 'completed']).nullable().describe('null until the chain is projected'),
  stage: z.string().nullable(),
  outcome: z.string().nullable(),
  orgCode: z.string().nullable().describe('The responsible unit now (a hand-over changes it)'),
  severity: z.string().nullable(),
  clocks: z.array(ClockViewSchema),
  releases: z
    .array(z.object({ channel: z.string(), title: z.string(), createdAt: z.string() }))
    .describe('What was published for it, channel by channel'),
});
export type IncidentView = z.infer<typeof IncidentViewSchema>;

export const IncidentListSchema = z.object({
  items: z.array(IncidentViewSchema),
  nextCursor: z.string().nullable(),
});

export const RouteRuleBodySchema = z.strictObject({
  locality: Text(100).nullable().default(null).describe('null: any locality'),
  topic: Text(100).nullable().default(null).describe('null: any topic'),
  minSeverity: SeveritySchema.nullable().default(null).describe('H7: only events this severe or worse; null: all'),
  units: z.array(OrgCode).min(1).max(20).describe('Org codes of the units the rule asks'),
  leadUnit: OrgCode.nullable().default(null).describe('The lead when this is the highest-priority match'),
  priority: z.number().int().min(-1000).max(1000).default(0),
  note: z.string().trim().max(200).nullable().default(null),
});

/** PUT /api/incidents/routes/:city: the city's rules, all at once. */
export const PutRoutesSchema = z.strictObject({ rules: z.array(RouteRuleBodySchema).max(200) });
export type PutRoutes = z.infer<typeof PutRoutesSchema>;

export const RouteRuleViewSchema = RouteRuleBodySchema.extend({ id: z.string(), city: z.string() });
export const RouteListSchema = z.object({ items: z.array(RouteRuleViewSchema) });

export const RoutesQuerySchema = z.strictObject({ city: Slug.optional() });

export const ReportQuerySchema = z
  .strictObject({
    city: Slug.optional().describe('Required of the press office (its own city); an administrator may leave it out'),
    from: IsoDate.optional().describe('First day (Asia/Shanghai) of events known; default 1 January this year'),
    to: IsoDate.optional().describe('Last day (Asia/Shanghai); default today'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to is before from' });
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

export const IncidentReportSchema = z.object({
  city: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  total: z.number().int(),
  bySeverity: z.record(z.string(), z.number().int()),
  incidents: z.array(
    z.object({
      id: z.string(),
      city: z.string(),
      summary: z.string(),
      severity: z.string(),
      unit: z.string(),
      knownAt: z.string(),
      firstRelease: z.object({
        status: z.enum(['met', 'late', 'breached', 'running', 'stopped', 'none']),
        windowMs: z.number().nullable(),
        timeToReleaseMs: z.number().nullable(),
      }),
      breaches: z.array(z.string()),
      holders: z.array(z.string()),
    }),
  ),
  breachesByUnit: z.array(
    z.object({ unit: z.string(), count: z.number().int(), clocks: z.array(z.string()), holders: z.array(z.string()) }),
  ),
});
