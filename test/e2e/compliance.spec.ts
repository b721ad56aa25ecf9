// e2e: release-frequency compliance (L1) for Liuzhou's demo orgs over HTTP. The conferences of
// earlier days are written into the read model directly (no chain can be applied for in the past);
// the report reads them as it reads any request. Reports are made "as of" a day, so the working
// days left in a period are known.
import { readFile } from 'node:fs/promises';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { runStartedBy } from '../support/scheduled-runs.js';

let e2e: E2E;
let token: string;
let n = 0;

/** A request as the read model keeps it: approved (held or planned by its date) or still running. */
async function conference(
  orgCode: string,
  conferenceDate: string,
  state: 'approved' | 'running',
  processKey = 'liuzhou-conference-filing',
) {
  n += 1;
  const id = `L3-TEST-${n}`;
  await e2e.db.query(
    `INSERT INTO requests (id, process_key, process_version, title, org_code, conference_date, materials, major,
                           initiator, status, stage, outcome, seq, created_at, updated_at, completed_at)
     VALUES ($1, $2, 1, $3, $4, $5, '[]', false, 'liangyu', $6, $7, $8, 1, now(), now(), NULL)`,
    [
      id,
      processKey,
      `发布会 ${n}`,
      orgCode,
      conferenceDate,
      state === 'approved' ? 'completed' : 'running',
      state === 'approved' ? 'approved' : 'sign',
      state === 'approved' ? 'approved' : null,
    ],
  );
  return id;
}

async function report(query: string) {
  const res = await e2e.http('GET', `/api/compliance?city=liuzhou&${query}`, { token });
  expect(res.status).toBe(200);
  return res.body as {
    items: Array<{ orgCode: string; rule: string; status: string; held: number; planned: number; required: number }>;
  };
}
const row = (body: Awaited<ReturnType<typeof report>>, orgCode: string) =>
  body.items.find((i) => i.orgCode === orgCode);

beforeAll(async () => {
  e2e = await startE2E();
  token = await e2e.login('weili');
  await conference('lz-transport', '2026-05-12', 'approved');
  await conference('lz-liubei', '2026-03-10', 'approved');
  await conference('lz-liubei', '2026-12-30', 'running');
  // The city government's conferences are held through its offices (the press office).
  await conference('lz-press-office', '2026-02-10', 'approved');
  await conference('lz-press-office', '2026-12-15', 'running');
  // L2's annual plan carries a date but is not a conference (fabu:conference="false").
  await conference('lz-press-office', '2026-07-15', 'approved', 'liuzhou-annual-plan');
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('compliance with release quotas (L1)', () => {
  it('shows a unit that met its quota, one at risk and one that missed it', async () => {
    // 2026-12-28: three working days are left in the year (29, 30, 31 December), fewer than the
    // seven a new application needs (H1/L3).
    const year = await report('year=2026&asOf=2026-12-28');
    expect(row(year, 'lz-transport')).toMatchObject({ rule: 'L1', required: 1, held: 1, status: 'met' });
    expect(row(year, 'lz-liubei')).toMatchObject({
      required: 4,
      held: 1,
      planned: 1,
      workingDaysLeft: 3,
      status: 'at-risk',
    });
    // One a quarter for the city government: Q3 passed with none (the annual plan does not count).
    const q3 = await report('year=2026&period=Q3&asOf=2026-12-28');
    expect(row(q3, 'lz-gov')).toMatchObject({ required: 1, held: 0, planned: 0, status: 'missed' });
    // A yearly quota asked about in a quarter is shown over its year.
    expect(row(q3, 'lz-transport')).toMatchObject({ window: ['2026-01-01', '2026-12-31'], status: 'met' });
  });

  it('counts a conference still in its chain as planned: on track, or behind with time left', async () => {
    const q4 = await report('year=2026&period=Q4&asOf=2026-12-01');
    expect(row(q4, 'lz-gov')).toMatchObject({ required: 1, held: 0, planned: 1, status: 'on-track' });
    const mid = await report('year=2026&asOf=2026-06-30');
    expect(row(mid, 'lz-liubei')).toMatchObject({ required: 4, held: 1, planned: 1, status: 'behind' });
  });

  it('drills down to an org and its conferences, and names a bad period', async () => {
    const res = await report('year=2026&orgCode=lz-liubei&asOf=2026-12-28');
    expect(res.items).toHaveLength(1);
    expect(res.items[0]).toMatchObject({
      conferences: [
        { conferenceDate: '2026-03-10', state: 'held' },
        { conferenceDate: '2026-12-30', state: 'in-approval' },
      ],
    });
    const bad = await e2e.http('GET', '/api/compliance?year=2026&period=Q5', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'period' })]);
  });

  it('tells a unit short of its quota, and its leaders, from its watch schedule (lead time from the BPMN)', async () => {
    // The demo file tells units with 20 working days or fewer left; redeployed with a lead longer
    // than any period, whatever today is, the county short of its four conferences is told.
    const admin = await e2e.login('admin');
    // The transport bureau held this year's one conference in January, whichever year this runs in.
    await conference('lz-transport', `${new Date().getUTCFullYear()}-01-15`, 'approved');
    const xml = await readFile('processes/liuzhou-compliance-watch.bpmn', 'utf8');
    const deployed = await e2e.http('POST', '/api/processes', {
      token: admin,
      body: {
        xml: xml.replace('fabu:lead="20"', 'fabu:lead="300"'),
        source: 'processes/liuzhou-compliance-watch.bpmn',
      },
    });
    expect(deployed.body).toMatchObject({ version: 2, schedule: 'updated' });
    const run = await runStartedBy(e2e.temporal, 'fabu:liuzhou-compliance-watch', async () => {
      const triggered = await e2e.http('POST', '/api/schedules/liuzhou-compliance-watch/trigger', { token: admin });
      expect(triggered.status).toBe(200);
    });
    // The run ends once its notice is in the read model.
    await run.result();
    const trail: Array<{ type: string; payload: { detail?: { notices?: Array<Record<string, unknown>> } } }> = (
      await e2e.http('GET', `/api/requests/${run.workflowId}/audit`, { token: admin })
    ).body.items;
    const notices = trail.find((e) => e.type === 'service.completed')!.payload.detail!.notices!;
    expect(notices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ orgCode: 'lz-liubei', rule: 'L1', notified: expect.arrayContaining(['huangyong']) }),
      ]),
    );
    // A unit that met its quota is not told.
    expect(notices.map((n) => n.orgCode)).not.toContain('lz-transport');
  });
});
