// Incidents on the time-skipping test server (H7, N7, U2, O1–O5): hour clocks counted from the
// moment the event was known, warned at 80 % and breached at the end with who held the task; a
// severity upgrade that shortens a running clock; the five checks (五关) with a return; several
// units answering, one handing its part on; the Ningbo release on 宁波发布 before the website.
// Time moves only by env.sleep: nothing here waits on the wall clock.
import { type Client, type WorkflowHandle } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import type { ProjectionBatch } from '../../activities/projection.js';
import { type ReportIncident, buildReport } from '../../src/incidents/report.js';
import type { Severity } from '../../src/incidents/routing.js';
import type { ClockState } from '../../workflows/approval-machine.js';
import type { approvalProcess } from '../../workflows/approval-process.js';
import {
  type ProcessView,
  decideUpdate,
  handOverUpdate,
  reassessUpdate,
  stateQuery,
} from '../../workflows/definitions.js';
import { everyPositionDirectory, loadProcess, requestFor, startChain, waitForView } from '../support/chains.js';
import { startTestWorker, testActivities } from '../support/activities.js';

let env: TestWorkflowEnvironment;
let client: Client;
let stop: () => Promise<void>;
const taskQueue = 'incidents-test';
let seq = 0;
const MINUTE = 60_000;
/** The newest projection of each incident: what the read model (and the report) would hold. */
const projected = new Map<string, ProjectionBatch>();

beforeAll(async () => {
  ({ env, client, stop } = await startTestWorker(
    taskQueue,
    testActivities({
      directory: everyPositionDirectory,
      project: (batch) => {
        if ((projected.get(batch.requestId)?.seq ?? 0) < batch.seq) projected.set(batch.requestId, batch);
      },
    }),
  ));
}, 60_000);

afterAll(async () => {
  await stop?.();
});

type Handle = WorkflowHandle<typeof approvalProcess>;

async function startIncident(
  key: string,
  variables: Record<string, string | boolean | string[]>,
): Promise<{ handle: Handle; knownAt: number }> {
  const ir = await loadProcess(key);
  const knownAt = await env.currentTimeMs();
  const units = (variables.units as string[] | undefined) ?? ['lz-transport'];
  const input = requestFor(
    ir,
    {
      title: '某路段交通事故',
      orgCode: units[0],
      major: variables.severity !== undefined && variables.severity !== 'general',
      variables: { knownAt: new Date(knownAt).toISOString(), units, ...variables },
    },
    new Date(knownAt),
  );
  seq += 1;
  return { handle: await startChain(client, taskQueue, `${ir.code}-INC-${seq}`, input), knownAt };
}

const waitFor = (handle: Handle, ok: (v: ProcessView) => boolean) => waitForView(env, handle, ok);

async function sleepUntil(instant: number): Promise<void> {
  const ms = instant - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

/** Approves every open task of an element, as its first candidate, with the data given. */
async function approve(handle: Handle, elementId: string, data?: Record<string, unknown>): Promise<ProcessView> {
  const view = await handle.query(stateQuery);
  const open = view.tasks.filter((t) => t.status === 'open' && t.elementId === elementId);
  expect(open.length).toBeGreaterThan(0);
  for (const task of open) {
    await handle.executeUpdate(decideUpdate, {
      args: [{ taskId: task.taskId, actor: task.candidates[0]!, action: 'approve', ...(data ? { data } : {}) }],
    });
  }
  return handle.query(stateQuery);
}

const clock = (view: ProcessView, id: string): ClockState | undefined => view.clocks?.find((c) => c.clockId === id);
const types = (view: ProcessView) => view.history.map((h) => h.type);

/** Liuzhou's chain up to the five checks: assessed, the units' drafts, the agreed release. */
async function upToChecks(handle: Handle, assessment: Record<string, unknown> = {}): Promise<void> {
  await approve(handle, 'assess', assessment);
  await approve(handle, 'respond', { draft: '经核查，事故已处置。' });
  await approve(handle, 'agree', { release: '关于某路段交通事故的情况通报' });
}

describe('liuzhou-opinion-response: hour clocks (O2)', () => {
  it('a major event released 50 minutes after it was known meets its 1-hour clock, with a warning at 48 minutes', async () => {
    const { handle, knownAt } = await startIncident('liuzhou-opinion-response', { severity: 'major' });
    const started = await handle.query(stateQuery);
    expect(clock(started, 'first-release')).toMatchObject({
      status: 'running',
      windowMs: 60 * MINUTE,
      dueAt: new Date(knownAt + 60 * MINUTE).toISOString(),
      warnAt: new Date(knownAt + 48 * MINUTE).toISOString(),
    });
    await sleepUntil(knownAt + 10 * MINUTE);
    await upToChecks(handle);
    await sleepUntil(knownAt + 50 * MINUTE);
    const warned = await waitFor(handle, (v) => types(v).includes('clock.warned'));
    expect(warned.history.find((h) => h.type === 'clock.warned')?.detail).toMatchObject({
      clockId: 'first-release',
      // The lead unit's main leader and the press office head are told; the checks' holders are named.
      notified: ['main-leader@lz-transport', 'press-office-head@lz-press-office'],
      holders: expect.arrayContaining(['reviewer@lz-legal', 'reviewer@lz-secrecy']),
    });

    const released = await approve(handle, 'checks');
    expect(clock(released, 'first-release')).toMatchObject({ status: 'met', metBy: 'release', unit: 'lz-transport' });
    expect(clock(released, 'first-release')?.late).toBeUndefined();
    const met = released.history.find((h) => h.type === 'clock.met')!;
    expect(met.detail).toMatchObject({ clockId: 'first-release', late: false });
    expect(met.detail!.elapsedMs as number).toBeGreaterThanOrEqual(50 * MINUTE);
    expect(met.detail!.elapsedMs as number).toBeLessThan(60 * MINUTE);
    expect(types(released)).not.toContain('clock.breached');
    // Nothing more fires after the clock was met: skipping past its end records no breach.
    await sleepUntil(knownAt + 2 * 60 * MINUTE);
    const later = await handle.query(stateQuery);
    expect(types(later)).not.toContain('clock.breached');
    await approve(handle, 'follow', { next: 'close' });
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });
  });

  it('one released after 70 minutes is breached at 60, naming who held it and telling the escalation, then met late', async () => {
    const { handle, knownAt } = await startIncident('liuzhou-opinion-response', { severity: 'major' });
    await upToChecks(handle);
    await sleepUntil(knownAt + 70 * MINUTE);
    const breached = await waitFor(handle, (v) => types(v).includes('clock.breached'));
    const entry = breached.history.find((h) => h.type === 'clock.breached')!;
    // At the end of the window (the timer fires within the workflow task that follows it).
    expect(Date.parse(entry.at) - (knownAt + 60 * MINUTE)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(entry.at) - (knownAt + 60 * MINUTE)).toBeLessThan(MINUTE);
    expect(entry.detail).toMatchObject({
      clockId: 'first-release',
      tasks: ['checks', 'checks', 'checks', 'checks', 'checks'],
      unit: 'lz-transport',
      notified: ['press-office-head@lz-press-office', 'secretary-general@lz-gov-office'],
    });
    expect(entry.detail!.holders).toEqual([
      'main-leader@lz-transport',
      'press-office-head@lz-press-office',
      'press-officer@lz-press-office',
      'reviewer@lz-legal',
      'reviewer@lz-secrecy',
    ]);

    const released = await approve(handle, 'checks');
    // A breach stays a breach: met late, not met.
    expect(clock(released, 'first-release')).toMatchObject({ status: 'breached', late: true, metBy: 'release' });
    expect(released.history.find((h) => h.type === 'clock.met')?.detail).toMatchObject({ late: true });
    await approve(handle, 'follow', { next: 'close' });
    await handle.result();
  });

  it('a severity upgrade shortens the running clock; a later downgrade keeps it short', async () => {
    const { handle, knownAt } = await startIncident('liuzhou-opinion-response', { severity: 'general' });
    const before = await handle.query(stateQuery);
    expect(clock(before, 'first-release')).toMatchObject({
      windowMs: 48 * 60 * MINUTE,
      dueAt: new Date(knownAt + 48 * 60 * MINUTE).toISOString(),
    });
    expect(clock(before, 'conference')).toBeUndefined();

    await sleepUntil(knownAt + 20 * MINUTE);
    const upgraded = await handle.executeUpdate(reassessUpdate, {
      args: [{ actor: 'press-officer@lz-press-office', severity: 'major', reason: '伤亡人数上升' }],
    });
    expect(clock(upgraded, 'first-release')).toMatchObject({
      status: 'running',
      windowMs: 60 * MINUTE,
      dueAt: new Date(knownAt + 60 * MINUTE).toISOString(),
      severity: 'major',
    });
    expect(upgraded.history.find((h) => h.type === 'clock.replanned')?.detail).toMatchObject({
      clockId: 'first-release',
      from: { windowMs: 48 * 60 * MINUTE },
      to: { windowMs: 60 * MINUTE },
    });
    await expect(
      handle.executeUpdate(reassessUpdate, { args: [{ actor: 'press-officer@lz-press-office', severity: 'major' }] }),
    ).rejects.toMatchObject({ cause: { type: 'ChainRefused', details: [{ code: 'SEVERITY_UNCHANGED' }] } });

    const downgraded = await handle.executeUpdate(reassessUpdate, {
      args: [{ actor: 'press-officer@lz-press-office', severity: 'general', reason: '核实后降级' }],
    });
    expect(clock(downgraded, 'first-release')).toMatchObject({ windowMs: 60 * MINUTE });
    expect(downgraded.history.filter((h) => h.type === 'incident.reassessed').map((h) => h.detail)).toEqual([
      { from: 'general', to: 'major' },
      { from: 'major', to: 'general' },
    ]);

    // The assessment says heavy casualties: the 24-hour conference clock starts, counted from the event.
    const assessed = await approve(handle, 'assess', { heavy: true });
    expect(clock(assessed, 'conference')).toMatchObject({
      status: 'running',
      dueAt: new Date(knownAt + 24 * 60 * MINUTE).toISOString(),
    });
    await sleepUntil(knownAt + 61 * MINUTE);
    const breached = await waitFor(handle, (v) => clock(v, 'first-release')?.status === 'breached');
    expect(breached.history.find((h) => h.type === 'clock.breached')?.detail).toMatchObject({ tasks: ['respond'] });
    await handle.terminate('test done');
  });
});

describe('liuzhou-opinion-response: the five checks (O3) and several units (O4)', () => {
  it('runs the five checks at once, each by its owner; the legal check returns the draft and all five sign again', async () => {
    const { handle } = await startIncident('liuzhou-opinion-response', { severity: 'major' });
    await upToChecks(handle);
    const checking = await handle.query(stateQuery);
    const checks = checking.tasks.filter((t) => t.status === 'open' && t.elementId === 'checks');
    expect(checks.map((t) => [t.name, t.candidates])).toEqual([
      ['五关审核（政治关）', ['press-office-head@lz-press-office']],
      ['五关审核（政策关）', ['main-leader@lz-transport']],
      ['五关审核（法律关）', ['reviewer@lz-legal']],
      ['五关审核（文字关）', ['press-officer@lz-press-office']],
      ['五关审核（保密关）', ['reviewer@lz-secrecy']],
    ]);
    // Four pass; the release still waits for the fifth.
    for (const task of checks.filter((t) => !t.name.includes('法律关'))) {
      await handle.executeUpdate(decideUpdate, {
        args: [{ taskId: task.taskId, actor: task.candidates[0]!, action: 'approve' }],
      });
    }
    expect((await handle.query(stateQuery)).history.some((h) => h.type === 'service.completed')).toBe(false);
    const legal = checks.find((t) => t.name.includes('法律关'))!;
    await expect(
      handle.executeUpdate(decideUpdate, {
        args: [{ taskId: legal.taskId, actor: 'reviewer@lz-legal', action: 'return', returnTo: 'agree' }],
      }),
    ).rejects.toMatchObject({ cause: { details: [{ code: 'COMMENT_REQUIRED' }] } });
    await handle.executeUpdate(decideUpdate, {
      args: [
        {
          taskId: legal.taskId,
          actor: 'reviewer@lz-legal',
          action: 'return',
          returnTo: 'agree',
          comment: '第二段表述需依据条例修改',
        },
      ],
    });
    const returned = await handle.query(stateQuery);
    expect(returned.round).toBe(2);
    expect(returned.tasks.filter((t) => t.status === 'open').map((t) => t.elementId)).toEqual(['agree']);

    await approve(handle, 'agree', { release: '关于某路段交通事故的情况通报（修改稿）' });
    const again = await approve(handle, 'checks');
    const releases = again.history.filter((h) => h.type === 'service.completed' && h.elementId === 'release');
    expect(releases).toHaveLength(1);
    expect(again.variables.release).toBe('关于某路段交通事故的情况通报（修改稿）');
    expect(again.tasks.filter((t) => t.elementId === 'checks' && t.decision === 'approve')).toHaveLength(9);
    await approve(handle, 'follow', { next: 'close' });
    await handle.result();
  });

  it('several units answer at once, one hands its part on; an especially major item goes to the mayor; a follow-up passes the checks again', async () => {
    const { handle } = await startIncident('liuzhou-opinion-response', {
      severity: 'especially-major',
      units: ['lz-transport', 'lz-health'],
      rumour: true,
    });
    await approve(handle, 'assess');
    // O1: a harmful rumour goes to public security first.
    await approve(handle, 'police');
    const responding = await handle.query(stateQuery);
    const respond = responding.tasks.filter((t) => t.status === 'open' && t.elementId === 'respond');
    expect(respond.map((t) => [t.item, t.candidates])).toEqual([
      ['lz-transport', ['drafter@lz-transport']],
      ['lz-health', ['drafter@lz-health']],
    ]);
    await expect(
      handle.executeUpdate(handOverUpdate, {
        args: [{ actor: 'drafter@lz-health', from: 'lz-health', to: 'lz-transport' }],
      }),
    ).rejects.toMatchObject({ cause: { details: [{ code: 'HANDOVER_INVALID' }] } });
    const handed = await handle.executeUpdate(handOverUpdate, {
      args: [{ actor: 'drafter@lz-health', from: 'lz-health', to: 'lz-liubei', reason: '属地事项' }],
    });
    expect(handed.variables.units).toEqual(['lz-transport', 'lz-liubei']);
    expect(handed.tasks.find((t) => t.taskId === respond[1]!.taskId)).toMatchObject({
      status: 'open',
      item: 'lz-liubei',
      candidates: ['drafter@lz-liubei'],
      name: '责任单位拟定回应（lz-liubei）',
    });
    expect(handed.history.find((h) => h.type === 'incident.handedOver')).toMatchObject({
      actor: 'drafter@lz-health',
      detail: { from: 'lz-health', to: 'lz-liubei', lead: false },
    });

    const drafted = await approve(handle, 'respond', { draft: '本单位职责范围内情况' });
    // O4: the drafts are kept side by side for the office that makes them agree.
    expect(drafted.variables.draft).toEqual({
      'lz-transport': '本单位职责范围内情况',
      'lz-liubei': '本单位职责范围内情况',
    });
    await approve(handle, 'agree', { release: '联合通报' });
    const leader = await handle.query(stateQuery);
    expect(leader.tasks.find((t) => t.status === 'open')).toMatchObject({
      elementId: 'leader',
      candidates: ['mayor@lz-gov'],
    });
    await approve(handle, 'leader');
    await approve(handle, 'checks');
    await approve(handle, 'follow', { next: 'follow-up' });
    await approve(handle, 'agree', { release: '续报' });
    await approve(handle, 'leader');
    const second = await approve(handle, 'checks');
    expect(second.history.filter((h) => h.type === 'service.completed' && h.elementId === 'release')).toHaveLength(2);
    await approve(handle, 'follow', { next: 'close' });
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });
  });
});

describe('the other cities', () => {
  it('huludao-emergency (H7): a major event has 5 hours to its first release and 24 to its conference', async () => {
    const { handle, knownAt } = await startIncident('huludao-emergency', { severity: 'major', units: ['hld-health'] });
    const view = await handle.query(stateQuery);
    expect(clock(view, 'first-release')).toMatchObject({ dueAt: new Date(knownAt + 5 * 60 * MINUTE).toISOString() });
    expect(clock(view, 'conference')).toMatchObject({ dueAt: new Date(knownAt + 24 * 60 * MINUTE).toISOString() });
    await approve(handle, 'assess');
    await approve(handle, 'respond', { draft: '情况' });
    // Past the warning at 80 % (4 hours), before the 5-hour breach.
    await sleepUntil(knownAt + 4.5 * 60 * MINUTE);
    await waitFor(handle, (v) => types(v).includes('clock.warned'));
    await approve(handle, 'review', { release: '通报' });
    const conference = await approve(handle, 'conference');
    expect(clock(conference, 'first-release')).toMatchObject({ status: 'met' });
    expect(clock(conference, 'conference')).toMatchObject({ status: 'met' });
    await approve(handle, 'follow', { next: 'close' });
    await handle.result();
  });

  it('huludao-emergency (H7): a general event runs no hour clock', async () => {
    const { handle } = await startIncident('huludao-emergency', { units: ['hld-suizhong'] });
    expect((await handle.query(stateQuery)).clocks).toEqual([]);
    await handle.terminate('test done');
  });

  it('ningbo-emergency-release (N7): tells the press office, then publishes on 宁波发布 before the website', async () => {
    const { handle } = await startIncident('ningbo-emergency-release', { units: ['nb-transport'] });
    await approve(handle, 'draft-lines', { release: '口径' });
    const done = await approve(handle, 'review-lines');
    const order = done.history
      .filter((h) => h.type === 'service.completed')
      .map((h) => [h.elementId, h.detail?.channels ?? h.detail?.recipients]);
    expect(order).toEqual([
      ['inform', ['press-office-head@nb-press-office', 'press-officer@nb-press-office']],
      ['publish-first', ['ningbo-fabu']],
      ['publish-site', ['ningbo-gov-site']],
    ]);
    await approve(handle, 'follow', { next: 'close' });
    await handle.result();
  });

  it('huainan-emergency (U2): a major emergency has 24 hours to its conference; breached when it is not held', async () => {
    const { handle, knownAt } = await startIncident('huainan-emergency', { severity: 'major', units: ['hn-edu'] });
    await approve(handle, 'assess');
    await approve(handle, 'respond', { draft: '权威信息' });
    await approve(handle, 'review', { release: '通报' });
    await sleepUntil(knownAt + 25 * 60 * MINUTE);
    const breached = await waitFor(handle, (v) => clock(v, 'conference')?.status === 'breached');
    expect(breached.history.find((h) => h.type === 'clock.breached')?.detail).toMatchObject({
      clockId: 'conference',
      holders: ['press-office-head@hn-press-office'],
      tasks: ['conference'],
    });
    await handle.terminate('test done');
  });
});

describe('the accountability report (O5, U3)', () => {
  it('shows the breaches these chains created, by unit, with who held the work', () => {
    const incidents: ReportIncident[] = [...projected.values()].map((batch) => ({
      id: batch.requestId,
      city: batch.request.processKey.split('-')[0]!,
      summary: batch.request.title,
      severity: batch.request.variables!.severity as Severity,
      unit: batch.request.orgCode,
      knownAt: String(batch.request.variables!.knownAt),
      clocks: (batch.clocks ?? []).map((c) => ({
        ...c,
        metAt: c.metAt ?? null,
        breachedAt: c.breachedAt ?? null,
        late: c.late ?? false,
        holders: c.holders ?? [],
        unit: c.unit ?? null,
      })),
    }));
    const report = buildReport(incidents, { city: null, from: '2000-01-01', to: '2100-01-01' });
    expect(report.total).toBe(incidents.length);
    // The 70-minute release and the upgraded clock (Liuzhou), the conference never held (Huainan).
    expect(report.breachesByUnit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          unit: 'lz-transport',
          count: 2,
          clocks: ['首次发布'],
          holders: expect.arrayContaining(['reviewer@lz-legal', 'drafter@lz-transport']),
        }),
        expect.objectContaining({ unit: 'hn-edu', count: 1, clocks: ['召开新闻发布会'] }),
      ]),
    );
    const late = report.incidents.filter((i) => i.firstRelease.status === 'late');
    expect(late).toHaveLength(1);
    expect(late[0]!.firstRelease.timeToReleaseMs).toBeGreaterThanOrEqual(70 * MINUTE);
  });
});
