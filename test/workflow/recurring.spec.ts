// Recurring processes (timer start events) as their schedule starts them, on the time-skipping
// test server: a run takes its period and date from the statutory calendar, and a unit that does
// not send its annual plan by 1 February (L2) is recorded as missing by name while the press
// office compiles the others'. The deadline is crossed by skipping time.
import { type Client, type WorkflowHandle } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { parseRecurrence, type Recurrence, upcomingPeriodOf } from '../../src/calendar/recurrence.js';
import { businessDate } from '../../src/calendar/working-days.js';
import type { approvalProcess } from '../../workflows/approval-process.js';
import { SCHEDULER, type ProcessView, decideUpdate, stateQuery } from '../../workflows/definitions.js';
import { everyPositionDirectory, loadProcess, requestFor, startChain } from '../support/chains.js';
import { workflowsPath } from '../support/paths.js';
import { startTimeSkipping, testActivities } from '../support/activities.js';

let env: TestWorkflowEnvironment;
let client: Client;
let worker: Worker;
let running: Promise<void>;
const taskQueue = 'recurring-test';

beforeAll(async () => {
  ({ env, client } = await startTimeSkipping());
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    maxCachedWorkflows: 0,
    activities: testActivities({ directory: everyPositionDirectory }),
  });
  running = worker.run();
}, 60_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

type Handle = WorkflowHandle<typeof approvalProcess>;

async function waitFor(handle: Handle, ok: (v: ProcessView) => boolean): Promise<ProcessView> {
  for (let i = 0; i < 100; i++) {
    const view = await handle.query(stateQuery);
    if (ok(view)) return view;
    await env.sleep(10);
  }
  throw new Error(`${handle.workflowId}: condition never met`);
}

async function startRun(key: string, workflowId: string): Promise<{ handle: Handle; now: Date }> {
  const ir = await loadProcess(key);
  const now = new Date(await env.currentTimeMs());
  return { handle: await startChain(client, taskQueue, workflowId, requestFor(ir, {}, now)), now };
}

const rule = (text: string) => parseRecurrence(text) as Recurrence;

describe('a scheduled run', () => {
  it('takes its period and date from the calendar: N3 in the second week of the month ahead', async () => {
    const { handle, now } = await startRun('ningbo-routine-conference', 'N3-RUN-1');
    const expected = upcomingPeriodOf(rule('second-week-of-month'), businessDate(now), bundledCalendar());
    const view = await waitFor(handle, (v) => v.tasks.some((t) => t.status === 'open'));
    expect(view.variables).toMatchObject({
      conferenceDate: expected.date,
      title: `宁波市例行新闻发布会 (N3)（${expected.period}）`,
    });
    expect(view.history[0]).toMatchObject({ type: 'request.submitted', actor: SCHEDULER });
    // fabu:due="conferenceDate - 3WD": three working days before that date, from the calendar.
    const plan = view.tasks.find((t) => t.elementId === 'plan')!;
    expect(plan.dueBasis).toContain(expected.date);
  });

  it('L2: records the unit that did not send its plan by 1 February as missing, and the press office compiles the rest', async () => {
    const { handle, now } = await startRun('liuzhou-annual-plan', 'L2-RUN-1');
    const expected = upcomingPeriodOf(rule('yearly 02-01'), businessDate(now), bundledCalendar());
    const opened = await waitFor(handle, (v) => v.tasks.filter((t) => t.status === 'open').length === 2);
    expect(opened.variables).toMatchObject({ conferenceDate: expected.date });
    const [transport, liubei] = ['lz-transport', 'lz-liubei'].map((org) =>
      opened.tasks.find((t) => t.candidates[0] === `drafter@${org}`)!,
    );
    await handle.executeUpdate(decideUpdate, {
      args: [{ taskId: transport!.taskId, action: 'approve', actor: 'drafter@lz-transport', comment: '计划已报送' }],
    });
    // Nothing moves before the deadline: the step waits for the other unit.
    expect((await handle.query(stateQuery)).tasks.find((t) => t.taskId === liubei!.taskId)!.status).toBe('open');

    await env.sleep(Date.parse(liubei!.dueAt!) - (await env.currentTimeMs()) + 60_000);
    const after = await waitFor(handle, (v) =>
      v.tasks.some((t) => t.elementId === 'compile-plan' && t.status === 'open'),
    );
    expect(after.tasks.find((t) => t.taskId === liubei!.taskId)).toMatchObject({
      status: 'completed',
      skipped: 'missed',
      overdue: true,
    });
    expect(after.tasks.find((t) => t.taskId === liubei!.taskId)!.decision).toBeUndefined();
    expect(after.history.find((h) => h.type === 'task.skipped')).toMatchObject({
      taskId: liubei!.taskId,
      detail: { reason: 'missed', missedBy: ['drafter@lz-liubei'] },
    });
    expect(
      after.history.find((h) => h.type === 'step.completed' && h.elementId === 'submit-plan')?.detail,
    ).toMatchObject({
      result: 'approved',
      approved: 1,
      missed: 1,
      missedBy: ['drafter@lz-liubei'],
    });

    const compile = after.tasks.find((t) => t.elementId === 'compile-plan' && t.status === 'open')!;
    await handle.executeUpdate(decideUpdate, {
      args: [{ taskId: compile.taskId, action: 'approve', actor: 'press-officer@lz-press-office' }],
    });
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });
  });

  it('L5: a quarter whose routine conference is still open a week before its deadline goes to the government office, which assigns a unit, and the supervision office', async () => {
    const { handle, now } = await startRun('liuzhou-routine-conference', 'L1-RUN-1');
    const expected = upcomingPeriodOf(rule('quarterly'), businessDate(now), bundledCalendar());
    const opened = await waitFor(handle, (v) => v.tasks.some((t) => t.elementId === 'fix-plan' && t.status === 'open'));
    expect(opened.variables).toMatchObject({ conferenceDate: expected.date });
    const gap = opened.timers.find((t) => t.elementId === 'gap-looms')!;
    // One week (calendar) before the quarter's last working day, at the start of that day in Shanghai.
    expect(gap.dueAt).toBeDefined();
    expect(Date.parse(gap.dueAt!)).toBeLessThan(Date.parse(`${expected.date}T00:00:00+08:00`));

    await env.sleep(Date.parse(gap.dueAt!) - (await env.currentTimeMs()) + 60_000);
    const decide = async (elementId: string, actor: string) => {
      const view = await waitFor(handle, (v) => v.tasks.some((t) => t.elementId === elementId && t.status === 'open'));
      const task = view.tasks.find((t) => t.elementId === elementId && t.status === 'open')!;
      expect(task.candidates).toEqual([actor]);
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.taskId, action: 'approve', actor }] });
    };
    await decide('report-gap', 'press-office-head@lz-press-office');
    // The gap does not close the step it supervises: the press office may still fix the conference.
    expect((await handle.query(stateQuery)).tasks.find((t) => t.elementId === 'fix-plan')!.status).toBe('open');
    await decide('assign-unit', 'secretary-general@lz-gov-office');
    await decide('receive-explanation', 'supervision-officer@lz-supervision');
    await decide('fix-plan', 'press-officer@lz-press-office');
    await decide('approve-secretary-general', 'secretary-general@lz-gov-office');
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });
    const history = (await handle.query(stateQuery)).history;
    expect(history.find((h) => h.type === 'timer.fired')).toMatchObject({ elementId: 'gap-looms' });
  });
});
