// e2e: incidents over HTTP (O1–O5). Intake is idempotent by source item and by Idempotency-Key,
// refuses what it cannot answer with a stable code naming the field, routes by rules kept as data
// (a refused rule write changes nothing), and Liuzhou's public-opinion chain runs from intake to
// its first release, re-assessed and handed over on the way, into the accountability report.
import { type E2E, startE2E } from '../support/e2e-harness.js';

let e2e: E2E;
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));

beforeAll(async () => {
  e2e = await startE2E();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** weili works in Liuzhou's press office (市政府新闻办), which monitors public opinion (O1). */
async function intake(body: Record<string, unknown>, opts: { as?: string; key?: string } = {}) {
  return e2e.http('POST', '/api/incidents', {
    token: await token(opts.as ?? 'weili'),
    body: { city: 'liuzhou', source: 'monitor', summary: '柳州某路段交通拥堵引发网民关注', topic: 'traffic', ...body },
    ...(opts.key ? { headers: { 'Idempotency-Key': opts.key } } : {}),
  });
}

function expectProblem(res: Awaited<ReturnType<E2E['http']>>, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(res.body.code).toBe(code);
}

describe('POST /api/incidents (O1)', () => {
  it('names one incident, and starts one chain, for the same source item reported twice', async () => {
    const first = await intake({ sourceId: 'weibo-4981', severity: 'major' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      city: 'liuzhou',
      processKey: 'liuzhou-opinion-response',
      status: 'running',
      orgCode: 'lz-transport',
      units: ['lz-transport'],
      severity: 'major',
      reportedBy: 'weili',
    });
    // Another monitoring account finds the same post.
    const again = await intake({ sourceId: 'weibo-4981', summary: '同一条微博' }, { as: 'mengqiang' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const { rows } = await e2e.db.query(
      `SELECT (SELECT count(*)::int FROM incidents WHERE source_id = 'weibo-4981') AS incidents,
              (SELECT count(*)::int FROM requests WHERE id = $1) AS requests`,
      [first.body.id],
    );
    expect(rows[0]).toEqual({ incidents: 1, requests: 1 });
  });

  it('repeats the first answer for the same Idempotency-Key, and refuses the key for another body', async () => {
    const first = await intake({ summary: '市民反映公交线路调整' }, { key: 'intake-1' });
    expect(first.status).toBe(201);
    const again = await intake({ summary: '市民反映公交线路调整' }, { key: 'intake-1' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expectProblem(await intake({ summary: '另一件事' }, { key: 'intake-1' }), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it.each([
    ['a summary left out', { summary: undefined }, 400, 'VALIDATION_FAILED', 'summary'],
    ['a severity it does not know', { severity: 'huge' }, 400, 'VALIDATION_FAILED', 'severity'],
    ['a link that is not a URL', { links: ['not a url'] }, 400, 'VALIDATION_FAILED', 'links.0'],
    ['knownAt without an offset', { knownAt: '2026-03-02T09:00:00' }, 400, 'VALIDATION_FAILED', 'knownAt'],
    [
      'knownAt in the future',
      { knownAt: new Date(Date.now() + HOUR).toISOString() },
      422,
      'INCIDENT_INVALID',
      'knownAt',
    ],
    ['a unit that is no org', { units: ['lz-nowhere'] }, 422, 'INCIDENT_INVALID', 'units.0'],
    ["another city's unit", { units: ['lz-transport'], leadUnit: 'nb-health' }, 422, 'INCIDENT_INVALID', 'leadUnit'],
    ['a city no process answers', { city: 'shanghai' }, 422, 'NO_INTAKE_PROCESS', 'city'],
  ])('refuses %s, naming the field', async (_, patch, status, code, path) => {
    const before = (await e2e.db.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n;
    const res = await intake(patch);
    expectProblem(res, status, code);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await e2e.db.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n).toBe(before);
  });

  it('shows an incident to the press office, its units and its reporter, and to no one else', async () => {
    const { body } = await intake({ summary: '柳北区道路积水', locality: '柳北区', topic: 'traffic' });
    expect(body.units).toEqual(['lz-transport', 'lz-liubei']);
    for (const username of ['weili', 'mengqiang', 'lutao', 'tanmei', 'admin']) {
      expect((await e2e.http('GET', `/api/incidents/${body.id}`, { token: await token(username) })).status).toBe(200);
    }
    // 孙丽 works for Huludao's education bureau.
    const stranger = await e2e.http('GET', `/api/incidents/${body.id}`, { token: await token('sunli') });
    expectProblem(stranger, 404, 'INCIDENT_NOT_FOUND');
    const list = await e2e.http('GET', '/api/incidents?city=liuzhou&limit=200', { token: await token('sunli') });
    expect(list.body.items).toEqual([]);
    const mine = await e2e.http('GET', '/api/incidents?limit=1', { token: await token('tanmei') });
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([body.id]);
  });
});

it('documents every incidents route in the OpenAPI document', async () => {
  const docs = await e2e.http('GET', '/docs-json');
  expect(Object.keys(docs.body.paths)).toEqual(
    expect.arrayContaining([
      '/api/incidents',
      '/api/incidents/{id}',
      '/api/incidents/{id}/severity',
      '/api/incidents/{id}/handover',
      '/api/incidents/routes',
      '/api/incidents/routes/{city}',
      '/api/incidents/report',
    ]),
  );
});

describe('routing rules as data (O1, H7)', () => {
  const routes = async () =>
    (await e2e.http('GET', '/api/incidents/routes?city=huainan', { token: await token('admin') })).body.items;

  it("replaces a city's rules, and a refused write changes nothing", async () => {
    const before = await routes();
    expect(before.map((r: { units: string[] }) => r.units)).toEqual([['hn-edu'], ['hn-press-office']]);

    const refused = await e2e.http('PUT', '/api/incidents/routes/huainan', {
      token: await token('admin'),
      body: {
        rules: [
          { topic: 'health', units: ['hn-edu'] },
          { topic: 'education', units: ['hn-edu', 'nb-health', 'hn-nowhere'], leadUnit: 'hn-edu' },
        ],
      },
    });
    expectProblem(refused, 422, 'ROUTES_INVALID');
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['rules.1.units.1', 'rules.1.units.2']);
    expect(await routes()).toEqual(before);

    const notAdmin = await e2e.http('PUT', '/api/incidents/routes/huainan', {
      token: await token('weili'),
      body: { rules: [] },
    });
    expectProblem(notAdmin, 403, 'FORBIDDEN');
    expect(await routes()).toEqual(before);

    const replaced = await e2e.http('PUT', '/api/incidents/routes/huainan', {
      token: await token('admin'),
      body: {
        rules: [
          { topic: 'education', minSeverity: 'major', units: ['hn-edu'], priority: 20 },
          { units: ['hn-press-office'], leadUnit: 'hn-press-office' },
        ],
      },
    });
    expect(replaced.status).toBe(200);
    expect(await routes()).toEqual(replaced.body.items);
    expect(replaced.body.items).toMatchObject([
      { topic: 'education', minSeverity: 'major', units: ['hn-edu'], leadUnit: null, priority: 20 },
      { topic: null, minSeverity: null, units: ['hn-press-office'], leadUnit: 'hn-press-office', priority: 0 },
    ]);
  });
});

describe("Liuzhou's public-opinion response (O1–O5) from intake to release", () => {
  let id: string;
  const view = async () => (await e2e.http('GET', `/api/incidents/${id}`, { token: await token('weili') })).body;
  const firstRelease = async () =>
    ((await view()).clocks as Array<Record<string, unknown>>).find((c) => c.clockId === 'first-release')!;
  const openTasks = async () =>
    (
      (await e2e.http('GET', `/api/requests/${id}`, { token: await token('admin') })).body.tasks as Array<{
        id: string;
        elementId: string;
        status: string;
        candidates: string[];
      }>
    ).filter((t) => t.status === 'open');
  const decide = async (taskId: string, username: string, data?: Record<string, unknown>) => {
    const res = await e2e.http('POST', `/api/tasks/${taskId}/decision`, {
      token: await token(username),
      body: { action: 'approve', ...(data ? { data } : {}) },
    });
    expect(res.status).toBe(200);
  };

  it('opens with the clocks counting from when the event was known (O2: 48 h for a general item)', async () => {
    const knownAt = new Date(Date.now() - 10 * MINUTE).toISOString();
    const res = await intake({ sourceId: 'flow-1', summary: '网传某路口发生交通事故', knownAt });
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(await firstRelease()).toMatchObject({
      status: 'running',
      windowMs: 48 * HOUR,
      startedAt: new Date(knownAt).toISOString(),
      overdue: false,
    });
    expect((await firstRelease()).remainingMs).toBeGreaterThan(47 * HOUR);
  });

  it('is re-assessed by the press office alone: an upgrade to major shortens the window to 1 h', async () => {
    expectProblem(
      await e2e.http('POST', `/api/incidents/${id}/severity`, {
        token: await token('lutao'),
        body: { severity: 'major' },
      }),
      403,
      'FORBIDDEN',
    );
    const res = await e2e.http('POST', `/api/incidents/${id}/severity`, {
      token: await token('weili'),
      body: { severity: 'major', reason: '伤亡情况待核实，舆情升温' },
    });
    expect(res.status).toBe(200);
    expect(res.body.severity).toBe('major');
    expect(await firstRelease()).toMatchObject({ status: 'running', windowMs: HOUR, severity: 'major' });
    expectProblem(
      await e2e.http('POST', `/api/incidents/${id}/severity`, {
        token: await token('weili'),
        body: { severity: 'major' },
      }),
      409,
      'SEVERITY_UNCHANGED',
    );
  });

  it('is handed over by the responsible unit to the unit whose duty it is', async () => {
    const [assess] = await openTasks();
    expect(assess).toMatchObject({ elementId: 'assess' });
    await decide(assess!.id, 'weili');
    const [respond] = await openTasks();
    expect(respond).toMatchObject({ elementId: 'respond', candidates: ['lutao'] });

    expectProblem(
      await e2e.http('POST', `/api/incidents/${id}/handover`, {
        token: await token('lutao'),
        body: { to: 'nb-health' },
      }),
      422,
      'HANDOVER_INVALID',
    );
    const res = await e2e.http('POST', `/api/incidents/${id}/handover`, {
      token: await token('lutao'),
      body: { to: 'lz-health', reason: '涉及伤员救治，属卫健委职责' },
    });
    expect(res.status).toBe(200);
    // lutao's unit, asked at intake, still sees what became of it.
    expect(res.body).toMatchObject({ orgCode: 'lz-health', units: ['lz-health'] });
    expect((await openTasks()).map((t) => [t.elementId, t.candidates])).toEqual([['respond', ['zengli']]]);
  });

  it('is released after the five checks, meeting its first-release clock', async () => {
    const data: Record<string, Record<string, unknown>> = {
      respond: { draft: '卫健委：伤员已送医救治' },
      agree: { release: '关于某路口交通事故的情况通报' },
      follow: { next: 'close' },
    };
    for (let i = 0; i < 20 && (await view()).status === 'running'; i++) {
      const [task] = await openTasks();
      await decide(task!.id, task!.candidates[0]!, data[task!.elementId]);
    }
    const incident = await view();
    expect(incident).toMatchObject({ status: 'completed', outcome: 'approved', orgCode: 'lz-health' });
    expect(await firstRelease()).toMatchObject({ status: 'met', metBy: 'release', late: false });
    expect(incident.releases.map((r: { channel: string }) => r.channel)).toEqual([
      'liuzhou-gov-weibo',
      'liuzhou-gov-site',
    ]);
  });

  it('shows in the accountability report, as JSON and as CSV (O5, U3)', async () => {
    const mengqiang = await token('mengqiang');
    expectProblem(
      await e2e.http('GET', '/api/incidents/report?city=liuzhou', { token: await token('lutao') }),
      403,
      'FORBIDDEN',
    );
    const report = await e2e.http('GET', '/api/incidents/report?city=liuzhou', { token: mengqiang });
    expect(report.status).toBe(200);
    const row = report.body.incidents.find((i: { id: string }) => i.id === id);
    expect(row).toMatchObject({
      severity: 'major',
      unit: 'lz-health',
      firstRelease: { status: 'met', windowMs: HOUR },
    });
    expect(row.firstRelease.timeToReleaseMs).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(report.body.bySeverity.major).toBeGreaterThanOrEqual(2);

    const csv = await e2e.http('GET', '/api/incidents/report?city=liuzhou&format=csv', { token: mengqiang });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (csv.body as string)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^incident,city,severity,unit,known_at,summary,first_release_status,/);
    expect(lines.find((l) => l.startsWith(`${id},`))).toMatch(/,major,lz-health,.*,met,60,/);
  });
});
