import { z } from 'zod';
import { isIsoDate } from './working-days.js';

const Day = z.object({
  date: z.string().refine(isIsoDate, 'expected a real calendar date YYYY-MM-DD'),
  name: z.string().trim().min(1).max(50).describe('Festival, e.g. 春节'),
});

export const NoticeImportSchema = z.strictObject({
  text: z
    .string()
    .min(20)
    .max(20_000)
    .describe('The State Council notice as published (国务院办公厅关于XXXX年部分节假日安排的通知)'),
  confirm: z.boolean().default(false).describe('false: parse and show (dry run); true: store the year'),
});
export type NoticeImport = z.infer<typeof NoticeImportSchema>;

export const DaysImportSchema = z
  .strictObject({
    holidays: z.array(Day).max(60).optional().describe('Days off'),
    workdays: z.array(Day).max(20).optional().describe('Weekend days that are make-up workdays (调休)'),
    csv: z
      .string()
      .max(20_000)
      .optional()
      .describe('Instead of the arrays: lines "YYYY-MM-DD,holiday|workday,name" (a header line is allowed)'),
    confirm: z.boolean().default(false).describe('false: validate and show (dry run); true: store the year'),
  })
  .refine((b) => Boolean(b.csv) !== Boolean(b.holidays || b.workdays), 'give either csv or holidays/workdays');
export type DaysImport = z.infer<typeof DaysImportSchema>;

const DayView = z.object({ date: z.string(), name: z.string() });
export const CalendarYearViewSchema = z.object({
  year: z.number().int(),
  source: z.enum(['bundled', 'notice', 'manual']),
  title: z.string().nullable(),
  loadedBy: z.string().nullable(),
  loadedAt: z.string(),
  holidays: z.array(DayView),
  workdays: z.array(DayView),
  workingDays: z.number().int().describe('Working days in the year'),
});

export const ImportResultSchema = z.object({
  year: z.number().int(),
  stored: z.boolean().describe('false for a dry run'),
  holidays: z.array(DayView),
  workdays: z.array(DayView),
  replaces: z.enum(['bundled', 'notice', 'manual']).nullable().describe('The source of the data this replaces, if any'),
  added: z.array(z.string()).describe('Days that become holidays or workdays compared with the stored year'),
  removed: z.array(z.string()).describe('Days no longer special compared with the stored year'),
  skipped: z
    .array(z.string())
    .describe('Days of another year that is not loaded (e.g. a 31 December named by next year’s notice): not stored'),
  replanned: z
    .array(z.string())
    .describe('Open tasks whose provisional due time was counted again with the stored year, and moved'),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;
