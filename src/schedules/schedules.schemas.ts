import { z } from 'zod';

export const ScheduleViewSchema = z.object({
  id: z.string().describe('The Temporal Schedule id, `fabu:<process key>`'),
  processKey: z.string(),
  processVersion: z.number().int().nullable(),
  recurrence: z.string().nullable().describe('The calendar rule (fabu:recurrence), e.g. second-week-of-month'),
  cron: z.string().nullable().describe('Or a plain cron line (timeCycle), Asia/Shanghai'),
  orgCode: z.string().nullable(),
  paused: z.boolean(),
  note: z.string().nullable(),
  nextRuns: z.array(z.string()),
  recentRuns: z.array(z.object({ workflowId: z.string(), scheduledAt: z.string(), takenAt: z.string() })),
});
export const NoteSchema = z.strictObject({
  note: z.string().trim().max(200).optional().describe('Why (shown in Temporal UI)'),
});
export const BackfillSchema = z
  .strictObject({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) })
  .refine((b) => Date.parse(b.end) > Date.parse(b.start), { path: ['end'], message: 'end must be after start' });
