// The org directory over HTTP: everyone signed in reads it, an administrator changes it. Orgs and
// users created and replaced idempotently, positions granted and resolved as a chain resolves a
// role, and refusals (not an admin, unknown position/org/user, an org or user still in use, the
// last administrator) that change nothing.
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';

let e2e: E2E;
let admin: string;
let sunli: string;

const ORG = {
  name: '葫芦岛市文化旅游和广播电视局',
  kind: 'department',
  city: 'huludao',
  parentCode: 'hld-gov',
} as const;
const USER = { displayName: '测试用户', orgCode: 'e2e-culture' } as const;

/** The directory tables as they are, to show a refused write changed nothing. */
async function snapshot() {
  const { rows } = await e2e.db.query<{ snapshot: unknown }>(
    `SELECT json_build_object(
       'orgs', (SELECT json_agg(o ORDER BY o.code) FROM orgs o),
       'users', (SELECT json_agg(u ORDER BY u.username) FROM users u),
       'positions', (SELECT json_agg(p ORDER BY p.username, p.position, p.org_code) FROM user_positions p)
     ) AS snapshot`,
  );
  return rows[0]!.snapshot;
}

beforeAll(async () => {
  e2e = await startE2E();
  [admin, sunli] = await Promise.all([e2e.login('admin'), e2e.login('sunli')]);
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('directory API', () => {
  it('lists the positions with what they mean', async () => {
    const res = await e2e.http('GET', '/api/directory/positions', { token: sunli });
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual({
      position: 'leader-in-charge',
      description: expect.stringMatching(/分管领导/),
    });
    const docs = await e2e.http('GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/directory/orgs/{code}/leaders',
        '/api/directory/users/{username}/positions/{position}/{orgCode}',
      ]),
    );
  });

  it('lets any signed-in user read orgs, users and who leads an org', async () => {
    const orgs = await e2e.http('GET', '/api/directory/orgs?city=huludao&kind=department&parent=hld-gov', {
      token: sunli,
    });
    expect(orgs.status).toBe(200);
    expect(orgs.body.items.map((o: { code: string }) => o.code)).toEqual(['hld-edu', 'hld-health']);
    expect(orgs.body.nextCursor).toBeNull();

    const edu = await e2e.http('GET', '/api/directory/orgs/hld-edu', { token: sunli });
    expect(edu.body).toEqual({
      code: 'hld-edu',
      name: '葫芦岛市教育局',
      kind: 'department',
      city: 'huludao',
      parentCode: 'hld-gov',
    });

    const leaders = await e2e.http('GET', '/api/directory/orgs/hld-edu/leaders', { token: sunli });
    expect(leaders.status).toBe(200);
    const holders = Object.fromEntries(
      leaders.body.positions.map((p: { position: string; holders: Array<{ username: string }> }) => [
        p.position,
        p.holders.map((h) => h.username),
      ]),
    );
    expect(holders).toMatchObject({ 'main-leader': ['chenming'], 'leader-in-charge': ['liuqiang'] });

    const liuqiang = await e2e.http('GET', '/api/directory/users/liuqiang', { token: sunli });
    expect(liuqiang.body).toMatchObject({ username: 'liuqiang', isAdmin: false, orgCode: 'hld-gov' });
    expect(liuqiang.body.positions).toEqual(
      expect.arrayContaining([
        { position: 'leader-in-charge', orgCode: 'hld-edu' },
        { position: 'leader-in-charge', orgCode: 'hld-health' },
      ]),
    );

    expect((await e2e.http('GET', '/api/directory/orgs/no-such-org', { token: sunli })).body.code).toBe(
      'ORG_NOT_FOUND',
    );
    expect((await e2e.http('GET', '/api/directory/users/nobody', { token: sunli })).body.code).toBe('USER_NOT_FOUND');
    expect((await e2e.http('GET', '/api/directory/orgs')).status).toBe(401);
  });

  it('pages users by username, and finds them by name', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ username: string }>; nextCursor: string | null } } =
        await e2e.http('GET', `/api/directory/users?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: sunli });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.items.map((u) => u.username));
      cursor = page.body.nextCursor;
    } while (cursor);
    const { rows } = await e2e.db.query<{ username: string }>('SELECT username FROM users ORDER BY username');
    expect(seen).toEqual(rows.map((r) => r.username));

    const byName = await e2e.http('GET', `/api/directory/users?q=${encodeURIComponent('孙')}`, { token: sunli });
    expect(byName.body.items.map((u: { username: string }) => u.username)).toEqual(['sunli']);

    const bad = await e2e.http('GET', '/api/directory/users?cursor=not-ours!', { token: sunli });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'cursor' }] });
  });

  it('creates an org, a user and a position, idempotently, and resolves the position as a chain would', async () => {
    const created = await e2e.http('PUT', '/api/directory/orgs/e2e-culture', { token: admin, body: ORG });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ code: 'e2e-culture', ...ORG });
    const again = await e2e.http('PUT', '/api/directory/orgs/e2e-culture', { token: admin, body: ORG });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);

    expect((await e2e.http('PUT', '/api/directory/users/e2e-leader', { token: admin, body: USER })).status).toBe(201);
    const user = await e2e.http('PUT', '/api/directory/users/e2e-leader', { token: admin, body: USER });
    expect(user.status).toBe(200);
    expect(user.body).toEqual({ username: 'e2e-leader', ...USER, isAdmin: false, positions: [] });

    const path = '/api/directory/users/e2e-leader/positions/leader-in-charge/e2e-culture';
    const granted = await e2e.http('PUT', path, { token: admin });
    expect(granted.status).toBe(201);
    expect(granted.body.positions).toEqual([{ position: 'leader-in-charge', orgCode: 'e2e-culture' }]);
    expect((await e2e.http('PUT', path, { token: admin })).status).toBe(200);

    const resolved = await e2e.http('GET', '/api/directory/users?position=leader-in-charge&org=e2e-culture', {
      token: sunli,
    });
    expect(resolved.body.items.map((u: { username: string }) => u.username)).toEqual(['e2e-leader']);
    const members = await e2e.http('GET', '/api/directory/users?org=e2e-culture', { token: sunli });
    expect(members.body.items.map((u: { username: string }) => u.username)).toEqual(['e2e-leader']);
    const leaders = await e2e.http('GET', '/api/directory/orgs/e2e-culture/leaders', { token: sunli });
    expect(leaders.body.positions).toEqual([
      {
        position: 'leader-in-charge',
        description: expect.any(String),
        holders: [{ username: 'e2e-leader', displayName: '测试用户' }],
      },
    ]);
    // Under the city government, with its other departments.
    const children = await e2e.http('GET', '/api/directory/orgs?parent=hld-gov&kind=department', { token: sunli });
    expect(children.body.items.map((o: { code: string }) => o.code)).toContain('e2e-culture');
  });

  it('refuses every write from someone who is not an administrator, changing nothing', async () => {
    const before = await snapshot();
    const writes: Array<[string, string, unknown?]> = [
      ['PUT', '/api/directory/orgs/e2e-culture', { ...ORG, name: '改名' }],
      ['PUT', '/api/directory/orgs/e2e-other', ORG],
      ['DELETE', '/api/directory/orgs/hld-suizhong-propaganda'],
      ['PUT', '/api/directory/users/sunli', { displayName: '孙丽', orgCode: 'hld-edu', isAdmin: true }],
      ['DELETE', '/api/directory/users/e2e-leader'],
      ['PUT', '/api/directory/users/sunli/positions/main-leader/hld-edu'],
      ['DELETE', '/api/directory/users/e2e-leader/positions/leader-in-charge/e2e-culture'],
    ];
    for (const [method, path, body] of writes) {
      const res = await e2e.http(method, path, { token: sunli, body });
      expect({ method, path, status: res.status, code: res.body.code }).toEqual({
        method,
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an unknown position, org or user with 422 naming each one, granting nothing', async () => {
    const before = await snapshot();
    const position = await e2e.http('PUT', '/api/directory/users/e2e-leader/positions/emperor/e2e-culture', {
      token: admin,
    });
    expect(position.status).toBe(422);
    expect(position.body).toMatchObject({ code: 'DIRECTORY_INVALID', errors: [{ path: 'position' }] });

    const all = await e2e.http('PUT', '/api/directory/users/nobody/positions/emperor/no-such-org', { token: admin });
    expect(all.status).toBe(422);
    expect(all.body.errors.map((e: { path: string }) => e.path)).toEqual(['position', 'orgCode', 'username']);

    const userOrg = await e2e.http('PUT', '/api/directory/users/e2e-ghost', {
      token: admin,
      body: { ...USER, orgCode: 'no-such-org' },
    });
    expect(userOrg.status).toBe(422);
    expect(userOrg.body).toMatchObject({ code: 'DIRECTORY_INVALID', errors: [{ path: 'orgCode' }] });

    const parent = await e2e.http('PUT', '/api/directory/orgs/e2e-ghost', {
      token: admin,
      body: { ...ORG, parentCode: 'no-such-org' },
    });
    expect(parent.status).toBe(422);
    expect(parent.body).toMatchObject({ code: 'DIRECTORY_INVALID', errors: [{ path: 'parentCode' }] });

    // hld-gov under e2e-culture, which lies under hld-gov: a loop.
    const loop = await e2e.http('PUT', '/api/directory/orgs/hld-gov', {
      token: admin,
      body: { name: '葫芦岛市人民政府', kind: 'government', city: 'huludao', parentCode: 'e2e-culture' },
    });
    expect(loop.status).toBe(422);
    expect(loop.body).toMatchObject({ code: 'DIRECTORY_INVALID', errors: [{ path: 'parentCode' }] });

    const shape = await e2e.http('PUT', '/api/directory/orgs/e2e-ghost', {
      token: admin,
      body: { ...ORG, kind: 'ministry', extra: 1 },
    });
    expect(shape.status).toBe(400);
    expect(shape.body.code).toBe('VALIDATION_FAILED');
    expect(shape.body.errors.map((e: { path?: string }) => e.path)).toEqual(expect.arrayContaining(['kind']));

    const code = await e2e.http('PUT', '/api/directory/orgs/Bad%20Code', { token: admin, body: ORG });
    expect(code.status).toBe(400);
    expect(code.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'code' }] });

    expect(await snapshot()).toEqual(before);
  });

  it('refuses to delete an org or user still in use (409), then deletes them once free', async () => {
    const before = await snapshot();
    const org = await e2e.http('DELETE', '/api/directory/orgs/e2e-culture', { token: admin });
    expect(org.status).toBe(409);
    expect(org.body).toMatchObject({
      code: 'ORG_IN_USE',
      references: { users: 1, positions: 1, childOrgs: 0, runningRequests: 0 },
    });
    const parent = await e2e.http('DELETE', '/api/directory/orgs/hld-gov', { token: admin });
    expect(parent.status).toBe(409);
    expect(parent.body.references.childOrgs).toBeGreaterThan(0);

    const user = await e2e.http('DELETE', '/api/directory/users/e2e-leader', { token: admin });
    expect(user.status).toBe(409);
    expect(user.body).toMatchObject({ code: 'USER_IN_USE', references: { positions: 1 } });
    expect(await snapshot()).toEqual(before);

    const path = '/api/directory/users/e2e-leader/positions/leader-in-charge/e2e-culture';
    expect((await e2e.http('DELETE', path, { token: admin })).status).toBe(204);
    expect((await e2e.http('DELETE', path, { token: admin })).status).toBe(404);
    expect((await e2e.http('DELETE', '/api/directory/users/e2e-leader', { token: admin })).status).toBe(204);
    expect((await e2e.http('DELETE', '/api/directory/orgs/e2e-culture', { token: admin })).status).toBe(204);
    expect((await e2e.http('GET', '/api/directory/orgs/e2e-culture', { token: sunli })).status).toBe(404);
    expect((await e2e.http('DELETE', '/api/directory/users/e2e-leader', { token: admin })).status).toBe(404);
  });

  it('keeps a user with a running request, and their audit history once deleted', async () => {
    const body = { displayName: '临时起草人', orgCode: 'hld-edu' };
    expect((await e2e.http('PUT', '/api/directory/users/e2e-drafter', { token: admin, body })).status).toBe(201);
    const drafter = await e2e.login('e2e-drafter');
    const request = await e2e.http('POST', '/api/requests', {
      token: drafter,
      body: {
        processKey: 'huludao-government-conference',
        title: '目录测试发布会',
        conferenceDate: bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date,
      },
    });
    expect(request.status).toBe(201);

    const refused = await e2e.http('DELETE', '/api/directory/users/e2e-drafter', { token: admin });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'USER_IN_USE',
      references: { positions: 0, openTasks: 1, runningRequests: 1 },
    });

    const withdrawn = await e2e.http('POST', `/api/requests/${request.body.id}/withdraw`, { token: drafter, body: {} });
    expect(withdrawn.body).toMatchObject({ status: 'completed', outcome: 'withdrawn' });
    // The withdrawal answers once the chain's end is in the read model.
    expect((await e2e.http('DELETE', '/api/directory/users/e2e-drafter', { token: admin })).status).toBe(204);

    const audit = await e2e.http('GET', `/api/requests/${request.body.id}/audit`, { token: admin });
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('e2e-drafter');
    const verify = await e2e.http('GET', `/api/requests/${request.body.id}/audit/verify`, { token: admin });
    expect(verify.body.ok).toBe(true);
  });

  it('keeps at least one administrator', async () => {
    const before = await snapshot();
    const demote = await e2e.http('PUT', '/api/directory/users/admin', {
      token: admin,
      body: { displayName: '系统管理员', orgCode: 'hld-gov', isAdmin: false },
    });
    expect(demote.status).toBe(409);
    expect(demote.body).toMatchObject({ code: 'LAST_ADMIN', errors: [{ path: 'isAdmin' }] });
    const remove = await e2e.http('DELETE', '/api/directory/users/admin', { token: admin });
    expect(remove.body.code).toBe('LAST_ADMIN');
    expect(await snapshot()).toEqual(before);

    // A second administrator may then be demoted, and takes effect on the next request.
    const second = { displayName: '第二管理员', orgCode: 'hld-gov', isAdmin: true };
    expect((await e2e.http('PUT', '/api/directory/users/e2e-admin', { token: admin, body: second })).status).toBe(201);
    const token = await e2e.login('e2e-admin');
    expect((await e2e.http('PUT', '/api/directory/orgs/e2e-by-second', { token, body: ORG })).status).toBe(201);
    await e2e.http('PUT', '/api/directory/users/e2e-admin', { token: admin, body: { ...second, isAdmin: false } });
    expect((await e2e.http('DELETE', '/api/directory/orgs/e2e-by-second', { token })).status).toBe(403);
  });
});
