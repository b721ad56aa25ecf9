// The plan preview and the dry run through REST: H3's plan across the 2026 National Day period and
// for a conference too close (H1), the refusals naming the field; a dry run of the H3 file on a
// time-skipping server of the API's own, and its refusals (who may, an invalid file, a scenario
// naming an unknown step).
import { readFile } from 'node:fs/promises';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { H3_CHAIN } from '../support/h3.js';

let e2e: E2E;
let admin: string;
let sunli: string;
let h3Xml: string;

beforeAll(async () => {
  e2e = await startE2E();
  [admin, sunli] = await Promise.all([e2e.login('admin'), e2e.login('sunli')]);
  h3Xml = await readFile('processes/huludao-government-conference.bpmn', 'utf8');
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

it('documents both routes in OpenAPI, from their zod schemas', async () => {
  const docs = await e2e.http('GET', '/docs-json');
  expect(docs.body.paths['/api/processes/{key}/plan'].get.parameters).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: 'conferenceAt', in: 'query' })]),
  );
  expect(docs.body.paths['/api/processes/dry-run'].post.requestBody).toBeDefined();
});

describe('GET /api/processes/:key/plan', () => {
  const plan = (query: string, token = sunli) =>
    e2e.http('GET', `/api/processes/huludao-government-conference/plan?${query}`, { token });

  it('dates every step of H3 across the National Day holiday', async () => {
    const res = await plan(`conferenceAt=2026-10-14&submitAt=${encodeURIComponent('2026-09-28T10:00:00+08:00')}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      processKey: 'huludao-government-conference',
      processVersion: 1,
      tooLate: false,
      latestSubmission: '2026-09-29T10:00:00.000Z',
      earliestConference: '2026-10-13',
      brief: { present: false },
    });
    const filing = res.body.items.find((i: { element: string }) => i.element === 'file-materials');
    expect(filing).toMatchObject({
      date: '2026-10-10',
      workingDaysToConference: 3,
      rules: expect.arrayContaining(['H3']),
    });
    expect(filing.crossed).toEqual([{ date: '2026-10-10', kind: 'workday', name: '国庆节' }]);
  });

  it('says a conference is too close and gives the earliest date still allowed', async () => {
    const res = await plan('conferenceAt=2026-10-14&submitAt=2026-09-30');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tooLate: true, earliestConference: '2026-10-15' });
  });

  it('refuses a malformed date naming the field, and an unknown chain', async () => {
    const bad = await plan('conferenceAt=2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ path: 'conferenceAt' })],
    });
    const missing = await e2e.http('GET', '/api/processes/nowhere/plan?conferenceAt=2026-10-14', { token: sunli });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('PROCESS_NOT_FOUND');
  });
});

describe('POST /api/processes/dry-run', () => {
  it('runs each scenario of a BPMN file through the interpreter and reports its path', async () => {
    const res = await e2e.http('POST', '/api/processes/dry-run', {
      token: admin,
      body: {
        bpmn: h3Xml,
        scenarios: [
          { name: 'approve path', request: { orgCode: 'hld-edu' } },
          {
            name: 'major, the mayor rejects',
            request: { major: true },
            decisions: [{ element: 'approve-mayor', action: 'reject' }],
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    const [approved, rejected] = res.body.scenarios;
    expect(approved).toMatchObject({ status: 'completed', outcome: 'approved', error: null });
    expect(approved.path.map((p: { element: string }) => p.element)).toEqual(H3_CHAIN.map(([step]) => step));
    expect(approved.tasks.find((t: { element: string }) => t.element === 'sign-main-leader')).toMatchObject({
      candidates: ['main-leader@hld-edu'],
      dueAt: expect.any(String),
    });
    expect(approved.history.events).toBeGreaterThan(0);
    expect(rejected).toMatchObject({ status: 'completed', outcome: 'rejected' });
    expect(rejected.gateways).toContainEqual(expect.objectContaining({ element: 'major-check', condition: 'major' }));
    // Nothing reached the real chains: no request was started in fabu's own Temporal or read model.
    const { rows } = await e2e.db.query('SELECT count(*)::int AS n FROM requests');
    expect(rows[0].n).toBe(0);
  });

  it('refuses anyone but an administrator or the press office, an invalid file and an unknown step', async () => {
    const scenarios = [{ name: 'x' }];
    const forbidden = await e2e.http('POST', '/api/processes/dry-run', {
      token: sunli,
      body: { bpmn: h3Xml, scenarios },
    });
    expect(forbidden.status).toBe(403);
    const invalid = await e2e.http('POST', '/api/processes/dry-run', {
      token: admin,
      body: { bpmn: h3Xml.replace('<bpmn:endEvent id="approved"', '<bpmn:endEvnt id="approved"'), scenarios },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('BPMN_INVALID');
    const unknown = await e2e.http('POST', '/api/processes/dry-run', {
      token: await e2e.login('wangfang'),
      body: { bpmn: h3Xml, scenarios: [{ name: 'x', decisions: [{ element: 'nowhere', action: 'approve' }] }] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'scenarios.0.decisions.0.element', message: expect.stringMatching(/no user task "nowhere"/) }],
    });
  });
});
