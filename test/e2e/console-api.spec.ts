// e2e: what the web console reads besides the task API: the console itself at `/` (offline: its
// own files only), the login page's configuration and demo users, the inbox summary it polls, the
// 抄送我 / 我发起的 lists, a chain's start form as JSON Schema, and the request's own actions.
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';

const H3 = 'huludao-government-conference';
let e2e: E2E;
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));
const conferenceDate = () => bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date;

async function start(title: string): Promise<string> {
  const res = await e2e.http('POST', '/api/requests', {
    token: await token('sunli'),
    body: { processKey: H3, title, conferenceDate: conferenceDate() },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const summary = async (username: string) =>
  (await e2e.http('GET', '/api/tasks/summary', { token: await token(username) })).body;

beforeAll(async () => {
  e2e = await startE2E();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('console API', () => {
  it('serves the console at / with a policy that allows only its own files', async () => {
    const res = await fetch(`${e2e.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN">');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    // Every asset the page names is served by the app itself.
    const assets = [...html.matchAll(/(?:href|src)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(5);
    for (const asset of assets)
      expect({ asset, status: (await fetch(`${e2e.url}${asset}`)).status }).toEqual({ asset, status: 200 });
    // The API stays under /api: an unknown API path is a problem, not the console.
    const missing = await fetch(`${e2e.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });

  it('tells the login page how to sign in and lists the demo users with their org', async () => {
    expect((await e2e.http('GET', '/api/auth/config')).body).toEqual({ mode: 'dev' });
    const users = await e2e.http('GET', '/api/auth/dev-users');
    expect(users.status).toBe(200);
    expect(users.body.items).toContainEqual(
      expect.objectContaining({ username: 'sunli', orgCode: 'hld-edu', orgName: '葫芦岛市教育局', city: 'huludao' }),
    );
  });

  it('counts the tabs and moves the digest when a task arrives or leaves', async () => {
    const before = await summary('wangfang');
    const id = await start('摘要');
    // The draft is sunli's; wangfang's inbox has not changed yet.
    expect((await summary('wangfang')).digest).toBe(before.digest);
    const sunliBefore = await summary('sunli');
    expect(sunliBefore).toMatchObject({ open: expect.any(Number), started: expect.any(Number) });
    const decided = await e2e.http('POST', `/api/tasks/${id}.draft.1/decision`, {
      token: await token('sunli'),
      body: { action: 'approve' },
    });
    expect(decided.status).toBe(200);
    const after = await summary('wangfang');
    expect(after.open).toBe(before.open + 1);
    expect(after.digest).not.toBe(before.digest);
    const sunliAfter = await summary('sunli');
    expect(sunliAfter.open).toBe(sunliBefore.open - 1);
    expect(sunliAfter.done).toBe(sunliBefore.done + 1);
    expect(sunliAfter.digest).not.toBe(sunliBefore.digest);
  });

  it('lists 我发起的 and 抄送我, newest first, with cursors', async () => {
    const first = await start('列表一');
    const second = await start('列表二');
    const cc = await e2e.http('POST', `/api/requests/${second}/cc`, {
      token: await token('sunli'),
      body: { to: ['lijun'] },
    });
    expect(cc.status).toBe(200);

    const page1 = await e2e.http('GET', '/api/requests?scope=started&limit=1', { token: await token('sunli') });
    expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual([second]);
    const page2 = await e2e.http('GET', `/api/requests?scope=started&limit=1&cursor=${page1.body.nextCursor}`, {
      token: await token('sunli'),
    });
    expect(page2.body.items.map((r: { id: string }) => r.id)).toEqual([first]);

    const copied = await e2e.http('GET', '/api/requests?scope=cc', { token: await token('lijun') });
    expect(copied.body.items.map((r: { id: string }) => r.id)).toEqual([second]);
    expect((await summary('lijun')).cc).toBe(1);

    const all = await e2e.http('GET', '/api/requests?scope=all', { token: await token('sunli') });
    expect(all.status).toBe(403);
    expect(all.body).toMatchObject({ code: 'FORBIDDEN', errors: [{ path: 'scope' }] });
    const bad = await e2e.http('GET', '/api/requests?cursor=nonsense', { token: await token('sunli') });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'cursor' }] });
  });

  it('gives each chain its start form as JSON Schema from the chain’s own declarations', async () => {
    const h3 = await e2e.http('GET', `/api/processes/${H3}/form`, { token: await token('sunli') });
    expect(h3.status).toBe(200);
    expect(h3.body).toMatchObject({ key: H3, conferenceRequired: true, recurring: false });
    expect(h3.body.schema.required).toEqual(expect.arrayContaining(['title', 'conferenceDate']));
    expect(h3.body.schema.properties.conferenceDate).toMatchObject({ title: '发布会日期', format: 'date' });

    // O1: an incident chain declares its own variables; they are typed in the form.
    const opinion = await e2e.http('GET', '/api/processes/liuzhou-opinion-response/form', {
      token: await token('sunli'),
    });
    const variables = opinion.body.schema.properties.variables.properties as Record<
      string,
      { type?: string; enum?: string[] }
    >;
    expect(Object.keys(variables).length).toBeGreaterThan(0);
    expect(Object.values(variables).some((v) => v.enum || v.type === 'array' || v.type === 'boolean')).toBe(true);
    expect(opinion.body.conferenceRequired).toBe(false);

    const recurring = await e2e.http('GET', '/api/processes/ningbo-topic-meeting/form', {
      token: await token('sunli'),
    });
    expect(recurring.body.recurring).toBe(true);
    const missing = await e2e.http('GET', '/api/processes/no-such-chain/form', { token: await token('sunli') });
    expect(missing.status).toBe(404);
  });

  it('offers withdraw to the applicant until someone else decides, and cc to those the chain asked', async () => {
    const id = await start('撤回');
    const asSunli = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(asSunli.body.allowedActions).toEqual(['withdraw', 'cc']);
    await e2e.http('POST', `/api/tasks/${id}.draft.1/decision`, {
      token: await token('sunli'),
      body: { action: 'approve' },
    });
    const asWangfang = await e2e.http('GET', `/api/requests/${id}`, { token: await token('wangfang') });
    expect(asWangfang.body.allowedActions).toEqual(['cc']);
    await e2e.http('POST', `/api/tasks/${id}.guidance.1/decision`, {
      token: await token('wangfang'),
      body: { action: 'approve' },
    });
    const later = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(later.body.allowedActions).toEqual(['cc']);
    // What the list says matches what the chain does: the withdraw is now refused.
    const withdraw = await e2e.http('POST', `/api/requests/${id}/withdraw`, { token: await token('sunli'), body: {} });
    expect(withdraw.body.code).toBe('WITHDRAW_NOT_ALLOWED');
  });
});
