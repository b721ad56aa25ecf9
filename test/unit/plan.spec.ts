// The plan preview of H3 (huludao-government-conference: apply 7 WD before, reply within 2 WD,
// file 3 WD before) across the 2026 National Day period, into 2027 (no holiday data), and for a
// conference too close. Dates worked out by hand from the bundled calendar (chinese-days 1.5.7):
//   Mid-autumn 2026-09-25 (Fri) … 09-27; National Day 10-01 (Thu) … 10-07 (Wed);
//   make-up workdays 09-20 (Sun) and 10-10 (Sat). 18:00 Shanghai = 10:00Z.
import { readFile } from 'node:fs/promises';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { compileBpmn } from '../../src/processes/compiler.js';
import type { ProcessIR } from '../../src/processes/ir.js';
import { earliestDateAllowed, planChain } from '../../src/processes/plan.js';
import { submitInstant } from '../../src/processes/plan.schemas.js';
import { ZONES, inHostZone } from '../support/time-zones.js';

let h3: ProcessIR;
let n6: ProcessIR;
const calendar = bundledCalendar();
const plan = (ir: ProcessIR, conferenceDate: string, submitAt: string) =>
  planChain({ ir, conferenceDate, submitAt: new Date(submitAt), calendar, dayEnd: '18:00' });
const NATIONAL_DAY = ['01', '02', '03', '04', '05', '06', '07'].map((d) => ({
  date: `2026-10-${d}`,
  kind: 'holiday',
  name: '国庆节',
}));

beforeAll(async () => {
  const load = async (key: string) =>
    compileBpmn(await readFile(`processes/${key}.bpmn`, 'utf8'), { fileName: `${key}.bpmn` });
  [h3, n6] = await Promise.all([load('huludao-government-conference'), load('ningbo-department-conference')]);
});

describe(planChain.name, () => {
  describe.each(ZONES)('with TZ=%s', (tz) => {
    inHostZone(tz);

    it('dates every H3 step across the 2026 National Day period, with the holidays it crosses', () => {
      const p = plan(h3, '2026-10-14', '2026-09-28T10:00:00+08:00');
      const rows = p.items.map((i) => [i.kind, i.element, i.at, i.workingDaysFromPrevious, i.workingDaysToConference]);
      expect(rows).toEqual([
        ['submission', null, '2026-09-28T02:00:00.000Z', null, 8],
        // H1: at least 7 WD before: 09-29 is the 7th working day before 10-14 (10-10 is worked, 10-01…07 are not).
        ['applyBefore', 'huludao-government-conference', '2026-09-29T10:00:00.000Z', 1, 7],
        // H1: the reply within 2 WD, counted here from the submission; the sign-offs likewise.
        ['due', 'guidance', '2026-09-30T10:00:00.000Z', 1, 6],
        ['due', 'sign-main-leader', '2026-09-30T10:00:00.000Z', 0, 6],
        ['due', 'sign-leader-in-charge', '2026-09-30T10:00:00.000Z', 0, 6],
        ['due', 'sign-propaganda', '2026-09-30T10:00:00.000Z', 0, 6],
        ['due', 'approve-mayor', '2026-09-30T10:00:00.000Z', 0, 6],
        // H1: a working day past the reply, the office head takes over: the first working day after the holiday.
        ['escalation', 'guidance-overdue', '2026-10-08T10:00:00.000Z', 1, 5],
        // H3.4: filed 3 WD before: Saturday 10-10, a make-up workday.
        ['due', 'file-materials', '2026-10-10T10:00:00.000Z', 2, 3],
        ['conference', null, '2026-10-13T16:00:00.000Z', 3, 0],
      ]);
      const byElement = new Map(p.items.map((i) => [i.element ?? i.kind, i]));
      expect(byElement.get('guidance')).toMatchObject({
        rules: expect.arrayContaining(['H1', 'H3']),
        source: 'P2WD',
        countedFrom: 'submission',
        date: '2026-09-30',
        note: expect.stringMatching(/counted from the submission/),
      });
      expect(byElement.get('huludao-government-conference')).toMatchObject({
        rules: ['H1'],
        source: 'conferenceDate - 7WD',
        countedFrom: 'conferenceDate',
      });
      expect(byElement.get('guidance-overdue')?.crossed).toEqual(NATIONAL_DAY);
      expect(byElement.get('file-materials')).toMatchObject({
        source: 'conferenceDate - 3WD',
        date: '2026-10-10',
        crossed: [{ date: '2026-10-10', kind: 'workday', name: '国庆节' }],
      });
      // Mid-autumn (09-25…27) lies before the submission: not crossed by anything in the plan.
      expect(p.items.flatMap((i) => i.crossed).some((d) => d.date < '2026-09-28')).toBe(false);
      expect(p).toMatchObject({
        tooLate: false,
        provisional: false,
        latestSubmission: '2026-09-29T10:00:00.000Z',
        earliestConference: '2026-10-13',
        brief: { present: false, rule: 'H6' },
      });
      expect(p.items.every((i) => !i.provisional && !i.countsProvisional)).toBe(true);
      // Steps due together are listed as the chain runs them, however the stored IR orders its nodes.
      const shuffled = { ...h3, nodes: Object.fromEntries(Object.entries(h3.nodes).reverse()) };
      expect(plan(shuffled, '2026-10-14', '2026-09-28T10:00:00+08:00').items).toEqual(p.items);
    });

    it('says a conference is too close and gives the earliest date still allowed (H1)', () => {
      // Submitted the morning after the last moment (09-29 18:00): the 7th working day after 09-30,
      // skipping the holiday and counting Saturday 10-10, is 10-15.
      const p = plan(h3, '2026-10-14', '2026-09-30T10:00:00+08:00');
      expect(p).toMatchObject({
        tooLate: true,
        latestSubmission: '2026-09-29T10:00:00.000Z',
        earliestConference: '2026-10-15',
      });
      const later = plan(h3, '2026-10-15', '2026-09-30T10:00:00+08:00');
      expect(later).toMatchObject({ tooLate: false, latestSubmission: '2026-09-30T10:00:00.000Z' });
    });

    it('marks dates counted through 2027, a year without holiday data, as provisional', () => {
      const p = plan(h3, '2027-01-15', '2026-12-28T10:00:00+08:00');
      const byElement = new Map(p.items.map((i) => [i.element ?? i.kind, i]));
      // 2027-01-01 counts as a working day for now: 7 WD before 01-15 is 01-06.
      expect(byElement.get('huludao-government-conference')).toMatchObject({
        date: '2027-01-06',
        provisional: true,
      });
      expect(byElement.get('file-materials')).toMatchObject({ date: '2027-01-12', provisional: true });
      // The reply due on 2026-12-30 is a known date; only its count to the conference is provisional.
      expect(byElement.get('guidance')).toMatchObject({
        date: '2026-12-30',
        provisional: false,
        countsProvisional: true,
      });
      expect(byElement.get('conference')).toMatchObject({ date: '2027-01-15', provisional: true });
      expect(p.provisional).toBe(true);
    });
  });

  it('counts a calendar week before the conference for N6, a day off moving it earlier', () => {
    // N6: filed one week before: 2026-10-14 - P1W = 10-07, a holiday, so the working day before: 09-30.
    const p = plan(n6, '2026-10-14', '2026-09-21T09:00:00+08:00');
    const filing = p.items.find((i) => i.element === 'file-press-office');
    expect(filing).toMatchObject({ date: '2026-09-30', source: 'conferenceDate - P1W', countedFrom: 'conferenceDate' });
    expect(p.items.find((i) => i.kind === 'applyBefore')).toMatchObject({ rules: ['N6'], date: '2026-09-30' });
  });
});

describe(earliestDateAllowed.name, () => {
  it('finds the first conference date whose lead time a submission still meets', () => {
    const rule = h3.applyBefore!;
    const at = new Date('2026-09-30T10:00:00+08:00');
    expect(earliestDateAllowed(rule, at, calendar, '18:00')).toBe('2026-10-15');
    // Before 18:00 on 09-29 the 14th is still allowed; after it, not.
    expect(earliestDateAllowed(rule, new Date('2026-09-29T17:59:00+08:00'), calendar, '18:00')).toBe('2026-10-14');
  });
});

describe(submitInstant.name, () => {
  it('reads a bare date as 09:00 in Shanghai and an instant as given', () => {
    expect(submitInstant('2026-09-28').toISOString()).toBe('2026-09-28T01:00:00.000Z');
    expect(submitInstant('2026-09-28T10:00:00Z').toISOString()).toBe('2026-09-28T10:00:00.000Z');
  });
});
