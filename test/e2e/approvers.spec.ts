// e2e: who may see and do what to a task, as a table (every role × task state × action → status),
// then 加签/减签 and cover while away (proxies), all over HTTP on a Huainan conference (U1): the
// applicant's step, the press office's review (duyue), the deputy secretary-general (tanglin).
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';

const U1 = 'huainan-conference';
let e2e: E2E;
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));
const conferenceDate = () => bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date;

interface TaskRow {
  id: string;
  elementId: string;
  status: string;
  candidates: string[];
  addedFor: string | null;
}

async function submit(): Promise<string> {
  const res = await e2e.http('POST', '/api/requests', {
    token: await token('cuili'),
    body: {
      processKey: U1,
      title: '全市教育工作新闻发布会',
      conferenceDate: conferenceDate(),
      variables: { cityWide: true },
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function tasksOf(requestId: string): Promise<TaskRow[]> {
  const view = await e2e.http('GET', `/api/requests/${requestId}`, { token: await token('admin') });
  return view.body.tasks as TaskRow[];
}

async function openTask(requestId: string, elementId: string, addedFor: string | null = null): Promise<string> {
  const found = (await tasksOf(requestId)).filter(
    (t) => t.elementId === elementId && t.status === 'open' && (addedFor ? t.addedFor === addedFor : !t.addedFor),
  );
  expect(found).toHaveLength(1);
  return found[0]!.id;
}

async function call(username: string, method: string, path: string, body?: unknown) {
  return e2e.http(method, path, { token: await token(username), ...(body !== undefined ? { body } : {}) });
}

async function ok(res: { status: number; body: unknown }) {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

beforeAll(async () => {
  e2e = await startE2E();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

// ─── the authorization matrix ─────────────────────────────────────────────────────────────────

type State = 'open' | 'delegated' | 'decided';
type Action = 'read' | 'approve' | 'transfer' | 'delegate' | 'claim' | 'resolve' | 'urge' | 'addSigner';
type Role = 'candidate' | 'delegate' | 'applicant' | 'copied' | 'colleague' | 'stranger' | 'operator';

/** Who plays each role on the press office's review of the request. */
const ACTOR: Record<Role, string> = {
  candidate: 'duyue', // the press officer the task resolved to
  delegate: 'xiaojun', // the office head; the task is delegated to him in the `delegated` state
  applicant: 'cuili', // applied; may read and urge, not decide
  copied: 'fengbo', // 抄送 by the applicant: read only
  colleague: 'tanglin', // decides a later step of the same request, not this one
  stranger: 'sunli', // another city's official
  operator: 'admin',
};

/**
 * A task the caller may not see is 404 whatever they try; a visible one refuses what is not theirs
 * with 403, and what its state forbids with 409 (or 422 for a delegate deciding instead of resolving).
 */
const MATRIX: Record<State, Record<Role, Record<Action, number>>> = {
  open: {
    candidate: {
      read: 200,
      approve: 200,
      transfer: 200,
      delegate: 200,
      claim: 200,
      resolve: 403,
      urge: 403,
      addSigner: 200,
    },
    delegate: {
      read: 404,
      approve: 404,
      transfer: 404,
      delegate: 404,
      claim: 404,
      resolve: 404,
      urge: 404,
      addSigner: 404,
    },
    applicant: {
      read: 200,
      approve: 403,
      transfer: 403,
      delegate: 403,
      claim: 403,
      resolve: 403,
      urge: 200,
      addSigner: 403,
    },
    copied: {
      read: 200,
      approve: 403,
      transfer: 403,
      delegate: 403,
      claim: 403,
      resolve: 403,
      urge: 403,
      addSigner: 403,
    },
    colleague: {
      read: 404,
      approve: 404,
      transfer: 404,
      delegate: 404,
      claim: 404,
      resolve: 404,
      urge: 404,
      addSigner: 404,
    },
    stranger: {
      read: 404,
      approve: 404,
      transfer: 404,
      delegate: 404,
      claim: 404,
      resolve: 404,
      urge: 404,
      addSigner: 404,
    },
    operator: {
      read: 200,
      approve: 403,
      transfer: 403,
      delegate: 403,
      claim: 403,
      resolve: 403,
      urge: 200,
      addSigner: 403,
    },
  },
  delegated: {
    candidate: {
      read: 200,
      approve: 409,
      transfer: 409,
      delegate: 409,
      claim: 409,
      resolve: 403,
      urge: 403,
      addSigner: 409,
    },
    delegate: {
      read: 200,
      approve: 422,
      transfer: 403,
      delegate: 403,
      claim: 403,
      resolve: 200,
      urge: 403,
      addSigner: 403,
    },
    applicant: {
      read: 200,
      approve: 403,
      transfer: 403,
      delegate: 403,
      claim: 403,
      resolve: 403,
      urge: 200,
      addSigner: 403,
    },
    copied: {
      read: 200,
      approve: 403,
      transfer: 403,
      delegate: 403,
      claim: 403,
      resolve: 403,
      urge: 403,
      addSigner: 403,
    },
    colleague: {
      read: 404,
      approve: 404,
      transfer: 404,
      delegate: 404,
      claim: 404,
      resolve: 404,
      urge: 404,
      addSigner: 404,
    },
    stranger: {
      read: 404,
      approve: 404,
      transfer: 404,
      delegate: 404,
      claim: 404,
      resolve: 404,
      urge: 404,
      addSigner: 404,
    },
    operator: {
      read: 200,
      approve: 403,
      transfer: 403,
      delegate: 403,
      claim: 403,
      resolve: 403,
      urge: 200,
      addSigner: 403,
    },
  },
  decided: {
    candidate: {
      read: 200,
      approve: 409,
      transfer: 409,
      delegate: 409,
      claim: 409,
      resolve: 409,
      urge: 409,
      addSigner: 409,
    },
    delegate: {
      read: 404,
      approve: 404,
      transfer: 404,
      delegate: 404,
      claim: 404,
      resolve: 404,
      urge: 404,
      addSigner: 404,
    },
    applicant: {
      read: 200,
      approve: 409,
      transfer: 409,
      delegate: 409,
      claim: 409,
      resolve: 409,
      urge: 409,
      addSigner: 409,
    },
    copied: {
      read: 200,
      approve: 409,
      transfer: 409,
      delegate: 409,
      claim: 409,
      resolve: 409,
      urge: 409,
      addSigner: 409,
    },
    colleague: {
      read: 404,
      approve: 404,
      transfer: 404,
      delegate: 404,
      claim: 404,
      resolve: 404,
      urge: 404,
      addSigner: 404,
    },
    stranger: {
      read: 404,
      approve: 404,
      transfer: 404,
      delegate: 404,
      claim: 404,
      resolve: 404,
      urge: 404,
      addSigner: 404,
    },
    operator: {
      read: 200,
      approve: 409,
      transfer: 409,
      delegate: 409,
      claim: 409,
      resolve: 409,
      urge: 409,
      addSigner: 409,
    },
  },
};

/** A request whose review task is in the given state, with fengbo copied in. Returns the task id. */
async function fixture(state: State): Promise<{ requestId: string; taskId: string }> {
  const requestId = await submit();
  await ok(
    await call('cuili', 'POST', `/api/tasks/${await openTask(requestId, 'apply')}/decision`, { action: 'approve' }),
  );
  await ok(await call('cuili', 'POST', `/api/requests/${requestId}/cc`, { to: ['fengbo'] }));
  const taskId = await openTask(requestId, 'review-press-office');
  if (state === 'delegated') await ok(await call('duyue', 'POST', `/api/tasks/${taskId}/delegate`, { to: 'xiaojun' }));
  if (state === 'decided')
    await ok(await call('duyue', 'POST', `/api/tasks/${taskId}/decision`, { action: 'approve' }));
  return { requestId, taskId };
}

function attempt(username: string, action: Action, taskId: string) {
  const path = `/api/tasks/${taskId}`;
  switch (action) {
    case 'read':
      return call(username, 'GET', path);
    case 'approve':
      return call(username, 'POST', `${path}/decision`, { action: 'approve' });
    case 'transfer':
      return call(username, 'POST', `${path}/transfer`, { to: 'xiaojun' });
    case 'delegate':
      return call(username, 'POST', `${path}/delegate`, { to: 'xiaojun' });
    case 'claim':
      return call(username, 'POST', `${path}/claim`);
    case 'resolve':
      return call(username, 'POST', `${path}/resolve`, { comment: '材料已核' });
    case 'urge':
      return call(username, 'POST', `${path}/urge`);
    case 'addSigner':
      return call(username, 'POST', `${path}/signers`, { to: 'fengbo', mode: 'before' });
  }
}

/** What a refusal must leave as it was: the request's tasks and its trail. */
async function snapshot(requestId: string) {
  const view = await e2e.http('GET', `/api/requests/${requestId}`, { token: await token('admin') });
  return { tasks: view.body.tasks, history: view.body.history.length };
}

describe('authorization matrix', () => {
  for (const state of Object.keys(MATRIX) as State[]) {
    it(`a task ${state}: every role × action answers as the table says, and a refusal changes nothing`, async () => {
      const shared = await fixture(state);
      const before = await snapshot(shared.requestId);
      const seen: string[] = [];
      const expected: string[] = [];
      for (const [role, actions] of Object.entries(MATRIX[state]) as Array<[Role, Record<Action, number>]>) {
        for (const [action, status] of Object.entries(actions) as Array<[Action, number]>) {
          // An allowed change gets a request of its own; reads and refusals share one.
          const target = status === 200 && action !== 'read' ? await fixture(state) : shared;
          const res = await attempt(ACTOR[role], action, target.taskId);
          seen.push(`${role} ${action} → ${res.status}`);
          expected.push(`${role} ${action} → ${status}`);
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
            expect(typeof res.body.code).toBe('string');
          }
        }
      }
      expect(seen).toEqual(expected);
      expect(await snapshot(shared.requestId)).toEqual(before);
    }, 120_000);
  }

  it('keeps tasks out of the inbox of anyone who may only read them', async () => {
    const { taskId } = await fixture('open');
    for (const username of ['cuili', 'fengbo', 'sunli']) {
      const inbox = await call(username, 'GET', '/api/tasks?limit=100');
      expect(inbox.body.items.map((t: { id: string }) => t.id)).not.toContain(taskId);
    }
    const candidate = await call('duyue', 'GET', '/api/tasks?limit=100');
    expect(candidate.body.items.map((t: { id: string }) => t.id)).toContain(taskId);
  });
});

describe('已办 (done)', () => {
  it('lists the tasks I decided, the latest first, page by page; not the ones I only could have', async () => {
    const first = await fixture('decided');
    const second = await fixture('decided');
    const open = await fixture('open');
    const page1 = await call('duyue', 'GET', '/api/tasks?status=done&limit=1');
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((t: { id: string }) => t.id)).toEqual([second.taskId]);
    expect(page1.body.items[0]).toMatchObject({ decision: 'approve', decidedBy: 'duyue', status: 'completed' });
    const page2 = await call('duyue', 'GET', `/api/tasks?status=done&limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((t: { id: string }) => t.id)).toEqual([first.taskId]);
    const all = await call('duyue', 'GET', '/api/tasks?status=done&limit=200');
    expect(all.body.items.map((t: { id: string }) => t.id)).not.toContain(open.taskId);
    expect((await call('fengbo', 'GET', '/api/tasks?status=done')).body.items).toEqual([]);
    expect((await call('duyue', 'GET', '/api/tasks?status=closed')).status).toBe(400);
  });
});

// ─── 加签 and 减签 ──────────────────────────────────────────────────────────────────────────────

describe('加签 and 减签 over HTTP', () => {
  it('adds a signer before: the holder decides once they approved; the added signer sees it in their inbox', async () => {
    const { requestId, taskId } = await fixture('open');
    const added = await call('duyue', 'POST', `/api/tasks/${taskId}/signers`, {
      to: 'xiaojun',
      mode: 'before',
      comment: '请主任先把关',
    });
    expect(added.status).toBe(200);
    expect(added.body.blockedBy).toEqual(expect.any(String));
    expect(added.body.allowedActions).not.toContain('approve');
    expect(added.body.allowedActions).toContain('removeSigner');

    const blocked = await call('duyue', 'POST', `/api/tasks/${taskId}/decision`, { action: 'approve' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.code).toBe('TASK_BLOCKED');

    const signerTask = await openTask(requestId, 'review-press-office', taskId);
    const inbox = await call('xiaojun', 'GET', '/api/tasks?limit=100');
    expect(inbox.body.items.map((t: { id: string }) => t.id)).toContain(signerTask);
    const view = await call('xiaojun', 'GET', `/api/tasks/${signerTask}`);
    expect(view.body).toMatchObject({ addedFor: taskId, addMode: 'before', addedBy: 'duyue', candidates: ['xiaojun'] });
    expect(view.body.allowedActions).toEqual(expect.arrayContaining(['approve', 'reject']));
    expect(view.body.allowedActions).not.toContain('return');

    await ok(
      await call('xiaojun', 'POST', `/api/tasks/${signerTask}/decision`, { action: 'approve', comment: '同意' }),
    );
    await ok(await call('duyue', 'POST', `/api/tasks/${taskId}/decision`, { action: 'approve' }));
    expect(await openTask(requestId, 'approve-deputy-secretary-general')).toEqual(expect.any(String));
  });

  it('adds a signer after, then takes it back (减签): the step moves on at once; only the one who added it may', async () => {
    const { requestId, taskId } = await fixture('open');
    await ok(await call('duyue', 'POST', `/api/tasks/${taskId}/signers`, { to: 'xiaojun', mode: 'after' }));
    await ok(await call('duyue', 'POST', `/api/tasks/${taskId}/decision`, { action: 'approve' }));
    const signerTask = await openTask(requestId, 'review-press-office', taskId);
    expect((await tasksOf(requestId)).filter((t) => t.elementId === 'approve-deputy-secretary-general')).toEqual([]);

    // The applicant sees the task but did not add the signer; an unknown signer is named at fault.
    const notYours = await call('cuili', 'DELETE', `/api/tasks/${taskId}/signers/xiaojun`);
    expect(notYours.status).toBe(422);
    expect(notYours.body).toMatchObject({ code: 'SIGNER_INVALID', errors: [{ path: 'to' }] });
    const before = await snapshot(requestId);
    const unknown = await call('duyue', 'POST', `/api/tasks/${taskId}/signers`, { to: 'nobody', mode: 'after' });
    expect(unknown.status).toBe(400);
    expect(await snapshot(requestId)).toEqual(before);

    const removed = await call('duyue', 'DELETE', `/api/tasks/${taskId}/signers/xiaojun`);
    expect(removed.status).toBe(200);
    const tasks = await tasksOf(requestId);
    expect(tasks.find((t) => t.id === signerTask)!.status).toBe('cancelled');
    expect(await openTask(requestId, 'approve-deputy-secretary-general')).toEqual(expect.any(String));
    const trail = await call('cuili', 'GET', `/api/requests/${requestId}/audit`);
    expect(
      trail.body.items
        .filter((e: { type: string }) => e.type.startsWith('task.signer'))
        .map((e: { type: string; actor: string; payload: { detail: unknown } }) => [e.type, e.actor, e.payload.detail]),
    ).toEqual([
      ['task.signerAdded', 'duyue', { to: 'xiaojun', mode: 'after' }],
      ['task.signerRemoved', 'duyue', { to: 'xiaojun', mode: 'after' }],
    ]);
  });

  it('a signer added in parallel who rejects rejects the request', async () => {
    const { requestId, taskId } = await fixture('open');
    await ok(await call('duyue', 'POST', `/api/tasks/${taskId}/signers`, { to: 'xiaojun', mode: 'parallel' }));
    await ok(await call('duyue', 'POST', `/api/tasks/${taskId}/decision`, { action: 'approve' }));
    const signerTask = await openTask(requestId, 'review-press-office', taskId);
    const rejected = await call('xiaojun', 'POST', `/api/tasks/${signerTask}/decision`, {
      action: 'reject',
      comment: '口径不妥',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'completed', outcome: 'rejected' });
  });
});

// ─── cover while away ─────────────────────────────────────────────────────────────────────────

describe('cover while away (proxies)', () => {
  const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

  it("sends a task opening in the period to the proxy's proxy (A→B→C), records it as theirs for the principal, and refuses a loop", async () => {
    const a = await call('duyue', 'POST', '/api/proxies', {
      proxy: 'xiaojun',
      startsAt: inHours(-1),
      endsAt: inHours(24),
      reason: '出差',
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ principal: 'duyue', proxy: 'xiaojun', active: true, processKey: null });
    const b = await call('xiaojun', 'POST', '/api/proxies', {
      proxy: 'fengbo',
      processKey: U1,
      startsAt: inHours(-1),
      endsAt: inHours(24),
    });
    expect(b.status).toBe(201);

    // fengbo → duyue would close duyue → xiaojun → fengbo → duyue.
    const before = await call('admin', 'GET', '/api/proxies?user=fengbo');
    const loop = await call('fengbo', 'POST', '/api/proxies', {
      proxy: 'duyue',
      startsAt: inHours(1),
      endsAt: inHours(2),
    });
    expect(loop.status).toBe(409);
    expect(loop.body).toMatchObject({ code: 'PROXY_LOOP', errors: [{ path: 'proxy' }] });
    expect(loop.body.detail).toContain('fengbo → duyue → xiaojun → fengbo');
    expect(await call('admin', 'GET', '/api/proxies?user=fengbo')).toMatchObject({ body: before.body });
    const overlap = await call('duyue', 'POST', '/api/proxies', {
      proxy: 'tanglin',
      startsAt: inHours(2),
      endsAt: inHours(3),
    });
    expect(overlap.status).toBe(409);
    expect(overlap.body.code).toBe('PROXY_CONFLICT');
    const forOther = await call('duyue', 'POST', '/api/proxies', {
      principal: 'xiaojun',
      proxy: 'tanglin',
      startsAt: inHours(30),
      endsAt: inHours(31),
    });
    expect(forOther.status).toBe(403);

    try {
      const { requestId, taskId } = await fixture('open');
      const task = await call('fengbo', 'GET', `/api/tasks/${taskId}`);
      expect(task.body).toMatchObject({ candidates: ['fengbo'], onBehalfOf: { fengbo: 'duyue' } });
      expect(task.body.allowedActions).toContain('approve');
      // The one away still sees the task that would have been theirs, and cannot act on it.
      expect((await call('duyue', 'GET', `/api/tasks/${taskId}`)).status).toBe(200);
      expect((await call('duyue', 'POST', `/api/tasks/${taskId}/decision`, { action: 'approve' })).status).toBe(403);

      await ok(await call('fengbo', 'POST', `/api/tasks/${taskId}/decision`, { action: 'approve', comment: '同意' }));
      const trail = await call('cuili', 'GET', `/api/requests/${requestId}/audit`);
      const decided = trail.body.items.filter((e: { type: string }) => e.type === 'task.decided');
      expect(decided.at(-1)).toMatchObject({ actor: 'fengbo', onBehalfOf: 'duyue', taskId });
    } finally {
      for (const id of [a.body.id, b.body.id]) await ok(await call('admin', 'DELETE', `/api/proxies/${id}`));
    }

    // Revoked, the next task is duyue's own again.
    const { taskId } = await fixture('open');
    expect((await call('duyue', 'GET', `/api/tasks/${taskId}`)).body).toMatchObject({
      candidates: ['duyue'],
      onBehalfOf: {},
    });
    const mine = await call('duyue', 'GET', '/api/proxies');
    expect(mine.body.items[0]).toMatchObject({ id: a.body.id, active: false, revokedAt: expect.any(String) });
  });
});
