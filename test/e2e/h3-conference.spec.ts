// e2e: an H3 government conference (葫芦岛) from submission to approved through HTTP alone,
// checked in the API, in Postgres and in Temporal; and the refusals that must change nothing.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { addDays, businessDate } from '../../src/calendar/working-days.js';
import { SA } from '../../workflows/definitions.js';
import { attachMissing, pdf, upload } from '../support/documents.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { H3_CHAIN, H3_FILE } from '../support/h3.js';

const H3 = 'huludao-government-conference';
let e2e: E2E;
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));

/** A conference date comfortably more than 7 working days ahead (H1), from today's calendar. */
function conferenceDate(): string {
  return bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date;
}

async function submit(title: string, headers: Record<string, string> = {}) {
  return e2e.http('POST', '/api/requests', {
    token: await token('sunli'),
    headers,
    body: { processKey: H3, title, conferenceDate: conferenceDate(), materials: ['发布稿', '主持词', '答问口径'] },
  });
}

async function myOpenTask(username: string, requestId: string) {
  const res = await e2e.http('GET', '/api/tasks?limit=200', { token: await token(username) });
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ id: string; requestId: string; elementId: string; slackWorkingDays: number }>).find(
    (t) => t.requestId === requestId,
  );
}

beforeAll(async () => {
  e2e = await startE2E();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('H3 government conference over HTTP', () => {
  it('walks from submission to approved, visible in the API, Postgres and Temporal', async () => {
    const created = await submit('全市中小学秋季开学工作新闻发布会', { 'Idempotency-Key': 'h3-e2e-approve' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(id).toMatch(/^H3-\d{4}-\d{4}$/);
    expect(created.headers.get('location')).toBe(`/api/requests/${id}`);
    // Update-with-start: the first step is already open when POST returns.
    expect(created.body.tasks).toEqual([
      expect.objectContaining({ elementId: 'draft', status: 'open', candidates: ['sunli'] }),
    ]);

    // Repeating the POST with the same key returns the same request, not a second workflow.
    const repeat = await submit('全市中小学秋季开学工作新闻发布会', { 'Idempotency-Key': 'h3-e2e-approve' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(id);
    // The same key for a different request is a client error, not a silent replay.
    const reused = await submit('另一场发布会', { 'Idempotency-Key': 'h3-e2e-approve' });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });

    for (const [elementId, username] of H3_CHAIN) {
      const task = await myOpenTask(username, id);
      expect(task?.elementId).toBe(elementId);
      // The press office's reply is due within 2 working days (H1): 2 left on the day it arrives.
      if (elementId === 'guidance') expect(task).toMatchObject({ slackWorkingDays: 2, overdue: false });
      // The filing officer attaches what the filing needs (H6 art. 34) before approving it.
      await attachMissing(e2e, await token(username), task!.id);
      const decided = await e2e.http('POST', `/api/tasks/${task!.id}/decision`, {
        token: await token(username),
        body: { action: 'approve', comment: '同意' },
      });
      expect(decided.status).toBe(200);
      // The decision's effects are projected before the response: the step has left the inbox.
      expect(await myOpenTask(username, id)).toBeUndefined();
    }

    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ status: 'completed', outcome: 'approved', stage: 'approved' });
    expect(view.body.tasks.map((t: { elementId: string }) => t.elementId)).toEqual(H3_CHAIN.map(([e]) => e));
    expect(view.body.tasks.every((t: { decision: string }) => t.decision === 'approve')).toBe(true);
    const guidance = view.body.tasks.find((t: { elementId: string }) => t.elementId === 'guidance');
    expect(guidance.dueBasis).toMatch(/2 working days after/);

    // Postgres: one row per request and task, one audit row per history entry, no duplicates.
    const { rows: requests } = await e2e.db.query('SELECT status, outcome FROM requests WHERE id = $1', [id]);
    expect(requests).toEqual([{ status: 'completed', outcome: 'approved' }]);
    const { rows: tasks } = await e2e.db.query(
      `SELECT element_id, status, decided_by FROM tasks WHERE request_id = $1 ORDER BY opened_at`,
      [id],
    );
    expect(tasks.map((t) => [t.element_id, t.decided_by])).toEqual(H3_CHAIN);
    const { rows: audit } = await e2e.db.query(
      'SELECT seq, type FROM audit_events WHERE request_id = $1 ORDER BY seq',
      [id],
    );
    expect(audit.map((a) => a.seq)).toEqual(audit.map((_, i) => i + 1));
    expect(audit[0].type).toBe('request.submitted');
    expect(audit.at(-1).type).toBe('request.completed');
    expect(audit.filter((a) => a.type === 'task.decided')).toHaveLength(H3_CHAIN.length);

    // Temporal: completed, business id, search attributes and summary set for operators.
    const handle = e2e.temporal.workflow.getHandle(id);
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });
    const described = await handle.describe();
    expect(described.status.name).toBe('COMPLETED');
    expect(described.typedSearchAttributes.get(SA.process)).toBe(H3);
    expect(described.typedSearchAttributes.get(SA.org)).toBe('hld-edu');
    expect(described.typedSearchAttributes.get(SA.status)).toBe('completed');
    expect(described.typedSearchAttributes.get(SA.stage)).toBe('approved');
    expect(described.typedSearchAttributes.get(SA.major)).toBe(false);
    expect(await described.staticSummary()).toBe('全市中小学秋季开学工作新闻发布会');
    // Visibility finds it by its search attributes.
    const found: string[] = [];
    for await (const wf of e2e.temporal.workflow.list({
      query: `FabuProcess = '${H3}' AND FabuStatus = 'completed'`,
    })) {
      found.push(wf.workflowId);
    }
    expect(found).toContain(id);
  });

  it('refuses a decision by the wrong person, on a closed task or an unknown one, changing nothing', async () => {
    const created = await submit('卫生健康工作情况通报会');
    const id = created.body.id as string;
    const draft = await myOpenTask('sunli', id);

    const wrong = await e2e.http('POST', `/api/tasks/${draft!.id}/decision`, {
      token: await token('chenming'),
      body: { action: 'approve' },
    });
    // Not his task, not his request: to him it does not exist.
    expect(wrong.status).toBe(404);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(wrong.body).toMatchObject({ code: 'TASK_NOT_FOUND', status: 404 });
    // An operator sees every task, but deciding is for its candidates: the chain refuses.
    const operator = await e2e.http('POST', `/api/tasks/${draft!.id}/decision`, {
      token: await token('admin'),
      body: { action: 'approve' },
    });
    expect(operator.status).toBe(403);
    expect(operator.body).toMatchObject({ code: 'NOT_A_CANDIDATE', status: 403 });
    const historyBefore = await e2e.temporal.workflow.getHandle(id).fetchHistory();

    // The validator refused it before it reached history: the only accepted Update is the start's.
    const accepted = historyBefore
      .events!.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)
      .filter(Boolean);
    expect(accepted).toEqual(['started']);

    const ok = await e2e.http('POST', `/api/tasks/${draft!.id}/decision`, {
      token: await token('sunli'),
      body: { action: 'approve' },
    });
    expect(ok.status).toBe(200);

    const again = await e2e.http('POST', `/api/tasks/${draft!.id}/decision`, {
      token: await token('sunli'),
      body: { action: 'approve' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'TASK_NOT_OPEN' });

    const unknown = await e2e.http('POST', `/api/tasks/${id}.nowhere.1/decision`, {
      token: await token('sunli'),
      body: { action: 'approve' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'TASK_NOT_FOUND' });

    const badBody = await e2e.http('POST', `/api/tasks/${id}.guidance.1/decision`, {
      token: await token('wangfang'),
      body: { action: 'sign' },
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ path: 'action' })],
    });

    // Nothing above moved the chain: guidance is open, with the press office, no decision on it.
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(view.body.tasks.map((t: { elementId: string; status: string }) => [t.elementId, t.status])).toEqual([
      ['draft', 'completed'],
      ['guidance', 'open'],
    ]);
    const { rows } = await e2e.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1`, [id]);
    expect(rows[0].n).toBe(view.body.history.length);
  });

  it('refuses an application later than 7 working days before the conference (H1) with the dates, starting nothing', async () => {
    const calendar = bundledCalendar();
    const tooSoon = calendar.addWorkingDays(businessDate(new Date()), 3).date;
    const before = await e2e.db.query('SELECT count(*)::int AS n FROM requests');
    const apply = async (conferenceDate: string) =>
      e2e.http('POST', '/api/requests', {
        token: await token('sunli'),
        body: { processKey: H3, title: '临时发布会', conferenceDate },
      });
    const res = await apply(tooSoon);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'APPLICATION_TOO_LATE', errors: [{ path: 'conferenceDate' }] });
    // The last moment was 18:00 Shanghai (10:00Z) on the 7th working day before the conference.
    expect(res.body.latestSubmission).toBe(`${calendar.addWorkingDays(tooSoon, -7).date}T10:00:00.000Z`);
    const earliest = res.body.earliestConferenceDate as string;
    expect(res.body.detail).toContain(earliest);
    const after = await e2e.db.query('SELECT count(*)::int AS n FROM requests');
    expect(after.rows[0].n).toBe(before.rows[0].n);

    // The earliest date it names is really the earliest: the day before is refused, that day is accepted.
    expect((await apply(addDays(earliest, -1))).status).toBe(422);
    expect((await apply(earliest)).status).toBe(201);
  });

  it('moves the conference for its applicant (H6): the approval re-runs from guidance, the filing deadline follows', async () => {
    const calendar = bundledCalendar();
    const first = conferenceDate();
    const created = await submit('教育工作新闻发布会');
    const id = created.body.id as string;
    let filing = '';
    for (const [, username] of H3_CHAIN.slice(0, -1)) {
      const task = await myOpenTask(username, id);
      const res = await e2e.http('POST', `/api/tasks/${task!.id}/decision`, {
        token: await token(username),
        body: { action: 'approve' },
      });
      filing = res.body.openTasks[0];
    }
    const later = calendar.addWorkingDays(first, 5).date;
    const move = (username: string, date: string) =>
      token(username).then((t) =>
        e2e.http('POST', `/api/requests/${id}/reschedule`, {
          token: t,
          body: { conferenceDate: date, reason: '场地调整' },
        }),
      );

    expect((await move('chenming', later)).status).toBe(403);
    const tooSoon = await move('sunli', calendar.addWorkingDays(businessDate(new Date()), 2).date);
    expect(tooSoon.status).toBe(422);
    expect(tooSoon.body.code).toBe('APPLICATION_TOO_LATE');

    const moved = await move('sunli', later);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ conferenceDate: later, round: 2, stage: 'guidance' });
    // H6: held exactly as approved, so the signed chain is void: filing closed, guidance again.
    expect(moved.body.tasks.find((t: { id: string }) => t.id === filing)).toMatchObject({ status: 'cancelled' });
    expect(moved.body.history.map((h: { type: string }) => h.type)).toEqual(
      expect.arrayContaining(['request.rescheduled', 'round.started']),
    );
    expect(moved.body.history.find((h: { type: string }) => h.type === 'request.rescheduled')).toMatchObject({
      actor: 'sunli',
      payload: { detail: { from: first, to: later } },
    });

    let refiling: { id: string; dueAt: string } | undefined;
    for (const [, username] of H3_CHAIN.slice(1, -1)) {
      const task = await myOpenTask(username, id);
      const res = await e2e.http('POST', `/api/tasks/${task!.id}/decision`, {
        token: await token(username),
        body: { action: 'approve' },
      });
      expect(res.status).toBe(200);
      refiling = { id: res.body.openTasks[0], dueAt: '' };
    }
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    const task = view.body.tasks.find((t: { id: string }) => t.id === refiling!.id);
    // Filing stays 3 working days before the (new) conference (H3.4), 18:00 Shanghai.
    expect(task).toMatchObject({ elementId: 'file-materials', round: 2 });
    expect(task.dueAt).toBe(`${calendar.addWorkingDays(later, -3).date}T10:00:00.000Z`);
  });

  /** Approves the open steps of `id`, each by its holder in {@link H3_CHAIN}, from `from` up to (not including) `to`. */
  async function approveSteps(id: string, from: string, to?: string): Promise<string[]> {
    const steps = H3_CHAIN.map(([e]) => e as string);
    const taskIds: string[] = [];
    for (const [elementId, username] of H3_CHAIN.slice(steps.indexOf(from), to ? steps.indexOf(to) : undefined)) {
      const task = await myOpenTask(username, id);
      expect(task?.elementId).toBe(elementId);
      const res = await e2e.http('POST', `/api/tasks/${task!.id}/decision`, {
        token: await token(username),
        body: { action: 'approve', comment: '同意' },
      });
      expect(res.status).toBe(200);
      taskIds.push(task!.id);
    }
    return taskIds;
  }

  const MATERIALS = ['release-statement', 'host-script', 'qa-lines', 'background', 'venue-plan'];
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  it('files a full H3 request with its five documents, and the dossier lists their hashes and who approved them', async () => {
    const id = (await submit('全市义务教育招生政策新闻发布会')).body.id as string;
    const files = Object.fromEntries(MATERIALS.map((kind) => [kind, pdf(id, kind)]));
    for (const kind of MATERIALS) {
      const res = await upload(e2e, await token('sunli'), id, kind, files[kind]);
      expect(res).toMatchObject({ status: 201, body: { kind, version: 1, sha256: sha256(files[kind]!.bytes) } });
    }
    const approvals = await approveSteps(id, 'draft');

    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(view.body).toMatchObject({ status: 'completed', outcome: 'approved' });
    const dossier = await e2e.http('GET', `/api/requests/${id}/dossier`, { token: await token('sunli') });
    expect(dossier.status).toBe(200);
    const hashes = Object.fromEntries(MATERIALS.map((kind) => [kind, sha256(files[kind]!.bytes)]));
    expect(dossier.body.documents).toEqual(
      [...MATERIALS].sort().map((kind) =>
        expect.objectContaining({
          kind,
          version: 1,
          sha256: hashes[kind],
          uploadedBy: 'sunli',
          approvedBy: approvals,
        }),
      ),
    );
    // Every sign-off, the filing included, names the versions it approved.
    expect(dossier.body.decisions.map((d: { taskId: string; documents: unknown }) => [d.taskId, d.documents])).toEqual(
      approvals.map((taskId) => [taskId, hashes]),
    );
    expect(dossier.body.chain).toMatchObject({ ok: true });
    // Filed as approved: a later version would not be what was approved, so none is taken.
    const late = await upload(e2e, await token('sunli'), id, 'venue-plan', pdf(id, 'venue-plan', 2));
    expect(late).toMatchObject({ status: 409, body: { code: 'PROCESS_COMPLETED' } });

    const filing = await e2e.http('GET', `/api/tasks/${approvals.at(-1)}`, { token: await token('wangfang') });
    expect(filing.body.materials).toMatchObject({ required: MATERIALS, missing: [] });
    expect(filing.body.materials.documents).toEqual(
      MATERIALS.map((kind) =>
        expect.objectContaining({
          kind,
          required: true,
          approved: { taskId: approvals.at(-1), version: 1, sha256: hashes[kind] },
          changedSinceApproval: false,
        }),
      ),
    );
  });

  it('holds the filing step until its materials are attached, saying which are missing (MATERIALS_MISSING)', async () => {
    const id = (await submit('学前教育工作新闻发布会')).body.id as string;
    await approveSteps(id, 'draft', 'file-materials');
    const filing = await myOpenTask('wangfang', id);
    expect(filing?.elementId).toBe('file-materials');
    const approve = async () =>
      e2e.http('POST', `/api/tasks/${filing!.id}/decision`, {
        token: await token('wangfang'),
        body: { action: 'approve' },
      });

    const shown = await e2e.http('GET', `/api/tasks/${filing!.id}`, { token: await token('wangfang') });
    expect(shown.body.materials).toMatchObject({ required: MATERIALS, missing: MATERIALS });
    const refused = await approve();
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'MATERIALS_MISSING', missing: MATERIALS });
    expect(refused.body.detail).toContain('发布稿 (release-statement)');

    // The filing officer attaches three (an open task asks her): two still missing.
    for (const kind of MATERIALS.slice(0, 3)) {
      expect((await upload(e2e, await token('wangfang'), id, kind, pdf(id, kind))).status).toBe(201);
    }
    expect((await approve()).body).toMatchObject({ code: 'MATERIALS_MISSING', missing: ['background', 'venue-plan'] });
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(
      view.body.history.filter(
        (h: { type: string; taskId: string }) => h.type === 'task.decided' && h.taskId === filing!.id,
      ),
    ).toEqual([]);

    await attachMissing(e2e, await token('wangfang'), filing!.id);
    const approved = await approve();
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'completed', outcome: 'approved' });
  });

  it('shows an approved document changed after approval in the task, and re-runs the sign-off from guidance (H6)', async () => {
    const id = (await submit('校园安全工作新闻发布会')).body.id as string;
    const v1 = pdf(id, 'release-statement', 1);
    expect((await upload(e2e, await token('sunli'), id, 'release-statement', v1)).status).toBe(201);
    const [, guidance, mainLeader] = await approveSteps(id, 'draft', 'sign-leader-in-charge');

    const v2 = pdf(id, 'release-statement', 2);
    const changed = await upload(e2e, await token('sunli'), id, 'release-statement', v2);
    expect(changed).toMatchObject({ status: 201, body: { version: 2 } });

    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(view.body).toMatchObject({ round: 2, stage: 'guidance' });
    expect(view.body.history.find((h: { type: string }) => h.type === 'document.changed')).toMatchObject({
      actor: 'sunli',
      payload: {
        detail: {
          kind: 'release-statement',
          from: { version: 1, sha256: sha256(v1.bytes) },
          to: { version: 2, sha256: sha256(v2.bytes) },
          approvedBy: expect.arrayContaining([guidance, mainLeader]),
        },
      },
    });
    // The main leader signed version 1: his task says the statement changed since.
    const signed = await e2e.http('GET', `/api/tasks/${mainLeader}`, { token: await token('chenming') });
    expect(signed.body.materials.documents).toEqual([
      expect.objectContaining({
        kind: 'release-statement',
        required: false,
        latest: expect.objectContaining({ version: 2, sha256: sha256(v2.bytes) }),
        approved: { taskId: mainLeader, version: 1, sha256: sha256(v1.bytes) },
        changedSinceApproval: true,
      }),
    ]);
    // So does guidance, asked again in round 2, until it approves version 2.
    const again = await myOpenTask('wangfang', id);
    const shown = await e2e.http('GET', `/api/tasks/${again!.id}`, { token: await token('wangfang') });
    expect(shown.body).toMatchObject({ elementId: 'guidance', round: 2 });
    expect(shown.body.materials.documents[0]).toMatchObject({ approved: { version: 1 }, changedSinceApproval: true });
  });

  it('refuses a malformed BPMN naming the element, and deploys nothing', async () => {
    const xml = (await readFile(H3_FILE, 'utf8')).replace('position="main-leader"', 'position="chief-of-everything"');
    const res = await e2e.http('POST', '/api/processes', {
      token: await token('admin'),
      body: { xml, source: 'bad.bpmn' },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('BPMN_INVALID');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ element: 'sign-main-leader', message: expect.stringMatching(/chief-of-everything/) }),
    ]);
    const { rows } = await e2e.db.query('SELECT max(version) AS v FROM process_definitions WHERE key = $1', [H3]);
    expect(rows[0].v).toBe(1);

    const notAdmin = await e2e.http('POST', '/api/processes', { token: await token('sunli'), body: { xml } });
    expect(notAdmin.status).toBe(403);
  });

  it('answers health, OpenAPI and unauthenticated calls in their documented shapes', async () => {
    const health = await e2e.http('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.info).toMatchObject({ postgres: { status: 'up' }, temporal: { status: 'up' } });

    const docs = await e2e.http('GET', '/docs-json');
    expect(docs.status).toBe(200);
    const create = docs.body.paths['/api/requests'].post;
    expect(JSON.stringify(create.requestBody)).toContain('conferenceDate');

    const anonymous = await e2e.http('GET', '/api/tasks');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
