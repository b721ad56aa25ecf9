// e2e: a recurring process (N3, a timer start event) on the real dev server. Deploying it creates
// a Temporal Schedule with its calendar rule; triggering it starts a run for the period ahead,
// dated from the statutory calendar; a redeploy updates the schedule; operators pause and resume it.
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessesService } from '../../src/processes/processes.service.js';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { parseRecurrence, upcomingPeriodOf } from '../../src/calendar/recurrence.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { runStartedBy } from '../support/scheduled-runs.js';
import { startedUpdate } from '../../workflows/definitions.js';

const N3 = 'ningbo-routine-conference';
let e2e: E2E;
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));
const admin = async (method: string, path: string, body?: unknown) =>
  e2e.http(method, path, { token: await token('admin'), ...(body !== undefined ? { body } : {}) });

beforeAll(async () => {
  e2e = await startE2E();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('recurring processes as Temporal Schedules', () => {
  it('creates the schedule at deploy, with the rule in Asia/Shanghai, a readable id and a memo', async () => {
    const list = await admin('GET', '/api/schedules');
    expect(list.status).toBe(200);
    const view = list.body.items.find((s: { processKey: string }) => s.processKey === N3);
    expect(view).toMatchObject({
      id: `fabu:${N3}`,
      recurrence: 'second-week-of-month',
      orgCode: 'nb-press-office',
      paused: false,
      processVersion: 1,
    });
    // It fires at 09:00 in Shanghai (01:00 UTC) on the 1st of a month.
    expect(view.nextRuns[0]).toMatch(/^\d{4}-\d{2}-01T01:00:00\.000Z$/);

    const described = await e2e.temporal.schedule.getHandle(`fabu:${N3}`).describe();
    expect(described.spec.timezone).toBe('Asia/Shanghai');
    expect(described.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });
    expect(described.memo).toMatchObject({ processKey: N3, source: `processes/${N3}.bpmn` });
    expect(described.action).toMatchObject({ workflowType: 'approvalProcess', workflowId: `N3-${N3}` });
  });

  it('refuses a request for a recurring process: its schedule starts it', async () => {
    const res = await e2e.http('POST', '/api/requests', {
      token: await token('yeqing'),
      body: { processKey: N3, title: '例行发布会', orgCode: 'nb-press-office' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PROCESS_RECURRING', errors: [{ path: 'processKey' }] });
  });

  it('starts a run when triggered, for the period ahead, dated from the calendar, with the chain drawn for it', async () => {
    const now = new Date();
    const run = await runStartedBy(e2e.temporal, `fabu:${N3}`, async () => {
      expect((await admin('POST', `/api/schedules/${N3}/trigger`)).status).toBe(200);
    });
    expect(run.workflowId).toMatch(new RegExp(`^N3-${N3}-`));
    expect((await admin('GET', `/api/schedules/${N3}`)).body.recentRuns).toEqual([
      expect.objectContaining({ workflowId: run.workflowId }),
    ]);

    const expected = upcomingPeriodOf(
      parseRecurrence('second-week-of-month') as Exclude<ReturnType<typeof parseRecurrence>, { error: string }>,
      businessDate(now),
      bundledCalendar(),
    );
    const request = (await admin('GET', `/api/requests/${run.workflowId}`)).body;
    expect(request).toMatchObject({
      processKey: N3,
      orgCode: 'nb-press-office',
      initiator: 'fabu-scheduler',
      title: `宁波市例行新闻发布会 (N3)（${expected.period}）`,
      conferenceDate: expected.date,
      status: 'running',
    });
    expect(request.tasks).toEqual([
      expect.objectContaining({ elementId: 'plan', status: 'open', candidates: ['yeqing'] }),
    ]);
    // The press officer decides it like any task; the secretary-general's step follows.
    const decided = await e2e.http('POST', `/api/tasks/${request.tasks[0].id}/decision`, {
      token: await token('yeqing'),
      body: { action: 'approve', comment: '牵头单位：市交通运输局' },
    });
    expect(decided.status).toBe(200);
    expect(decided.body.openTasks).toEqual([`${run.workflowId}.approve-secretary-general.1`]);
  });

  it('updates the schedule on a redeploy, and lets an operator pause and resume it; others may not', async () => {
    const xml = await readFile(`processes/${N3}.bpmn`, 'utf8');
    const changed = xml.replace(
      'fabu:recurrence="second-week-of-month"',
      'fabu:recurrence="last-working-day-of-month"',
    );
    const deployed = await admin('POST', '/api/processes', { xml: changed, source: `processes/${N3}.bpmn` });
    expect(deployed.status).toBe(201);
    expect(deployed.body).toMatchObject({ key: N3, version: 2, schedule: 'updated' });
    expect((await admin('GET', `/api/schedules/${N3}`)).body).toMatchObject({
      recurrence: 'last-working-day-of-month',
      processVersion: 2,
    });

    const paused = await admin('POST', `/api/schedules/${N3}/pause`, { note: '春节期间暂停' });
    expect(paused.body).toMatchObject({ paused: true, note: '春节期间暂停' });
    expect((await e2e.temporal.schedule.getHandle(`fabu:${N3}`).describe()).state.paused).toBe(true);
    const resumed = await admin('POST', `/api/schedules/${N3}/resume`, {});
    expect(resumed.body.paused).toBe(false);

    const official = await e2e.http('POST', `/api/schedules/${N3}/pause`, { token: await token('yeqing'), body: {} });
    expect(official.status).toBe(403);
    expect((await admin('GET', '/api/schedules/no-such-process')).status).toBe(404);
    const backwards = await admin('POST', `/api/schedules/${N3}/backfill`, {
      start: '2026-12-01T00:00:00Z',
      end: '2026-11-01T00:00:00Z',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([expect.objectContaining({ path: 'end' })]);
  });

  it('N2 over HTTP: a triggered topic meeting ends with a conference request per accepted topic, linked to it', async () => {
    const N2 = 'ningbo-topic-meeting';
    const run = await runStartedBy(e2e.temporal, `fabu:${N2}`, async () => {
      expect((await admin('POST', `/api/schedules/${N2}/trigger`)).status).toBe(200);
    });
    const runId = run.workflowId;
    // Each decision answers once its effects are in the read model: what is open is there to read.
    const openTask = async (elementId: string) => {
      const view = (await admin('GET', `/api/requests/${runId}`)).body;
      const task = view.tasks.find(
        (t: { elementId: string; status: string }) => t.elementId === elementId && t.status === 'open',
      );
      expect(task).toBeDefined();
      return task as { id: string; candidates: string[] };
    };
    const decide = async (username: string, taskId: string, body: Record<string, unknown>) =>
      e2e.http('POST', `/api/tasks/${taskId}/decision`, { token: await token(username), body });

    const proposals = (await admin('GET', `/api/requests/${runId}`)).body.tasks;
    for (const [username, org] of [
      ['panlei', 'nb-transport'],
      ['luyan', 'nb-health'],
    ] as const) {
      const task = proposals.find((t: { candidates: string[] }) => t.candidates.includes(username));
      expect(task).toBeDefined();
      expect((await decide(username, task.id, { action: 'approve', comment: `${org} 选题` })).status).toBe(200);
    }
    expect((await decide('yeqing', (await openTask('consolidate')).id, { action: 'approve' })).status).toBe(200);

    const meeting = await openTask('meeting');
    const view = await e2e.http('GET', `/api/tasks/${meeting.id}`, { token: await token('jiangtao') });
    expect(view.body.output).toBe('topics');
    const late = await decide('jiangtao', meeting.id, {
      action: 'approve',
      data: { topics: [{ orgCode: 'nb-transport', title: '春运', conferenceDate: '1月' }] },
    });
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ code: 'OUTPUT_INVALID', errors: [{ path: 'data' }] });
    const topics = [{ orgCode: 'nb-transport', title: '春运交通保障新闻发布会', conferenceDate: '2027-01-20' }];
    const fixed = await decide('jiangtao', meeting.id, { action: 'approve', data: { topics } });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ status: 'completed', outcome: 'approved' });

    const childId = `${runId}.start-conferences.1`;
    // The meeting's run started the child before it ended; its first projection is what `started` waits for.
    await e2e.temporal.workflow.getHandle(childId).executeUpdate(startedUpdate);
    const child = (await admin('GET', `/api/requests/${childId}`)).body;
    expect(child).toMatchObject({
      processKey: 'ningbo-department-conference',
      orgCode: 'nb-transport',
      title: '春运交通保障新闻发布会',
      conferenceDate: '2027-01-20',
      variables: { meeting: runId },
    });
    expect(child.tasks[0]).toMatchObject({ elementId: 'sign-main-leader', candidates: ['dinggang'] });
    const described = await e2e.temporal.workflow.getHandle(childId).describe();
    expect(described.raw.workflowExecutionInfo?.parentExecution?.workflowId).toBe(runId);
  });

  it('pauses the schedule of a file removed from processes/ at the next deploy of the folder, and resumes it when the file is back', async () => {
    const processes = e2e.app.context.get(ProcessesService);
    const folder = await mkdtemp(join(tmpdir(), 'fabu-processes-'));
    try {
      for (const file of (await readdir('processes')).filter((f) => f !== `${N3}.bpmn`)) {
        await copyFile(join('processes', file), join(folder, file));
      }
      await processes.deployFolder(folder);
      expect((await admin('GET', `/api/schedules/${N3}`)).body).toMatchObject({
        paused: true,
        note: 'paused: its BPMN file was removed from processes/',
      });
      await processes.deployFolder('processes');
      expect((await admin('GET', `/api/schedules/${N3}`)).body.paused).toBe(false);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
