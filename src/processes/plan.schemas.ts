import { z } from 'zod';
import { isIsoDate } from '../calendar/working-days.js';

/** A bare date is taken as 09:00 Asia/Shanghai that day: a submission made in the morning. */
const SUBMIT_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const PlanQuerySchema = z.strictObject({
  conferenceAt: z
    .string()
    .refine(isIsoDate, 'expected a real calendar date YYYY-MM-DD')
    .describe('The conference date (YYYY-MM-DD, Asia/Shanghai)'),
  submitAt: z
    .string()
    .refine(
      (s) => (SUBMIT_DATE.test(s) ? isIsoDate(s) : z.iso.datetime({ offset: true }).safeParse(s).success),
      'expected an ISO 8601 instant with offset, or a date YYYY-MM-DD (09:00 Asia/Shanghai)',
    )
    .optional()
    .describe('When the application is made: an instant, or a date (09:00 Asia/Shanghai); default now'),
});
export type PlanQuery = z.infer<typeof PlanQuerySchema>;

/** The instant a `submitAt` query value names. */
export function submitInstant(value: string | undefined, now = new Date()): Date {
  if (value === undefined) return now;
  return new Date(SUBMIT_DATE.test(value) ? `${value}T09:00:00+08:00` : value);
}

const SpecialDaySchema = z.object({
  date: z.string(),
  kind: z.enum(['holiday', 'workday']).describe('workday: a weekend day worked in place of a holiday (调休)'),
  name: z.string().describe('The festival, e.g. 国庆节'),
});

export const PlanItemSchema = z.object({
  kind: z
    .enum(['submission', 'applyBefore', 'due', 'timer', 'escalation', 'conference'])
    .describe(
      'applyBefore: the latest submission (H1, L3); due: a step due (fabu:due); timer: a timer event or a dated ' +
        'boundary timer; escalation: an interrupting boundary timer (H1)',
    ),
  element: z.string().nullable().describe('The BPMN element (the process id for applyBefore)'),
  name: z.string(),
  rules: z.array(z.string()),
  source: z.string().nullable().describe('The expression as drawn, e.g. "conferenceDate - 3WD"'),
  countedFrom: z
    .enum(['conferenceDate', 'submission'])
    .nullable()
    .describe(
      'submission: a rule that counts from a step opening (P2WD), counted here from the submission: the step itself ' +
        'runs from when it opens',
    ),
  at: z.string().describe('The instant (ISO 8601)'),
  date: z.string().describe('Its date in Asia/Shanghai'),
  basis: z.string().nullable().describe('How the date was counted'),
  provisional: z.boolean().describe('The date was counted through a year whose holidays are not loaded (weekdays only)'),
  countsProvisional: z
    .boolean()
    .describe('The working days from the item before, or to the conference, cross a year whose holidays are not loaded'),
  workingDaysFromPrevious: z.number().int().nullable().describe('Working days since the item before'),
  workingDaysToConference: z.number().int().describe('Working days from this date to the conference'),
  crossed: z.array(SpecialDaySchema).describe('Holidays and make-up workdays since the item before'),
  note: z.string().optional(),
});

export const PlanSchema = z.object({
  processKey: z.string(),
  processVersion: z.number().int().optional(),
  name: z.string(),
  conferenceDate: z.string(),
  submitAt: z.string(),
  items: z.array(PlanItemSchema).describe('Every dated step, in time order'),
  provisional: z.boolean().describe('Some date was counted through a year whose holidays are not loaded'),
  tooLate: z.boolean().describe('The submission comes after the latest submission (H1: refused as late)'),
  latestSubmission: z.string().nullable(),
  earliestConference: z
    .string()
    .nullable()
    .describe('The first conference date a submission at submitAt still meets the lead time for'),
  brief: z
    .object({ present: z.boolean(), rule: z.literal('H6'), note: z.string() })
    .describe('H6 art. 35: the brief (简报) filed after the conference'),
});
export type Plan = z.infer<typeof PlanSchema>;
export type PlanItem = z.infer<typeof PlanItemSchema>;
