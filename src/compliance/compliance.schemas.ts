import { z } from 'zod';

export const ComplianceQuerySchema = z.strictObject({
  year: z.coerce.number().int().min(2004).max(2100).describe('The year reported on'),
  period: z
    .string()
    .regex(/^(Q[1-4]|H[12]|year)$/, 'Q1–Q4, H1, H2 or year')
    .optional()
    .describe('Q1–Q4, H1, H2 or year (default); a rule over a longer period is shown over its own'),
  city: z.string().min(1).optional(),
  orgCode: z.string().min(1).optional().describe('One org, with its conferences (drill down)'),
  asOf: z.iso.date().optional().describe('The day the report is made as of (YYYY-MM-DD); default today in Shanghai'),
});
export type ComplianceQuery = z.infer<typeof ComplianceQuerySchema>;

export const ComplianceRowSchema = z.object({
  orgCode: z.string(),
  orgName: z.string(),
  rule: z.string().describe('The rule id of docs/chains.md (L1, U3, H8)'),
  note: z.string().nullable(),
  window: z.tuple([z.string(), z.string()]),
  required: z.number().int(),
  held: z.number().int(),
  planned: z.number().int().describe('Approved for a later day, or still in their chain'),
  workingDaysLeft: z.number().int(),
  status: z
    .enum(['met', 'on-track', 'behind', 'at-risk', 'missed'])
    .describe('at-risk: short, and fewer working days left than a new application needs (7, H1/L3)'),
  conferences: z.array(
    z.object({ requestId: z.string(), title: z.string(), conferenceDate: z.string(), state: z.string() }),
  ),
});
export type ComplianceRow = z.infer<typeof ComplianceRowSchema>;

export const ComplianceReportSchema = z.object({
  year: z.number().int(),
  period: z.string(),
  asOf: z.string(),
  items: z.array(ComplianceRowSchema),
});
