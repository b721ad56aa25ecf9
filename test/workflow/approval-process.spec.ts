// Workflow tier: the interpreter on the real time-skipping test server, with the real H3 BPMN,
// the real planning activities (bundled calendar, an in-memory directory) and a projection that
// records what it would write. Deadlines are crossed by skipping time, never by waiting.
import { createHash } from 'node:crypto';
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import type { ProjectionBatch } from '../../activities/projection.js';
import { bundledCalendar, loadBundledCalendarData } from '../../src/calendar/bundled-calendar.js';
import { WorkingDayCalendar, addDays, businessDate, computeDue } from '../../src/calendar/working-days.js';
import { compileBpmn } from '../../src/processes/compiler.js';
import type { ProcessIR } from '../../src/processes/ir.js';
import { approvalProcess } from '../../workflows/approval-process.js';
import {
  type ApprovalProcessInput,
  decideSignal,
  decideUpdate,
  documentsUpdate,
  replanDeadlinesUpdate,
  changeUpdate,
  rescheduleUpdate,
  stateQuery,
} from '../../workflows/definitions.js';
import { CONFERENCE_DATE, H3_CHAIN, UNLOADED_YEAR, dueOn, h3Directory, h3Input, loadH3 } from '../support/h3.js';
import { attachMaterials } from '../support/chains.js';
import { startTestWorker, testActivities } from '../support/activities.js';

/** What the planning activities count with: the bundled data (2004–2026) unless a test loads more. */
let calendar = bundledCalendar();
let env: TestWorkflowEnvironment;
/**
 * A plain client: unlike env.client, its result() does not unlock time skipping, so time moves only
 * where a test says so (env.sleep), never while a test merely waits for a chain to finish.
 */
let client: Client;
let ir: ProcessIR;
let batches: ProjectionBatch[];
let stop: () => Promise<void>;
const taskQueue = 'approval-process-test';

beforeAll(async () => {
  ir = await loadH3();
  ({ env, client, stop } = await startTestWorker(
    taskQueue,
    testActivities({
      directory: h3Directory,
      calendar: () => calendar,
      project: (b) => void batches.push(structuredClone(b)),
    }),
    { maxCachedWorkflows: 0 },
  ));
}, 60_000);

afterAll(async () => {
  await stop?.();
});

beforeEach(() => {
  batches = [];
  calendar = bundledCalendar();
});

let seq = 0;
async function start(overrides: Partial<ApprovalProcessInput['request']> = {}) {
  seq += 1;
  const input = h3Input(ir, overrides);
  return client.workflow.start(approvalProcess, { taskQueue, workflowId: `H3-TEST-${seq}`, args: [input] });
}

type Handle = Awaited<ReturnType<typeof start>>;

async function openTask(handle: Handle) {
  // The first task opens once its candidates are resolved; poll the query until it is there.
  for (let i = 0; i < 50; i++) {
    const state = await handle.query(stateQuery);
    const open = state.tasks.find((t) => t.status === 'open');
    if (open || state.status === 'completed') return { state, open };
    await env.sleep(10);
  }
  throw new Error('no open task');
}

async function decide(handle: Handle, actor: string, action: 'approve' | 'reject', comment?: string) {
  const { open, state } = await openTask(handle);
  // The filing step (fabu:materials, H6 art. 34) is approved once its documents are attached.
  if (action === 'approve') await attachMaterials(handle, open!, state);
  return handle.executeUpdate(decideUpdate, { args: [{ taskId: open!.taskId, action, actor, comment }] });
}

/**
 * Ends a chain by deciding its open steps (reject where allowed), rather than terminating it: a
 * decision returns only after its projection, so no activity is left in flight. (The time-skipping
 * server keeps time locked for an activity that was running when its workflow was terminated.)
 */
async function endChain(handle: Handle) {
  for (;;) {
    const { open, state } = await openTask(handle);
    if (state.status === 'completed') return;
    const action = open!.elementId === 'draft' ? 'approve' : 'reject';
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: open!.taskId, action, actor: open!.candidates[0]! }] });
  }
}

/** The bundled calendar with the unloaded year loaded, and a (test) holiday on `holiday`. */
function calendarWithYearLoaded(holiday: string): WorkingDayCalendar {
  const data = loadBundledCalendarData();
  return new WorkingDayCalendar({
    ...data,
    holidays: { ...data.holidays, [holiday]: '测试假日' },
    years: [...data.years, UNLOADED_YEAR],
  });
}

describe('approvalProcess', () => {
  it('walks H3 from draft to approved when every signer approves in order', async () => {
    const handle = await start();
    const steps: string[] = [];
    for (const [, actor] of H3_CHAIN) {
      const { open } = await openTask(handle);
      expect(open!.candidates).toEqual([actor]);
      steps.push(open!.elementId);
      await decide(handle, actor, 'approve');
    }
    expect(steps).toEqual(H3_CHAIN.map(([elementId]) => elementId));
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });

    const state = await handle.query(stateQuery);
    expect(state.tasks.every((t) => t.status === 'completed' && t.decision === 'approve')).toBe(true);
    // Filing is due 3 working days before the conference (H3.4): the Tuesday before that Friday,
    // 18:00 Shanghai, provisional (the year is not loaded: counted on weekdays only).
    const filing = state.tasks.find((t) => t.elementId === 'file-materials')!;
    expect(filing.dueAt).toBe(dueOn(addDays(CONFERENCE_DATE, -3)));
    expect(filing.dueProvisional).toBe(true);

    // Projections arrive in order, the last one completed, with one audit row per history entry.
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i + 1));
    expect(batches.at(-1)!.request).toMatchObject({ status: 'completed', outcome: 'approved' });
    expect(batches.flatMap((b) => b.events).map((e) => e.seq)).toEqual(state.history.map((h) => h.seq));
  });

  it('ends rejected when a signer rejects, and refuses any later decision', async () => {
    const handle = await start();
    for (const actor of ['sunli', 'wangfang']) await decide(handle, actor, 'approve');
    const { open } = await openTask(handle);
    const result = await handle.executeUpdate(decideUpdate, {
      args: [{ taskId: open!.taskId, action: 'reject', actor: 'chenming', comment: '口径需再斟酌' }],
    });
    expect(result).toMatchObject({ status: 'completed', outcome: 'rejected', openTasks: [] });
    expect(await handle.result()).toMatchObject({ outcome: 'rejected' });
    const state = await handle.query(stateQuery);
    expect(state.tasks.map((t) => t.elementId)).toEqual(['draft', 'guidance', 'sign-main-leader']);
    expect(state.history.at(-1)).toMatchObject({ type: 'request.completed', detail: { outcome: 'rejected' } });
  });

  it('refuses a decision by someone who is not a candidate and changes nothing', async () => {
    const handle = await start();
    const { open, state: before } = await openTask(handle);
    const attempt = handle.executeUpdate(decideUpdate, {
      args: [{ taskId: open!.taskId, action: 'approve', actor: 'chenming' }],
    });
    await expect(attempt).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(attempt).rejects.toMatchObject({
      cause: { type: 'DecisionRefused', details: [{ code: 'NOT_A_CANDIDATE' }] },
    });
    const after = await handle.query(stateQuery);
    expect(after).toEqual(before);
    await endChain(handle);
  });

  it('applies a decision sent as a signal, and drops one from a non-candidate', async () => {
    const handle = await start();
    const { open } = await openTask(handle);
    await handle.signal(decideSignal, { taskId: open!.taskId, action: 'approve', actor: 'chenming' });
    await handle.signal(decideSignal, { taskId: open!.taskId, action: 'approve', actor: 'sunli' });
    const { open: next, state } = await openTask(handle);
    expect(next!.elementId).toBe('guidance');
    const decisions = state.history.filter((h) => h.type === 'task.decided');
    expect(decisions).toEqual([expect.objectContaining({ taskId: open!.taskId, actor: 'sunli', action: 'approve' })]);
    await endChain(handle);
  });

  it('marks the guidance step overdue and tells the office head once its 2 working days pass (H1)', async () => {
    const handle = await start();
    await decide(handle, 'sunli', 'approve');
    const { open } = await openTask(handle);
    expect(open!.elementId).toBe('guidance');
    expect(open!.overdue).toBe(false);
    const due = Date.parse(open!.dueAt!);
    // Skip past the due instant (at most a long weekend plus two working days away), then look.
    await env.sleep(due - (await env.currentTimeMs()) + 60_000);
    const state = await handle.query(stateQuery);
    const guidance = state.tasks.find((t) => t.taskId === open!.taskId)!;
    expect(guidance).toMatchObject({ status: 'open', overdue: true });
    expect(state.history.at(-1)).toMatchObject({
      type: 'task.overdue',
      taskId: open!.taskId,
      detail: { notified: ['lijun'] },
    });
    expect(batches.flatMap((b) => b.events).some((e) => e.type === 'task.overdue')).toBe(true);
    // Overdue is a mark, not a verdict: the office can still reply.
    await decide(handle, 'wangfang', 'approve');
    expect((await openTask(handle)).open!.elementId).toBe('sign-main-leader');
    await endChain(handle);
  });

  it('moves a provisional deadline, and its timer, once the year it falls in is loaded', async () => {
    const [tuesday, wednesday, monday] = [-3, -2, -4].map((n) => addDays(CONFERENCE_DATE, n));
    const handle = await start({ conferenceDate: CONFERENCE_DATE });
    for (const [elementId, actor] of H3_CHAIN.slice(0, -1)) {
      expect((await openTask(handle)).open!.elementId).toBe(elementId);
      await decide(handle, actor, 'approve');
    }
    const { open } = await openTask(handle);
    // 3 working days before the Friday conference, counted on weekdays only: Tuesday, provisional.
    expect(open).toMatchObject({
      elementId: 'file-materials',
      dueAt: dueOn(tuesday!),
      dueProvisional: true,
    });

    // The year is loaded, with a (test) holiday on that Wednesday: the count reaches Monday.
    calendar = calendarWithYearLoaded(wednesday!);
    const result = await handle.executeUpdate(replanDeadlinesUpdate);
    expect(result).toEqual({ replanned: [open!.taskId], timers: [] });
    const state = await handle.query(stateQuery);
    expect(state.tasks.find((t) => t.taskId === open!.taskId)).toMatchObject({
      dueAt: dueOn(monday!),
      dueProvisional: false,
    });
    expect(state.history.at(-1)).toMatchObject({
      type: 'task.replanned',
      detail: { from: { dueAt: dueOn(tuesday!), dueProvisional: true }, to: { dueProvisional: false } },
    });
    expect(batches.flatMap((b) => b.events).some((e) => e.type === 'task.replanned')).toBe(true);
    // Nothing else to move: a second re-plan changes nothing.
    expect(await handle.executeUpdate(replanDeadlinesUpdate)).toEqual({ replanned: [], timers: [] });

    // The timer moved too: just after the new due time, before the old one, the task is overdue.
    const untilNewDue = Date.parse(dueOn(monday!)) - (await env.currentTimeMs());
    expect(untilNewDue).toBeGreaterThan(0);
    await env.sleep(untilNewDue + 60_000);
    const later = await handle.query(stateQuery);
    expect(later.tasks.find((t) => t.taskId === open!.taskId)).toMatchObject({ status: 'open', overdue: true });
    await endChain(handle);
  });

  it('moves a provisional timer, and fires it on the new day, once the year it falls in is loaded', async () => {
    const waitIr = await compileBpmn(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:fabu="http://fabu.gov.cn/schema/bpmn/fabu" id="defs" targetNamespace="http://fabu.gov.cn/test">
  <bpmn:process id="wait-for-filing" name="wait for the filing day" isExecutable="true" fabu:code="WT">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="filing-day"><bpmn:timerEventDefinition>
      <bpmn:timeDate xsi:type="bpmn:tFormalExpression">conferenceDate - 3WD</bpmn:timeDate>
    </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="file" name="file"><bpmn:extensionElements><fabu:candidate initiator="true"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end" fabu:outcome="approved"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="filing-day"/>
    <bpmn:sequenceFlow id="f2" sourceRef="filing-day" targetRef="file"/>
    <bpmn:sequenceFlow id="f3" sourceRef="file" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`);
    // Four weeks after the other tests' conference (whose days they may have skipped past), same year.
    const conferenceDate = addDays(CONFERENCE_DATE, 28);
    const [tuesday, wednesday, monday] = [-3, -2, -4].map((n) => addDays(conferenceDate, n));
    seq += 1;
    const handle = await client.workflow.start(approvalProcess, {
      taskQueue,
      workflowId: `WT-TEST-${seq}`,
      args: [h3Input(waitIr, { conferenceDate })],
    });
    const waiting = async () => {
      for (let i = 0; i < 50; i++) {
        const state = await handle.query(stateQuery);
        if (state.timers[0]?.dueAt) return state;
        await env.sleep(10);
      }
      throw new Error('the timer was never planned');
    };
    const before = await waiting();
    expect(before.stage).toBe('filing-day');
    expect(before.timers[0]).toMatchObject({ elementId: 'filing-day', dueAt: dueOn(tuesday!), provisional: true });
    expect(batches.at(-1)!.request).toMatchObject({ timersProvisional: true });

    calendar = calendarWithYearLoaded(wednesday!);
    const result = await handle.executeUpdate(replanDeadlinesUpdate);
    expect(result).toEqual({ replanned: [], timers: [before.timers[0]!.timerId] });
    const after = await handle.query(stateQuery);
    expect(after.timers[0]).toMatchObject({ dueAt: dueOn(monday!), provisional: false });
    expect(after.history.at(-1)).toMatchObject({ type: 'timer.replanned', elementId: 'filing-day' });
    expect(batches.at(-1)!.request).toMatchObject({ timersProvisional: false });

    // It fires at the new instant, before the old one.
    await env.sleep(Date.parse(dueOn(monday!)) - (await env.currentTimeMs()) + 60_000);
    const { open } = await openTask(handle);
    expect(open).toMatchObject({ elementId: 'file' });
    expect(await env.currentTimeMs()).toBeLessThan(Date.parse(dueOn(tuesday!)));
    await endChain(handle);
  });

  it('holds the filing until its materials are attached, then re-runs from guidance when an approved one changes (H6)', async () => {
    const handle = await start({ conferenceDate: CONFERENCE_DATE });
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const attach = (kind: string, version: number, actor = 'sunli') =>
      handle.executeUpdate(documentsUpdate, {
        args: [{ kind, version, sha256: sha(`${kind} v${version}`), name: `${kind}.pdf`, actor }],
      });
    // Someone neither applying nor asked by an open task may not attach anything: refused before history.
    await expect(attach('release-statement', 1, 'zhaohua')).rejects.toMatchObject({
      cause: { type: 'ChainRefused', details: [{ code: 'UPLOAD_NOT_ALLOWED' }] },
    });
    await attach('release-statement', 1);
    for (const [, actor] of H3_CHAIN.slice(0, -1)) await decide(handle, actor, 'approve');
    const { open: filing } = await openTask(handle);
    expect(filing).toMatchObject({ elementId: 'file-materials' });

    const refused = handle.executeUpdate(decideUpdate, {
      args: [{ taskId: filing!.taskId, action: 'approve', actor: 'wangfang' }],
    });
    await expect(refused).rejects.toMatchObject({
      cause: {
        type: 'DecisionRefused',
        details: [{ code: 'MATERIALS_MISSING', missing: ['host-script', 'qa-lines', 'background', 'venue-plan'] }],
      },
    });
    const blocked = await handle.query(stateQuery);
    expect(blocked.materials).toEqual({
      [filing!.taskId]: ['release-statement', 'host-script', 'qa-lines', 'background', 'venue-plan'],
    });
    expect(blocked.history.filter((h) => h.type === 'task.decided')).toHaveLength(5);
    // Every sign-off after the first document names the version it approved.
    for (const h of blocked.history.filter((h) => h.type === 'task.decided')) {
      expect(h.detail).toEqual({ documents: { 'release-statement': sha('release-statement v1') } });
    }

    // The filing officer attaches the rest (an open task asks her); the applicant changes the statement.
    for (const kind of ['host-script', 'qa-lines', 'background', 'venue-plan']) await attach(kind, 1, 'wangfang');
    const changed = await attach('release-statement', 2);
    expect(changed.round).toBe(2);
    expect(changed.tasks.find((t) => t.taskId === filing!.taskId)).toMatchObject({ status: 'cancelled' });
    expect(changed.tasks.filter((t) => t.status === 'open').map((t) => [t.elementId, t.round])).toEqual([
      ['guidance', 2],
    ]);
    expect(changed.history.find((h) => h.type === 'document.changed')).toMatchObject({
      actor: 'sunli',
      detail: {
        kind: 'release-statement',
        from: { version: 1 },
        to: { version: 2, sha256: sha('release-statement v2') },
        approvedBy: H3_CHAIN.slice(0, -1).map(([step]) => `${handle.workflowId}.${step}.1`),
      },
    });
    expect(batches.flatMap((b) => b.events).filter((e) => e.type === 'document.attached')).toHaveLength(6);

    // Signed again, the filing is approved with all five, each by the version it saw.
    for (const [, actor] of H3_CHAIN.slice(1)) await decide(handle, actor, 'approve');
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });
    const done = await handle.query(stateQuery);
    expect(done.history.findLast((h) => h.type === 'task.decided')).toMatchObject({
      elementId: 'file-materials',
      detail: { documents: { 'release-statement': sha('release-statement v2'), 'venue-plan': sha('venue-plan v1') } },
    });
  });

  it('re-runs the approval from guidance in round 2 when the conference moves after sign-off (H6), for the applicant only', async () => {
    const handle = await start({ conferenceDate: CONFERENCE_DATE });
    for (const [, actor] of H3_CHAIN.slice(0, -1)) await decide(handle, actor, 'approve');
    const { open } = await openTask(handle);
    expect(open).toMatchObject({ elementId: 'file-materials', dueAt: dueOn(addDays(CONFERENCE_DATE, -3)) });

    const stranger = handle.executeUpdate(rescheduleUpdate, {
      args: [{ conferenceDate: addDays(CONFERENCE_DATE, 7), actor: 'chenming' }],
    });
    await expect(stranger).rejects.toMatchObject({
      cause: { type: 'RescheduleRefused', details: [{ code: 'FORBIDDEN' }] },
    });

    const nextFriday = addDays(CONFERENCE_DATE, 7);
    const result = await handle.executeUpdate(rescheduleUpdate, {
      args: [{ conferenceDate: nextFriday, actor: 'sunli', reason: '会场调整' }],
    });
    expect(result).toEqual({ conferenceDate: nextFriday, replanned: [], round: 2, reapproval: true });
    const state = await handle.query(stateQuery);
    expect(state.tasks.find((t) => t.taskId === open!.taskId)).toMatchObject({ status: 'cancelled' });
    expect(state.tasks.filter((t) => t.status === 'open').map((t) => [t.elementId, t.round])).toEqual([
      ['guidance', 2],
    ]);
    expect(state.history.map((h) => h.type)).toEqual(
      expect.arrayContaining(['request.rescheduled', 'round.started', 'task.cancelled']),
    );
    expect(state.history.find((h) => h.type === 'request.rescheduled')).toMatchObject({
      actor: 'sunli',
      detail: { field: 'conferenceDate', from: CONFERENCE_DATE, to: nextFriday, reason: '会场调整' },
    });

    // Signed again, filing is now due 3 working days before the new date.
    for (const [, actor] of H3_CHAIN.slice(1, -1)) await decide(handle, actor, 'approve');
    const { open: filing } = await openTask(handle);
    expect(filing).toMatchObject({ elementId: 'file-materials', round: 2, dueAt: dueOn(addDays(nextFriday, -3)) });
    expect(batches.at(-1)!.request).toMatchObject({ conferenceDate: nextFriday, round: 2 });
    await endChain(handle);
  });

  it('moves the date without re-approval while nothing from guidance on has been approved (H6)', async () => {
    const handle = await start({ conferenceDate: CONFERENCE_DATE });
    await decide(handle, 'sunli', 'approve');
    const { open } = await openTask(handle);
    expect(open).toMatchObject({ elementId: 'guidance' });
    const result = await handle.executeUpdate(changeUpdate, {
      args: [{ actor: 'sunli', conferenceDate: addDays(CONFERENCE_DATE, 7), title: '新标题' }],
    });
    expect(result).toEqual({ replanned: [], round: 1, reapproval: false });
    const state = await handle.query(stateQuery);
    expect(state.tasks.find((t) => t.taskId === open!.taskId)).toMatchObject({ status: 'open' });
    expect(state.history.at(-1)).toMatchObject({
      type: 'request.changed',
      detail: { changes: { title: { to: '新标题' }, conferenceDate: { from: CONFERENCE_DATE } } },
    });
    await endChain(handle);
  });

  it('fires a 2-working-day reply deadline on the right day when it crosses a week-long holiday (H1)', async () => {
    // The real 2026 National Day is behind the server clock, so the holiday is placed right after
    // today (test data shaped like it: seven days off).
    const today = businessDate(new Date(await env.currentTimeMs()));
    const data = loadBundledCalendarData();
    const holiday = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [addDays(today, n), '国庆节（测试）']));
    calendar = new WorkingDayCalendar({ ...data, holidays: { ...data.holidays, ...holiday } });

    const handle = await start();
    await decide(handle, 'sunli', 'approve');
    const { open } = await openTask(handle);
    expect(open!.elementId).toBe('guidance');
    // Due at 18:00 Shanghai on the 2nd working day after the holiday week, not within it.
    const dueDay = businessDate(new Date(open!.dueAt!));
    expect(dueDay > addDays(today, 7)).toBe(true);
    const guidance = ir.nodes.guidance;
    if (guidance?.kind !== 'userTask' || !guidance.due) throw new Error('the H3 guidance step has a due rule');
    const expected = computeDue(guidance.due, { openedAt: new Date(open!.openedAt!), request: {}, calendar });
    expect(open!.dueAt).toBe(expected.dueAt.toISOString());

    // A minute before the due time the task is on time; a minute after, it is overdue.
    const due = Date.parse(open!.dueAt!);
    await env.sleep(due - (await env.currentTimeMs()) - 60_000);
    expect((await handle.query(stateQuery)).tasks.find((t) => t.taskId === open!.taskId)).toMatchObject({
      overdue: false,
    });
    await env.sleep(120_000);
    expect((await handle.query(stateQuery)).tasks.find((t) => t.taskId === open!.taskId)).toMatchObject({
      overdue: true,
    });
    await endChain(handle);
  });
});
