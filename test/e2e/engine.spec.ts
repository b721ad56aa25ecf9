// e2e: the BPMN engine through HTTP alone, on the real dev server, embedded Postgres and the app:
// a Huainan conference (U1) taking its city-wide branch, returned (退回) and approved in round 2;
// request variables checked against the chain; withdrawal, cancellation and messages; and BPMN
// uploads refused naming the element at fault, storing nothing.
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';

const U1 = 'huainan-conference';
let e2e: E2E;
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));

const conferenceDate = () => bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date;

async function submitU1(variables: Record<string, unknown> = { cityWide: true }) {
  const res = await e2e.http('POST', '/api/requests', {
    token: await token('cuili'),
    body: { processKey: U1, title: '全市教育工作新闻发布会', conferenceDate: conferenceDate(), variables },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; tasks: Array<{ id: string; elementId: string; status: string }> };
}

async function openTaskOf(requestId: string, elementId: string) {
  const view = await e2e.http('GET', `/api/requests/${requestId}`, { token: await token('admin') });
  const task = (view.body.tasks as Array<{ id: string; elementId: string; status: string }>).find(
    (t) => t.elementId === elementId && t.status === 'open',
  );
  expect(task).toBeDefined();
  return task!.id;
}

async function decide(
  username: string,
  requestId: string,
  elementId: string,
  body: Record<string, unknown> = { action: 'approve' },
) {
  const taskId = await openTaskOf(requestId, elementId);
  return e2e.http('POST', `/api/tasks/${taskId}/decision`, { token: await token(username), body });
}

beforeAll(async () => {
  e2e = await startE2E();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('U1 over HTTP', () => {
  it('takes the city-wide branch, is returned to the press office, and is approved in round 2', async () => {
    const { id } = await submitU1();
    expect((await decide('cuili', id, 'apply')).status).toBe(200);
    expect((await decide('duyue', id, 'review-press-office')).status).toBe(200);

    // U1.3: a city-wide item goes to the deputy secretary-general in charge, who may send it back.
    const taskId = await openTaskOf(id, 'approve-deputy-secretary-general');
    const task = await e2e.http('GET', `/api/tasks/${taskId}`, { token: await token('tanglin') });
    expect(task.status).toBe(200);
    expect(task.body.returnTargets).toEqual(['apply', 'review-press-office']);
    expect(task.body.allowedActions).toEqual([
      'approve',
      'reject',
      'return',
      'transfer',
      'delegate',
      'claim',
      'addSigner',
    ]);
    expect(task.body.request).toMatchObject({
      id,
      processKey: U1,
      initiator: 'cuili',
      stage: 'approve-deputy-secretary-general',
    });
    expect(task.body.history.map((h: { type: string }) => h.type)).toEqual(['task.opened']);
    const asOperator = await e2e.http('GET', `/api/tasks/${taskId}`, { token: await token('admin') });
    expect(asOperator.body.allowedActions).toEqual(['urge']);

    const wrongTarget = await e2e.http('POST', `/api/tasks/${taskId}/decision`, {
      token: await token('tanglin'),
      body: { action: 'return', returnTo: 'approve-deputy-secretary-general' },
    });
    expect(wrongTarget.status).toBe(422);
    expect(wrongTarget.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(wrongTarget.body).toMatchObject({ code: 'RETURN_TARGET_INVALID', errors: [{ path: 'returnTo' }] });

    const returned = await e2e.http('POST', `/api/tasks/${taskId}/decision`, {
      token: await token('tanglin'),
      body: { action: 'return', returnTo: 'review-press-office', comment: '请补充政策解读口径' },
    });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ action: 'return', status: 'running' });

    expect((await decide('duyue', id, 'review-press-office')).status).toBe(200);
    expect((await decide('tanglin', id, 'approve-deputy-secretary-general')).status).toBe(200);

    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('cuili') });
    expect(view.body).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      round: 2,
      variables: { cityWide: true },
    });
    const steps = (
      view.body.tasks as Array<{ elementId: string; round: number; decision: string; returnTo: string | null }>
    ).map((t) => [t.elementId, t.round, t.decision, t.returnTo]);
    expect(steps).toEqual([
      ['apply', 1, 'approve', null],
      ['review-press-office', 1, 'approve', null],
      ['approve-deputy-secretary-general', 1, 'return', 'review-press-office'],
      ['review-press-office', 2, 'approve', null],
      ['approve-deputy-secretary-general', 2, 'approve', null],
    ]);
    const types = (view.body.history as Array<{ type: string }>).map((h) => h.type);
    expect(types).toContain('round.started');
    expect(types).toContain('gateway.taken');
  });

  it('skips the deputy secretary-general when the item is not city-wide (the declared default)', async () => {
    const { id } = await submitU1({});
    await decide('cuili', id, 'apply');
    await decide('duyue', id, 'review-press-office');
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('cuili') });
    expect(view.body).toMatchObject({ outcome: 'approved', variables: { cityWide: false } });
  });

  it('follows a changed variable at the next gateway, and refuses one that does not fit (H6 change)', async () => {
    const { id } = await submitU1({});
    await decide('cuili', id, 'apply');
    const change = (body: Record<string, unknown>, username = 'cuili') =>
      token(username).then((t) => e2e.http('POST', `/api/requests/${id}/change`, { token: t, body }));
    expect((await change({ variables: { cityWide: 'yes' } })).body).toMatchObject({
      code: 'VARIABLES_INVALID',
      errors: [{ path: 'variables.cityWide', message: 'must be a boolean' }],
    });
    expect((await change({ variables: { cityWide: true } }, 'duyue')).status).toBe(403);
    const changed = await change({ variables: { cityWide: true }, reason: '升级为全市性发布' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ variables: { cityWide: true }, round: 1 });
    expect(changed.body.history.at(-1)).toMatchObject({
      type: 'request.changed',
      actor: 'cuili',
      payload: { detail: { changes: { variables: { to: { cityWide: true } } }, reason: '升级为全市性发布' } },
    });
    await decide('duyue', id, 'review-press-office');
    expect(await openTaskOf(id, 'approve-deputy-secretary-general')).toBeDefined();
    await decide('tanglin', id, 'approve-deputy-secretary-general');
  });

  it('refuses VARIABLES_INVALID naming each field when the variables do not fit the chain', async () => {
    const res = await e2e.http('POST', '/api/requests', {
      token: await token('panlei'),
      body: {
        processKey: 'ningbo-release-review',
        title: '交通运输政策解读',
        conferenceDate: conferenceDate(),
        variables: { cityWide: true },
      },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'VARIABLES_INVALID' });
    expect(res.body.errors).toEqual([
      { path: 'variables.cityWide', message: expect.stringContaining('declares no variable cityWide') },
      { path: 'variables.kind', message: expect.stringContaining('required') },
    ]);
    const wrongValue = await e2e.http('POST', '/api/requests', {
      token: await token('panlei'),
      body: { processKey: 'ningbo-release-review', title: 'x', variables: { kind: 'rumour' } },
    });
    expect(wrongValue.body.errors).toEqual([
      { path: 'variables.kind', message: 'must be one of spokesperson, department, major' },
    ]);
  });
});

describe('role policies over HTTP', () => {
  it('gives an unheld position to the escalation, passes a repeat signer (dedupe), and leaves an unassigned step for operators', async () => {
    const candidate = (position: string, org: string) => `<fabu:candidate position="${position}" org="${org}"/>`;
    const step = (id: string, children: string, attrs = '') =>
      `<bpmn:userTask id="${id}" name="${id}" ${attrs}><bpmn:extensionElements>${children}</bpmn:extensionElements></bpmn:userTask>`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:fabu="http://fabu.gov.cn/schema/bpmn/fabu" id="defs" targetNamespace="http://fabu.gov.cn/test">
  <bpmn:process id="county-policy-chain" name="县级角色策略测试" isExecutable="true" fabu:code="CP" fabu:dedupe="true">
    <bpmn:startEvent id="start"/>
    ${step('spokesperson-review', candidate('spokesperson', 'applicant') + '<fabu:escalation position="press-office-head" org="hld-party-publicity"/>', 'fabu:onEmpty="escalate"')}
    ${step('sign', candidate('main-leader', 'applicant'))}
    ${step('sign-again', candidate('main-leader', 'applicant'))}
    ${step('orphan', candidate('secretary-general', 'hld-gov'))}
    <bpmn:endEvent id="end" fabu:outcome="approved"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="spokesperson-review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="spokesperson-review" targetRef="sign"/>
    <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="sign-again"/>
    <bpmn:sequenceFlow id="f4" sourceRef="sign-again" targetRef="orphan"/>
    <bpmn:sequenceFlow id="f5" sourceRef="orphan" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`;
    expect((await e2e.http('POST', '/api/processes', { token: await token('admin'), body: { xml } })).status).toBe(201);
    const created = await e2e.http('POST', '/api/requests', {
      token: await token('hanxue'),
      body: { processKey: 'county-policy-chain', title: '绥中县政策吹风会', orgCode: 'hld-suizhong' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // 绥中县 has no spokesperson: the step goes to the 外宣办 head.
    expect(created.body.tasks).toEqual([
      expect.objectContaining({ elementId: 'spokesperson-review', candidates: ['songbin'] }),
    ]);
    expect(created.body.history.find((h: { type: string }) => h.type === 'task.opened').payload.detail).toMatchObject({
      escalated: 'no one holds the candidate positions',
    });

    await decide('songbin', id, 'spokesperson-review');
    await decide('guodong', id, 'sign');
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('admin') });
    const byElement = Object.fromEntries(
      (view.body.tasks as Array<{ elementId: string; status: string; decision: string; candidates: string[] }>).map(
        (t) => [t.elementId, t],
      ),
    );
    // guodong signed "sign": "sign-again" passed by itself (fabu:dedupe).
    expect(byElement['sign-again']).toMatchObject({ status: 'completed', decision: 'approve' });
    // Nobody is secretary-general of 葫芦岛 in the demo directory: open, unassigned, in the history.
    expect(byElement.orphan).toMatchObject({ status: 'open', candidates: [] });
    const types = (view.body.history as Array<{ type: string }>).map((h) => h.type);
    expect(types).toEqual(expect.arrayContaining(['task.skipped', 'task.unassigned']));
    expect(
      (await e2e.http('POST', `/api/requests/${id}/cancel`, { token: await token('admin'), body: {} })).status,
    ).toBe(200);
  });
});

describe('转办, 催办 and a 或签 race over HTTP', () => {
  it('lets exactly one of two approvers deciding the same 或签 at once win; the other gets 409 and nothing changes', async () => {
    const created = await e2e.http('POST', '/api/requests', {
      token: await token('panlei'),
      body: { processKey: 'ningbo-release-review', title: '交通政策解读（或签）', variables: { kind: 'department' } },
    });
    const tasks = created.body.tasks as Array<{ id: string; candidates: string[] }>;
    expect(tasks).toHaveLength(3);
    const [first, second] = tasks;
    const results = await Promise.all(
      [first!, second!].map(async (t) =>
        e2e.http('POST', `/api/tasks/${t.id}/decision`, {
          token: await token(t.candidates[0]!),
          body: { action: 'approve' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    // The winner's approval closed the step and, here the last one, the chain: either is the loser's answer.
    expect(['TASK_NOT_OPEN', 'PROCESS_COMPLETED']).toContain(results.find((r) => r.status === 409)!.body.code);
    const view = await e2e.http('GET', `/api/requests/${created.body.id}`, { token: await token('panlei') });
    expect(view.body.outcome).toBe('approved');
    expect(
      (view.body.tasks as Array<{ decision: string | null }>).filter((t) => t.decision === 'approve'),
    ).toHaveLength(1);
  });

  it('transfers a task to another official, whose inbox it moves to, and urges its holder at most once an hour', async () => {
    const { id } = await submitU1({});
    await decide('cuili', id, 'apply');
    const taskId = await openTaskOf(id, 'review-press-office');
    const transfer = async (username: string, body: Record<string, unknown>) =>
      e2e.http('POST', `/api/tasks/${taskId}/transfer`, { token: await token(username), body });
    const inbox = async (username: string) =>
      (
        (await e2e.http('GET', '/api/tasks?limit=200', { token: await token(username) })).body.items as Array<{
          id: string;
        }>
      ).map((t) => t.id);

    const urge = async (username: string) =>
      e2e.http('POST', `/api/tasks/${taskId}/urge`, { token: await token(username) });
    expect((await urge('cuili')).body).toEqual({ notified: ['duyue'] });
    expect((await urge('cuili')).status).toBe(429);
    expect((await urge('duyue')).status).toBe(403);

    expect((await transfer('duyue', { to: 'duyue' })).body.code).toBe('TRANSFER_INVALID');
    expect((await transfer('duyue', { to: 'nobody' })).body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'to' }],
    });
    expect((await transfer('cuili', { to: 'xiaojun' })).status).toBe(403);
    const moved = await transfer('duyue', { to: 'xiaojun', comment: '请主任审核' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: taskId, candidates: ['xiaojun'], status: 'open' });
    expect(await inbox('duyue')).not.toContain(taskId);
    expect(await inbox('xiaojun')).toContain(taskId);
    const refused = await e2e.http('POST', `/api/tasks/${taskId}/decision`, {
      token: await token('duyue'),
      body: { action: 'approve' },
    });
    // Handed over, the task is no longer duyue's to see.
    expect(refused.status).toBe(404);
    await decide('xiaojun', id, 'review-press-office');
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('cuili') });
    expect(view.body.outcome).toBe('approved');
    expect(view.body.history.find((h: { type: string }) => h.type === 'task.transferred')).toMatchObject({
      actor: 'duyue',
      payload: { detail: { from: ['duyue'], to: 'xiaojun' }, comment: '请主任审核' },
    });
  });
});

describe('inbox filters over HTTP', () => {
  it('narrows the inbox by chain, org, due time, overdue and provisional, and refuses a malformed filter', async () => {
    const date = conferenceDate();
    const ids: Record<string, string> = {};
    for (const processKey of ['huludao-government-conference', 'huludao-department-conference']) {
      const res = await e2e.http('POST', '/api/requests', {
        token: await token('sunli'),
        body: { processKey, title: `${processKey} 收件箱`, conferenceDate: date },
      });
      expect(res.status).toBe(201);
      ids[processKey] = res.body.id;
      await decide('sunli', res.body.id, 'draft');
    }
    const mine = async (query: string) => {
      const res = await e2e.http('GET', `/api/tasks?limit=200&${query}`, { token: await token('wangfang') });
      expect(res.status).toBe(200);
      return (res.body.items as Array<{ requestId: string }>)
        .map((t) => t.requestId)
        .filter((r) => Object.values(ids).includes(r));
    };
    expect((await mine('')).sort()).toEqual(Object.values(ids).sort());
    expect(await mine('processKey=huludao-department-conference')).toEqual([ids['huludao-department-conference']]);
    expect((await mine('orgCode=hld-edu')).sort()).toEqual(Object.values(ids).sort());
    expect(await mine('orgCode=hld-health')).toEqual([]);
    expect(await mine(`dueBefore=${encodeURIComponent('2000-01-01T00:00:00+08:00')}`)).toEqual([]);
    // H4's guidance has no due time (fabu:due): only H3's reply deadline (H1) is before any date.
    expect(await mine(`dueBefore=${encodeURIComponent('2099-01-01T00:00:00Z')}`)).toEqual([
      ids['huludao-government-conference'],
    ]);
    expect(await mine('overdue=true')).toEqual([]);
    expect((await mine('overdue=false&provisional=false')).sort()).toEqual(Object.values(ids).sort());

    const bad = await e2e.http('GET', '/api/tasks?overdue=maybe', { token: await token('wangfang') });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ path: 'overdue' })],
    });
    for (const id of Object.values(ids))
      await e2e.http('POST', `/api/requests/${id}/cancel`, { token: await token('admin'), body: {} });
  });
});

describe('claim over HTTP', () => {
  it("takes a shared task out of the other candidates' inboxes until it is unclaimed", async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:fabu="http://fabu.gov.cn/schema/bpmn/fabu" id="defs" targetNamespace="http://fabu.gov.cn/test">
  <bpmn:process id="claim-test-chain" name="认领测试" isExecutable="true" fabu:code="CL">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="sign" name="主要领导或分管领导审签"><bpmn:extensionElements>
      <fabu:candidate position="main-leader" org="applicant"/><fabu:candidate position="leader-in-charge" org="applicant"/>
    </bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end" fabu:outcome="approved"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`;
    expect((await e2e.http('POST', '/api/processes', { token: await token('admin'), body: { xml } })).status).toBe(201);
    const created = await e2e.http('POST', '/api/requests', {
      token: await token('sunli'),
      body: { processKey: 'claim-test-chain', title: '认领测试' },
    });
    const taskId = created.body.tasks[0].id as string;
    expect(created.body.tasks[0].candidates).toEqual(['chenming', 'liuqiang']);
    const post = async (username: string, action: string, body?: Record<string, unknown>) =>
      e2e.http('POST', `/api/tasks/${taskId}/${action}`, { token: await token(username), ...(body ? { body } : {}) });
    const sees = async (username: string) =>
      (
        (await e2e.http('GET', '/api/tasks?limit=200', { token: await token(username) })).body.items as Array<{
          id: string;
        }>
      ).some((t) => t.id === taskId);

    expect((await post('chenming', 'claim')).body).toMatchObject({ assignee: 'chenming' });
    expect(await sees('liuqiang')).toBe(false);
    expect(await sees('chenming')).toBe(true);
    expect((await post('liuqiang', 'claim')).body.code).toBe('TASK_CLAIMED');
    expect((await post('liuqiang', 'decision', { action: 'approve' })).body.code).toBe('TASK_CLAIMED');
    expect((await post('liuqiang', 'unclaim')).body.code).toBe('TASK_CLAIMED');
    expect((await post('chenming', 'unclaim')).body).toMatchObject({ assignee: null });
    expect(await sees('liuqiang')).toBe(true);
    expect((await post('liuqiang', 'decision', { action: 'approve' })).status).toBe(200);
  });
});

describe('抄送 over HTTP', () => {
  it('lets the copied-in read the request, but not act on it or copy in others', async () => {
    const { id } = await submitU1({});
    const read = async (username: string) => e2e.http('GET', `/api/requests/${id}`, { token: await token(username) });
    const cc = async (username: string, to: string[]) =>
      e2e.http('POST', `/api/requests/${id}/cc`, { token: await token(username), body: { to } });
    expect((await read('weili')).status).toBe(404);
    expect((await cc('cuili', ['nobody'])).body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'to.0' }],
    });

    const copied = await cc('cuili', ['weili']);
    expect(copied.status).toBe(200);
    expect(copied.body.cc).toEqual(['weili']);
    expect((await read('weili')).status).toBe(200);
    expect((await cc('weili', ['mengqiang'])).body.code).toBe('CC_NOT_ALLOWED');
    const taskId = await openTaskOf(id, 'apply');
    const act = await e2e.http('POST', `/api/tasks/${taskId}/decision`, {
      token: await token('weili'),
      body: { action: 'approve' },
    });
    expect(act.status).toBe(403);
    expect(copied.body.history.at(-1)).toMatchObject({
      type: 'request.cc',
      actor: 'cuili',
      payload: { detail: { to: ['weili'] } },
    });
    await e2e.http('POST', `/api/requests/${id}/cancel`, { token: await token('admin'), body: {} });
  });
});

describe('bulk approval over HTTP', () => {
  it('approves each task the caller may decide and answers for each refusal alone', async () => {
    const first = await submitU1({});
    const second = await submitU1({});
    for (const { id } of [first, second]) await decide('cuili', id, 'apply');
    const [a, b] = [
      await openTaskOf(first.id, 'review-press-office'),
      await openTaskOf(second.id, 'review-press-office'),
    ];
    const res = await e2e.http('POST', '/api/tasks/bulk-decision', {
      token: await token('duyue'),
      body: { taskIds: [a, `${first.id}.nowhere.1`, b, first.tasks[0]!.id], action: 'approve', comment: '同意' },
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { taskId: a, status: 200, outcome: 'approved' },
      expect.objectContaining({ taskId: `${first.id}.nowhere.1`, status: 404, code: 'TASK_NOT_FOUND' }),
      { taskId: b, status: 200, outcome: 'approved' },
      // cuili's own application step: not duyue's to see.
      expect.objectContaining({ taskId: first.tasks[0]!.id, status: 404, code: 'TASK_NOT_FOUND' }),
    ]);
  });
});

describe('委派 over HTTP', () => {
  it('delegates a task to a colleague, who sees it and resolves it back with an opinion; then its owner decides', async () => {
    const { id } = await submitU1({});
    await decide('cuili', id, 'apply');
    const taskId = await openTaskOf(id, 'review-press-office');
    const post = async (username: string, action: string, body: Record<string, unknown>) =>
      e2e.http('POST', `/api/tasks/${taskId}/${action}`, { token: await token(username), body });

    const delegated = await post('duyue', 'delegate', { to: 'xiaojun', comment: '请先核材料' });
    expect(delegated.status).toBe(200);
    expect(delegated.body).toMatchObject({ candidates: ['duyue'], delegatedTo: 'xiaojun' });
    const inbox = await e2e.http('GET', '/api/tasks?limit=200', { token: await token('xiaojun') });
    expect((inbox.body.items as Array<{ id: string }>).map((t) => t.id)).toContain(taskId);
    const allowed = async (username: string) =>
      (await e2e.http('GET', `/api/tasks/${taskId}`, { token: await token(username) })).body.allowedActions;
    expect(await allowed('xiaojun')).toEqual(['resolve']);
    expect(await allowed('duyue')).toEqual([]);

    expect((await post('duyue', 'decision', { action: 'approve' })).body.code).toBe('TASK_DELEGATED');
    expect((await post('xiaojun', 'decision', { action: 'approve' })).body.code).toBe('ACTION_NOT_ALLOWED');
    expect((await post('xiaojun', 'resolve', {})).status).toBe(400);
    const resolved = await post('xiaojun', 'resolve', { comment: '材料齐全' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.delegatedTo).toBeNull();
    expect((await post('duyue', 'decision', { action: 'approve' })).status).toBe(200);

    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('cuili') });
    expect(view.body.history.find((h: { type: string }) => h.type === 'task.resolved')).toMatchObject({
      actor: 'xiaojun',
      payload: { comment: '材料齐全', detail: { onBehalfOf: 'duyue' } },
    });
  });
});

describe('audit trail over HTTP', () => {
  it('chains every row to the one before, exports the dossier, and reports the first row someone changed', async () => {
    const { id } = await submitU1();
    await decide('cuili', id, 'apply');
    await decide('duyue', id, 'review-press-office', { action: 'approve', comment: '同意召开' });

    const trail = await e2e.http('GET', `/api/requests/${id}/audit`, { token: await token('cuili') });
    expect(trail.status).toBe(200);
    const items = trail.body.items as Array<{ seq: number; prevHash: string; hash: string }>;
    expect(items.length).toBeGreaterThan(4);
    expect(items[0]!.prevHash).toBe('');
    items.slice(1).forEach((row, i) => expect(row.prevHash).toBe(items[i]!.hash));
    const verified = await e2e.http('GET', `/api/requests/${id}/audit/verify`, { token: await token('cuili') });
    expect(verified.body).toEqual({ requestId: id, length: items.length, head: items.at(-1)!.hash, ok: true });

    const dossier = await e2e.http('GET', `/api/requests/${id}/dossier`, { token: await token('cuili') });
    expect(dossier.body).toMatchObject({
      request: { id, processKey: U1 },
      decisions: [
        { elementId: 'apply', decision: 'approve', decidedBy: 'cuili' },
        { elementId: 'review-press-office', decision: 'approve', decidedBy: 'duyue', comment: '同意召开' },
      ],
      chain: { ok: true, head: items.at(-1)!.hash },
    });

    // The app's own login may read and append, nothing more: no update, delete or truncate, and it
    // owns nothing, so it cannot switch the guard off either.
    const before = (await e2e.appDb.query('SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1', [id]))
      .rows[0].n;
    expect(before).toBe(items.length);
    for (const sql of [
      `UPDATE audit_events SET actor = 'x' WHERE request_id = '${id}'`,
      `DELETE FROM audit_events WHERE request_id = '${id}'`,
      'TRUNCATE audit_events',
    ]) {
      await expect(e2e.appDb.query(sql)).rejects.toThrow(/permission denied/);
    }
    await expect(e2e.appDb.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change')).rejects.toThrow(
      /must be owner/,
    );
    await expect(e2e.appDb.query(`DELETE FROM migrations`)).rejects.toThrow(/permission denied/);
    expect((await e2e.appDb.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows).toEqual([
      { rolsuper: false },
    ]);
    // Even the owner meets the append-only trigger: rows, or the whole table.
    await expect(e2e.db.query(`UPDATE audit_events SET actor = 'x' WHERE request_id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(e2e.db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    // Someone with the power to switch the guard off edits the opinion: verify finds that row.
    await e2e.db.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change');
    await e2e.db.query(
      `UPDATE audit_events SET payload = jsonb_set(payload, '{comment}', '"不同意"') WHERE request_id = $1 AND type = 'task.decided' AND actor = 'duyue'`,
      [id],
    );
    await e2e.db.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change');
    const tampered = items.find(
      (_, i) => i > 0 && trail.body.items[i].type === 'task.decided' && trail.body.items[i].actor === 'duyue',
    )!;
    const broken = await e2e.http('GET', `/api/requests/${id}/audit/verify`, { token: await token('cuili') });
    expect(broken.body).toMatchObject({ ok: false, broken: { seq: tampered.seq, reason: 'content changed' } });
    await e2e.http('POST', `/api/requests/${id}/cancel`, { token: await token('admin'), body: {} });
  });
});

describe('L3 emergency conference over HTTP', () => {
  it('exempts an emergency from the 7-working-day lead time, and has it file before the conference day begins', async () => {
    const tomorrow = bundledCalendar().addWorkingDays(businessDate(new Date()), 1).date;
    const body = (variables: Record<string, unknown>) => ({
      processKey: 'liuzhou-conference-filing',
      title: '交通事故情况通报会',
      orgCode: 'lz-transport',
      conferenceDate: tomorrow,
      variables,
    });
    const routine = await e2e.http('POST', '/api/requests', { token: await token('lutao'), body: body({}) });
    expect(routine.status).toBe(422);
    expect(routine.body.code).toBe('APPLICATION_TOO_LATE');

    const emergency = await e2e.http('POST', '/api/requests', {
      token: await token('lutao'),
      body: body({ emergency: true }),
    });
    expect(emergency.status).toBe(201);
    const filing = emergency.body.tasks.find((t: { elementId: string }) => t.elementId === 'file-emergency');
    // 00:00 Asia/Shanghai on the conference day.
    expect(filing).toMatchObject({ status: 'open', dueAt: new Date(`${tomorrow}T00:00:00+08:00`).toISOString() });
  });
});

describe('撤回, cancellation and messages over HTTP', () => {
  it('lets the applicant withdraw before the press office decided, and refuses it after', async () => {
    const early = await submitU1();
    await decide('cuili', early.id, 'apply');
    const withdrawn = await e2e.http('POST', `/api/requests/${early.id}/withdraw`, {
      token: await token('cuili'),
      body: { reason: '会期取消' },
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'completed', outcome: 'withdrawn' });

    const late = await submitU1();
    await decide('cuili', late.id, 'apply');
    await decide('duyue', late.id, 'review-press-office');
    const refused = await e2e.http('POST', `/api/requests/${late.id}/withdraw`, {
      token: await token('cuili'),
      body: {},
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'WITHDRAW_NOT_ALLOWED' });
    const still = await e2e.http('GET', `/api/requests/${late.id}`, { token: await token('cuili') });
    expect(still.body).toMatchObject({ status: 'running', stage: 'approve-deputy-secretary-general' });

    // An operator ends it; an applicant may not.
    const notOperator = await e2e.http('POST', `/api/requests/${late.id}/cancel`, {
      token: await token('cuili'),
      body: {},
    });
    expect(notOperator.status).toBe(403);
    const unexpected = await e2e.http('POST', `/api/requests/${late.id}/messages`, {
      token: await token('cuili'),
      body: { name: 'materials-filed' },
    });
    expect(unexpected.status).toBe(409);
    expect(unexpected.body).toMatchObject({ code: 'MESSAGE_NOT_EXPECTED' });
    const cancelled = await e2e.http('POST', `/api/requests/${late.id}/cancel`, {
      token: await token('admin'),
      body: { reason: '重复申请' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ outcome: 'cancelled' });
    expect(cancelled.body.tasks.filter((t: { status: string }) => t.status === 'open')).toEqual([]);
  });
});

describe('process definitions over HTTP', () => {
  it('serves a chain with its versions, variables and BPMN for a viewer', async () => {
    const res = await e2e.http('GET', `/api/processes/${U1}`, { token: await token('cuili') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      key: U1,
      code: 'U1',
      version: 1,
      variables: [{ name: 'cityWide', type: 'boolean', default: false }],
      versions: [{ version: 1, source: `processes/${U1}.bpmn` }],
    });
    expect(res.body.bpmnXml).toContain('<bpmndi:BPMNDiagram');
  });

  const upload = (body: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:fabu="http://fabu.gov.cn/schema/bpmn/fabu" id="defs" targetNamespace="http://fabu.gov.cn/test">
  <bpmn:process id="county-test-chain" name="县级测试链" isExecutable="true" fabu:code="CT">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="sign" name="审签"><bpmn:extensionElements><fabu:candidate position="main-leader" org="applicant"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end" fabu:outcome="approved"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign"/>
    ${body}
  </bpmn:process>
</bpmn:definitions>`;

  it.each([
    [
      'an unsupported element',
      upload(
        '<bpmn:scriptTask id="script"/><bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="script"/><bpmn:sequenceFlow id="f3" sourceRef="script" targetRef="end"/>',
      ),
      'script',
      'not supported: bpmn:ScriptTask',
    ],
    [
      'a gateway without a default whose conditions can all be false',
      upload(
        '<bpmn:exclusiveGateway id="gw"/><bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="gw"/>' +
          '<bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">major</bpmn:conditionExpression></bpmn:sequenceFlow>' +
          '<bpmn:endEvent id="end2" fabu:outcome="rejected"/>' +
          '<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="end2"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">not(not(major))</bpmn:conditionExpression></bpmn:sequenceFlow>',
      ),
      'gw',
      'no condition holds when major = false',
    ],
    [
      'a dangling flow',
      upload(
        '<bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/><bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="nowhere"/>',
      ),
      'f3',
      'nowhere',
    ],
    [
      'an unknown activity',
      upload(
        '<bpmn:serviceTask id="fax" name="传真" fabu:activity="sendFax"/><bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="fax"/><bpmn:sequenceFlow id="f3" sourceRef="fax" targetRef="end"/>',
      ),
      'fax',
      'unknown activity "sendFax"',
    ],
  ])('refuses %s naming the element, and stores nothing', async (_what, xml, element, message) => {
    const res = await e2e.http('POST', '/api/processes', {
      token: await token('admin'),
      body: { xml, source: 'upload.bpmn' },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('BPMN_INVALID');
    expect(res.body.errors).toContainEqual(
      expect.objectContaining({ element, message: expect.stringContaining(message) }),
    );
    const stored = await e2e.http('GET', '/api/processes/county-test-chain', { token: await token('admin') });
    expect(stored.status).toBe(404);
  });

  it('deploys a new shape with no code change and runs it (a county chain)', async () => {
    const xml = upload('<bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/>');
    const first = await e2e.http('POST', '/api/processes', { token: await token('admin'), body: { xml } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ key: 'county-test-chain', version: 1, created: true });
    const again = await e2e.http('POST', '/api/processes', { token: await token('admin'), body: { xml } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 1, created: false });

    const created = await e2e.http('POST', '/api/requests', {
      token: await token('guodong'),
      body: { processKey: 'county-test-chain', title: '绥中县旅游推介' },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^CT-\d{4}-\d{4}$/);
    await decide('guodong', created.body.id, 'sign');
    const view = await e2e.http('GET', `/api/requests/${created.body.id}`, { token: await token('guodong') });
    expect(view.body).toMatchObject({ outcome: 'approved' });
  });

  it('keeps a running request on the version it started with when a new version is deployed', async () => {
    const v1 = upload('<bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/>');
    const running = await e2e.http('POST', '/api/requests', {
      token: await token('guodong'),
      body: { processKey: 'county-test-chain', title: '绥中县文化节' },
    });
    expect(running.body).toMatchObject({ processVersion: 1 });

    // v2 adds the county propaganda office's review after the sign-off.
    const v2 = v1.replace(
      '<bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/>',
      '<bpmn:userTask id="review" name="县委宣传部审核"><bpmn:extensionElements><fabu:candidate position="drafter" org="hld-suizhong-propaganda"/></bpmn:extensionElements></bpmn:userTask>' +
        '<bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="review"/><bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>',
    );
    const deployed = await e2e.http('POST', '/api/processes', { token: await token('admin'), body: { xml: v2 } });
    expect(deployed.body).toMatchObject({ key: 'county-test-chain', version: 2, created: true });

    await decide('guodong', running.body.id, 'sign');
    const old = await e2e.http('GET', `/api/requests/${running.body.id}`, { token: await token('guodong') });
    expect(old.body).toMatchObject({ processVersion: 1, outcome: 'approved' });

    const fresh = await e2e.http('POST', '/api/requests', {
      token: await token('guodong'),
      body: { processKey: 'county-test-chain', title: '绥中县旅游节' },
    });
    expect(fresh.body).toMatchObject({ processVersion: 2 });
    await decide('guodong', fresh.body.id, 'sign');
    const next = await e2e.http('GET', `/api/requests/${fresh.body.id}`, { token: await token('guodong') });
    expect(next.body).toMatchObject({ status: 'running', stage: 'review' });
    const versions = await e2e.http('GET', '/api/processes/county-test-chain?version=1', {
      token: await token('admin'),
    });
    expect(versions.body).toMatchObject({ version: 1, versions: [{ version: 2 }, { version: 1 }] });
    expect(versions.body.bpmnXml).not.toContain('县委宣传部审核');
  });
});
