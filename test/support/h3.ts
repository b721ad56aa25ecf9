// The H3 chain (葫芦岛 government conference) as the tests drive it: who signs each step for an
// application by 教育局 (hld-edu), an in-memory directory holding those positions, and a request.
import { readFile } from 'node:fs/promises';
import { loadBundledCalendarData } from '../../src/calendar/bundled-calendar.js';
import { addDays, weekday } from '../../src/calendar/working-days.js';
import { compileBpmn } from '../../src/processes/compiler.js';
import { type CandidateExpr, type ProcessIR, orgCodeOf } from '../../src/processes/ir.js';
import type { ApprovalProcessInput } from '../../workflows/definitions.js';

export const H3_FILE = 'processes/huludao-government-conference.bpmn';

/** The first year after both today and the bundled data (2027 as of writing): no holidays loaded for it. */
export const UNLOADED_YEAR = Math.max(new Date().getUTCFullYear(), ...loadBundledCalendarData().years) + 1;
/** The test requests' conference: the first Friday from 12 January of {@link UNLOADED_YEAR}. */
export const CONFERENCE_DATE = addDays(`${UNLOADED_YEAR}-01-12`, (5 - weekday(`${UNLOADED_YEAR}-01-12`) + 7) % 7);
/** 18:00 Shanghai on a date, as the ISO instant a working-day deadline falls due. */
export const dueOn = (date: string) => `${date}T10:00:00.000Z`;

/** Each H3 step and who signs it, in chain order (as in the demo directory). */
export const H3_CHAIN = [
  ['draft', 'sunli'],
  ['guidance', 'wangfang'],
  ['sign-main-leader', 'chenming'],
  ['sign-leader-in-charge', 'liuqiang'],
  ['sign-propaganda', 'zhaohua'],
  ['file-materials', 'wangfang'],
] as const;

const HOLDERS: Record<string, string[]> = {
  'press-officer@hld-gov-press-office': ['wangfang'],
  'press-office-head@hld-gov-press-office': ['lijun'],
  'main-leader@hld-edu': ['chenming'],
  'leader-in-charge@hld-edu': ['liuqiang'],
  'propaganda-deputy-head@hld-propaganda': ['zhaohua'],
};

/** The directory port of the planning activities, answering from {@link HOLDERS}. */
export const h3Directory = {
  async resolve(expr: CandidateExpr, ctx: { orgCode: string; initiator: string; item?: string }): Promise<string[]> {
    if (expr.kind === 'initiator') return [ctx.initiator];
    const org = orgCodeOf(expr.org, ctx);
    return HOLDERS[`${expr.position}@${org}`] ?? [];
  },
};

export async function loadH3(): Promise<ProcessIR> {
  return compileBpmn(await readFile(H3_FILE, 'utf8'));
}

export function h3Input(ir: ProcessIR, overrides: Partial<ApprovalProcessInput['request']> = {}): ApprovalProcessInput {
  return {
    definition: { key: ir.key, version: 1, ir },
    request: {
      title: '全市中小学秋季开学新闻发布会',
      orgCode: 'hld-edu',
      conferenceDate: CONFERENCE_DATE,
      materials: ['发布稿', '主持词'],
      major: false,
      initiator: 'sunli',
      ...overrides,
    },
    submittedAt: new Date().toISOString(),
  };
}
