// Recurring processes (timer start events) as their schedule starts them, on the time-skipping
// test server: a run takes its period and date from the statutory calendar, and a unit that does
// not send its annual plan by 1 February (L2) is recorded as missing by name while the press
// office compiles the others'. The deadline is crossed by skipping time.
import { type Client, type WorkflowHandle } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { parseRecurrence, type Recurrence, upcomingPeriodOf } from '../../src/calendar/recurrence.js';
import { addDays, businessDate } from '../../src/calendar/working-days.js';
import type { approvalProcess } from '../../workflows/approval-process.js';
import { SCHEDULER, type ProcessView, decideUpdate, stateQuery } from '../../workflows/definitions.js';
import { everyPositionDirectory, loadProcess, requestFor, startChain, waitForView } from '../support/chains.js';
import { startTestWorker, testActivities } from '../support/activities.js';

let env: TestWorkflowEnvironment;
let client: Client;
let stop: () => Promise<void>;
const taskQueue = 'recurring-test';

// A test server of its own for each test: each run starts at today's date, and one test's clock
// jumps (or its chains' timers) never reach another's.
beforeEach(async () => {
  // Workflows stay cached here: a month of daily reminders replayed from the start at every
  // workflow task (the chains spec's maxCachedWorkflows: 0) takes minutes of skipped time.
  ({ env, client, stop } = await startTestWorker(taskQueue, testActivities({ directory: everyPositionDirectory })));
}, 60_000);

afterEach(async () => {
  await stop?.();
});

type Handle = WorkflowHandle<typeof approvalProcess>;

const waitFor = (handle: Handle, ok: (v: ProcessView) => boolean) => waitForView(env, handle, ok);

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

  it('N2: proposals (one department late, reminded then recorded as missing), consolidation, the meeting, and a conference request per accepted topic', async () => {
    // Run as the schedule would, on the 1st of a month; in a month's last days the proposals would
    // already be due, so the clock first moves to the next 1st (09:00 in Shanghai).
    const today = businessDate(new Date(await env.currentTimeMs()));
    const proposalsDue = bundledCalendar().addWorkingDays(
      upcomingPeriodOf(rule('last-working-day-of-month'), today, bundledCalendar()).date,
      -3,
    ).date;
    if (proposalsDue <= addDays(today, 1)) {
      const first = addDays(`${today.slice(0, 7)}-01`, 40).slice(0, 7);
      await env.sleep(Date.parse(`${first}-01T01:00:00Z`) - (await env.currentTimeMs()));
    }
    const { handle, now } = await startRun('ningbo-topic-meeting', 'N2-RUN-1');
    const expected = upcomingPeriodOf(rule('last-working-day-of-month'), businessDate(now), bundledCalendar());
    const opened = await waitFor(handle, (v) => v.tasks.filter((t) => t.status === 'open').length === 2);
    expect(opened.variables).toMatchObject({ conferenceDate: expected.date });
    const [transport, health] = ['nb-transport', 'nb-health'].map((org) =>
      opened.tasks.find((t) => t.candidates[0] === `drafter@${org}`)!,
    );
    await handle.executeUpdate(decideUpdate, {
      args: [
        { taskId: transport!.taskId, action: 'approve', actor: 'drafter@nb-transport', comment: '选题：春运保障' },
      ],
    });
    // Past the proposals' due time, a few days at a time: the daily reminders fire on the way.
    for (let left = Date.parse(health!.dueAt!) + 60_000 - (await env.currentTimeMs()); left > 0;) {
      await env.sleep(Math.min(left, 2 * 86_400_000));
      left = Date.parse(health!.dueAt!) + 60_000 - (await env.currentTimeMs());
    }
    const consolidating = await waitFor(handle, (v) =>
      v.tasks.some((t) => t.elementId === 'consolidate' && t.status === 'open'),
    );
    expect(consolidating.history.filter((h) => h.type === 'service.completed').length).toBeGreaterThan(0);
    expect(consolidating.history.find((h) => h.type === 'step.completed')?.detail).toMatchObject({
      missedBy: ['drafter@nb-health'],
    });
    const decide = async (elementId: string, actor: string, data?: Record<string, unknown>) => {
      const view = await waitFor(handle, (v) => v.tasks.some((t) => t.elementId === elementId && t.status === 'open'));
      const task = view.tasks.find((t) => t.elementId === elementId && t.status === 'open')!;
      return handle.executeUpdate(decideUpdate, {
        args: [{ taskId: task.taskId, action: 'approve', actor, ...(data ? { data } : {}) }],
      });
    };
    await decide('consolidate', 'press-officer@nb-press-office');

    // The meeting's approval gives the topics; a list that cannot start requests is refused.
    for (const data of [undefined, { topics: [{ orgCode: 'nb-health', title: '健康宁波', conferenceDate: '下月' }] }]) {
      await expect(decide('meeting', 'secretary-general@nb-gov-office', data)).rejects.toMatchObject({
        cause: { details: [expect.objectContaining({ code: 'OUTPUT_INVALID' })] },
      });
    }
    const topics = [
      { orgCode: 'nb-transport', title: '春运交通保障新闻发布会', conferenceDate: '2027-01-20' },
      { orgCode: 'nb-health', title: '冬季传染病防控新闻发布会', conferenceDate: '2027-01-22' },
    ];
    await decide('meeting', 'secretary-general@nb-gov-office', { topics });
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });

    const done = await handle.query(stateQuery);
    const started = done.history.find((h) => h.type === 'service.completed' && h.elementId === 'start-conferences');
    expect(started?.detail).toEqual({
      process: 'ningbo-department-conference',
      started: ['N2-RUN-1.start-conferences.1', 'N2-RUN-1.start-conferences.2'],
    });
    for (const [i, topic] of topics.entries()) {
      const child = client.workflow.getHandle(`N2-RUN-1.start-conferences.${i + 1}`);
      const view = await waitFor(child as Handle, (v) => v.tasks.some((t) => t.status === 'open'));
      expect(view).toMatchObject({ processKey: 'ningbo-department-conference', status: 'running' });
      expect(view.variables).toMatchObject({ meeting: 'N2-RUN-1', conferenceDate: topic.conferenceDate });
      expect(view.tasks.find((t) => t.status === 'open')).toMatchObject({
        elementId: 'sign-main-leader',
        candidates: [`main-leader@${topic.orgCode}`],
      });
      expect((await child.describe()).raw.workflowExecutionInfo?.parentExecution?.workflowId).toBe('N2-RUN-1');
    }
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
