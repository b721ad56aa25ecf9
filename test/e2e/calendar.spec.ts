// The statutory calendar through HTTP: bundled years served from Postgres, an unknown year said
// plainly, a year imported from the State Council notice (dry run, then confirm) or as data, and
// deadlines counted from what the store knows.
import { readFile } from 'node:fs/promises';
import { addDays, weekday } from '../../src/calendar/working-days.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { H3_CHAIN, UNLOADED_YEAR } from '../support/h3.js';
import { SA } from '../../workflows/definitions.js';

const unloaded = UNLOADED_YEAR;
let e2e: E2E;
let admin: string;
const notice = (year: number) => readFile(`test/fixtures/holiday-notices/${year}.txt`, 'utf8');

beforeAll(async () => {
  e2e = await startE2E();
  admin = await e2e.login('admin');
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('calendar API', () => {
  it('serves a bundled year with its holidays and make-up workdays (National Day 2026)', async () => {
    const res = await e2e.http('GET', '/api/calendar/2026', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ year: 2026, source: 'bundled' });
    const holidays = res.body.holidays.map((d: { date: string }) => d.date);
    expect(holidays).toEqual(expect.arrayContaining(['2026-10-01', '2026-10-07', '2026-02-17']));
    expect(res.body.workdays.map((d: { date: string }) => d.date)).toEqual(
      expect.arrayContaining(['2026-09-20', '2026-10-10']),
    );
  });

  it('says plainly that a year is not loaded, and how to load it', async () => {
    const res = await e2e.http('GET', `/api/calendar/${unloaded}`, { token: admin });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('CALENDAR_YEAR_NOT_LOADED');
    expect(res.body.detail).toMatch(new RegExp(`${unloaded} is not loaded`));
    expect(res.body.detail).toMatch(/POST \/api\/calendar\/notice/);
  });

  it('parses a notice in a dry run without storing it, and finds it equal to the bundled year', async () => {
    const res = await e2e.http('POST', '/api/calendar/notice', { token: admin, body: { text: await notice(2025) } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ year: 2025, stored: false, replaces: 'bundled', added: [], removed: [] });
    expect(res.body.holidays).toHaveLength(28);
    const year = await e2e.http('GET', '/api/calendar/2025', { token: admin });
    expect(year.body.source).toBe('bundled');
  });

  it('stores a confirmed notice as the source of that year', async () => {
    const res = await e2e.http('POST', '/api/calendar/notice', {
      token: admin,
      body: { text: await notice(2017), confirm: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ year: 2017, stored: true });
    const year = await e2e.http('GET', '/api/calendar/2017', { token: admin });
    expect(year.body).toMatchObject({ source: 'notice', loadedBy: 'admin' });
    expect(year.body.title).toMatch(/2017年部分节假日安排/);
  });

  it('refuses a notice that contradicts itself, naming the line, and stores nothing', async () => {
    const text = (await notice(2025)).replace('共8天。1月26日', '共7天。1月26日');
    const res = await e2e.http('POST', '/api/calendar/notice', { token: admin, body: { text, confirm: true } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('NOTICE_INVALID');
    expect(res.body.errors).toEqual([expect.objectContaining({ line: 8, message: expect.stringMatching(/共7天/) })]);
    const year = await e2e.http('GET', '/api/calendar/2025', { token: admin });
    expect(year.body.source).toBe('bundled');
  });

  it('refuses calendar changes from anyone but an administrator', async () => {
    const res = await e2e.http('POST', '/api/calendar/notice', {
      token: await e2e.login('sunli'),
      body: { text: await notice(2025) },
    });
    expect(res.status).toBe(403);
  });

  it('refuses data with a make-up workday on a weekday, naming the entry', async () => {
    const monday = addDays(`${unloaded}-01-04`, (1 - weekday(`${unloaded}-01-04`) + 7) % 7);
    const res = await e2e.http('POST', `/api/calendar/${unloaded}/days`, {
      token: admin,
      body: { holidays: [{ date: `${unloaded}-01-01`, name: '元旦' }], workdays: [{ date: monday, name: '元旦' }] },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'CALENDAR_INVALID', errors: [{ path: 'workdays.0.date' }] });
  });

  it('loads a year from CSV, and moves the provisional deadlines of running chains in that year', async () => {
    // A conference on a Friday in June of the unloaded year: walk its H3 chain to the filing step,
    // due 3 working days before (H3.4) — counted on weekdays only, so Tuesday, provisional.
    const friday = addDays(`${unloaded}-06-10`, (5 - weekday(`${unloaded}-06-10`) + 7) % 7);
    const [monday, tuesday, wednesday] = [-4, -3, -2].map((n) => addDays(friday, n));
    const request = await e2e.http('POST', '/api/requests', {
      token: await e2e.login('sunli'),
      body: { processKey: 'huludao-government-conference', title: '年中发布会', conferenceDate: friday },
    });
    expect(request.status).toBe(201);
    let filing = '';
    for (const [, username] of H3_CHAIN.slice(0, -1)) {
      const token = await e2e.login(username);
      const inbox = await e2e.http('GET', '/api/tasks?limit=200', { token });
      const task = inbox.body.items.find((t: { requestId: string }) => t.requestId === request.body.id);
      const decided = await e2e.http('POST', `/api/tasks/${task.id}/decision`, { token, body: { action: 'approve' } });
      filing = decided.body.openTasks[0];
    }
    const wangfang = await e2e.login('wangfang');
    const before = await e2e.http('GET', `/api/tasks/${filing}`, { token: wangfang });
    expect(before.body).toMatchObject({
      elementId: 'file-materials',
      dueAt: `${tuesday}T10:00:00.000Z`,
      dueProvisional: true,
    });

    // The year is loaded (test data: one holiday, on that Wednesday). The count now skips it: Monday.
    const csv = `date,kind,name\n${unloaded}-01-01,holiday,元旦\n${wednesday},holiday,测试假日\n`;
    const res = await e2e.http('POST', `/api/calendar/${unloaded}/days`, {
      token: admin,
      body: { csv, confirm: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ year: unloaded, stored: true, replaces: null, replanned: [filing] });
    const year = await e2e.http('GET', `/api/calendar/${unloaded}`, { token: admin });
    expect(year.body).toMatchObject({
      source: 'manual',
      holidays: [{ date: `${unloaded}-01-01` }, { date: wednesday }],
    });

    const after = await e2e.http('GET', `/api/tasks/${filing}`, { token: wangfang });
    expect(after.body).toMatchObject({ dueAt: `${monday}T10:00:00.000Z`, dueProvisional: false });
    const audit = await e2e.http('GET', `/api/requests/${request.body.id}`, { token: wangfang });
    expect(audit.body.history.at(-1)).toMatchObject({ type: 'task.replanned', taskId: filing });
    const described = await e2e.temporal.workflow.getHandle(request.body.id).describe();
    expect(described.typedSearchAttributes.get(SA.dueProvisional)).toBe(false);
  });
});
