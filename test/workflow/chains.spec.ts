// Every seed chain in processes/, run from its BPMN on the real time-skipping test server: the
// approve path, a rejection, its conditional branch, a return (退回) and resubmission, and a timer
// path (reminder, and escalation where drawn). Timers are crossed by skipping time, never waiting.
// Prints each chain's history budget: events per approval step of its approve path.
import { type Client } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import type { ProcessIR } from '../../src/processes/ir.js';
import { compileBpmn } from '../../src/processes/compiler.js';
import type { DocumentInput } from '../../workflows/approval-machine.js';
import {
  cancelUpdate,
  documentsUpdate,
  messageSignal,
  messageUpdate,
  stateQuery,
  withdrawUpdate,
} from '../../workflows/definitions.js';
import {
  APPLICANT,
  type Policy,
  approveAll,
  drive,
  everyPositionDirectory,
  loadProcess,
  requestFor,
  startChain,
} from '../support/chains.js';
import { type ChainCase, SEED_CHAINS as CHAINS } from '../support/seed-chains.js';
import { startTestWorker, testActivities } from '../support/activities.js';

let env: TestWorkflowEnvironment;
let client: Client;
let stop: () => Promise<void>;
const taskQueue = 'chains-test';
/** Compiled before the suites are declared: which steps allow reject or return shapes the tests. */
const irs = new Map<string, ProcessIR>(
  await Promise.all(CHAINS.map(async ({ key }) => [key, await loadProcess(key)] as const)),
);
const budget: Array<{ chain: string; steps: number; events: number; fixed: number; perStep: number }> = [];
let seq = 0;

beforeAll(async () => {
  ({ env, client, stop } = await startTestWorker(taskQueue, testActivities({ directory: everyPositionDirectory }), {
    maxCachedWorkflows: 0,
  }));
}, 60_000);

afterAll(async () => {
  if (budget.length) {
    const rows = budget.map(
      (b) =>
        `  ${b.chain.padEnd(32)} ${String(b.steps).padStart(5)} ${String(b.events).padStart(7)} ${String(b.fixed).padStart(6)} ${b.perStep.toFixed(1).padStart(9)}`,
    );
    process.stdout.write(
      `\nHistory budget (approve path; fixed = the same chain started, given its documents and withdrawn):\n  ${'chain'.padEnd(32)} steps  events  fixed  per step\n${rows.join('\n')}\n`,
    );
  }
  await stop?.();
});

async function start(c: ChainCase, request: Record<string, unknown> = {}) {
  seq += 1;
  const ir = irs.get(c.key)!;
  const { variables, ...fields } = request as { variables?: Record<string, string | number | boolean> };
  // The test server's clock runs ahead of the wall clock once a test skipped time.
  const now = new Date(await env.currentTimeMs());
  const input = requestFor(ir, { ...fields, variables: { ...c.variables, ...variables } }, now);
  return startChain(client, taskQueue, `${ir.code}-CHAIN-${seq}`, input);
}

describe.each(CHAINS)('$key', (c) => {
  it('walks the approve path from its BPMN to approved', async () => {
    const handle = await start(c);
    const { view, decided, maxDuplicates } = await drive(env, handle);
    expect(decided).toEqual(c.approvePath);
    expect(view).toMatchObject({ status: 'completed', outcome: 'approved', round: 1 });
    expect(maxDuplicates).toBe(1);

    // The history budget: what the chain costs beyond starting, attaching its documents and ending
    // (measured on the same chain given the same documents and withdrawn at once), per approval step.
    const events = (await handle.fetchHistory()).events?.length ?? 0;
    const bare = await start(c);
    for (const { detail } of view.history.filter((h) => h.type === 'document.attached')) {
      await bare.executeUpdate(documentsUpdate, {
        args: [{ ...(detail as unknown as DocumentInput), actor: APPLICANT }],
      });
    }
    await bare.executeUpdate(withdrawUpdate, { args: [{ actor: APPLICANT }] });
    await bare.result();
    const fixed = (await bare.fetchHistory()).events?.length ?? 0;
    const perStep = (events - fixed) / decided.length;
    budget.push({ chain: c.key, steps: decided.length, events, fixed, perStep });
    // docs/architecture.md: an approval step costs at most about 15 history events.
    expect(perStep).toBeLessThanOrEqual(15);
  });

  it('ends rejected when a step rejects', async () => {
    const handle = await start(c);
    const rejecting = lastAllowing(c, 'reject');
    const reject: Policy = (task) => ({ action: task.elementId === rejecting ? 'reject' : 'approve' });
    const { view, decided } = await drive(env, handle, reject);
    expect(decided.at(-1)).toBe(`${rejecting}:reject`);
    expect(view).toMatchObject({ status: 'completed', outcome: 'rejected' });
    expect(view.tasks.filter((t) => t.status === 'open')).toEqual([]);
  });

  const branches = [...(c.branch ? [c.branch] : []), ...(c.moreBranches ?? [])];
  if (branches.length) {
    it.each(branches)('takes its conditional branch for $name', async (branch) => {
      const handle = await start(c, branch.request);
      const { view, decided } = await drive(env, handle);
      expect(decided).toEqual(branch.path);
      expect(view).toMatchObject({ status: 'completed', outcome: 'approved' });
      expect(view.history.some((h) => h.type === 'gateway.taken')).toBe(true);
    });
  }

  const returning = lastAllowing(c, 'return');
  if (returning && c.approvePath.indexOf(returning) > 0) {
    it('returns the last step to the first, runs again in round 2, and approves without a duplicate task', async () => {
      const handle = await start(c);
      let returned = false;
      const returnOnce: Policy = (task, view) => {
        const targets = view.returnTargets[task.taskId] ?? [];
        if (!returned && task.elementId === returning && targets.length) {
          returned = true;
          return { action: 'return', returnTo: c.approvePath[0]! };
        }
        return { action: 'approve' };
      };
      const { view, decided, maxDuplicates } = await drive(env, handle, returnOnce);
      expect(returned).toBe(true);
      const at = c.approvePath.indexOf(returning);
      expect(decided).toEqual([
        ...c.approvePath.slice(0, at),
        `${returning}:return`,
        ...c.approvePath.slice(0, at + 1),
        ...c.approvePath.slice(at + 1),
      ]);
      expect(view).toMatchObject({ status: 'completed', outcome: 'approved', round: 2 });
      expect(maxDuplicates).toBe(1);
      expect(view.history.filter((h) => h.type === 'round.started')).toHaveLength(1);
    });
  }

  const ir = () => irs.get(c.key)!;
  const reminder = () =>
    Object.values(ir().nodes).find((n) => n.kind === 'boundaryTimer' && !n.interrupting) as
      { id: string; attachedTo: string } | undefined;
  it('reminds while a step with a reminder stays open, by skipping time past its timer', async () => {
    const boundary = reminder();
    expect(boundary).toBeDefined();
    const branch = c.branch && !c.approvePath.includes(boundary!.attachedTo) ? c.branch.request : {};
    const handle = await start(c, branch);
    const { view } = await drive(env, handle, approveAll, (v) =>
      v.tasks.some((t) => t.status === 'open' && t.elementId === boundary!.attachedTo),
    );
    const timer = view.timers.find((t) => t.elementId === boundary!.id)!;
    expect(timer.dueAt).toBeDefined();
    await env.sleep(Date.parse(timer.dueAt!) - (await env.currentTimeMs()) + 60_000);
    const after = await waitFor(handle, (v) => v.history.some((h) => h.type === 'service.completed'));
    expect(after.history.find((h) => h.type === 'timer.fired')).toMatchObject({ elementId: boundary!.id });
    expect(after.history.find((h) => h.type === 'service.completed')?.detail).toMatchObject({
      recipients: expect.any(Array),
    });
    // The step itself is still open: a reminder does not interrupt.
    expect(after.tasks.some((t) => t.status === 'open' && t.elementId === boundary!.attachedTo)).toBe(true);
    await handle.executeUpdate(cancelUpdate, { args: [{ actor: 'operator', reason: 'test done' }] });
  });
});

describe('escalation drawn in BPMN (H1)', () => {
  it.each(['huludao-government-conference', 'huludao-party-conference'])(
    '%s: closes guidance and gives the case to the office head one working day after the 2-WD reply deadline',
    async (key) => {
      const c = CHAINS.find((x) => x.key === key)!;
      const handle = await start(c);
      const { view } = await drive(env, handle, approveAll, (v) =>
        v.tasks.some((t) => t.status === 'open' && t.elementId === 'guidance'),
      );
      const timer = view.timers.find((t) => t.elementId === 'guidance-overdue')!;
      const guidance = view.tasks.find((t) => t.elementId === 'guidance')!;
      // The escalation comes after the reply deadline (fabu:due P2WD), not at it.
      expect(Date.parse(timer.dueAt!)).toBeGreaterThan(Date.parse(guidance.dueAt!));
      await env.sleep(Date.parse(timer.dueAt!) - (await env.currentTimeMs()) + 60_000);
      const after = await waitFor(handle, (v) =>
        v.tasks.some((t) => t.elementId === 'escalate-guidance' && t.status === 'open'),
      );
      expect(after.tasks.find((t) => t.taskId === guidance.taskId)).toMatchObject({
        status: 'cancelled',
        overdue: true,
      });
      const { view: done, decided } = await drive(env, handle);
      expect(decided[0]).toBe('escalate-guidance');
      expect(decided[1]).toBe('sign-main-leader');
      expect(done).toMatchObject({ status: 'completed', outcome: 'approved' });
    },
  );
});

describe('message events', () => {
  it('waits for "materials-filed", refuses or drops any other message, and moves on when it arrives', async () => {
    const ir = await compileBpmn(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:fabu="http://fabu.gov.cn/schema/bpmn/fabu" id="defs" targetNamespace="http://fabu.gov.cn/test">
  <bpmn:message id="materials-filed" name="materials-filed"/>
  <bpmn:process id="file-then-publish" name="file, then publish" isExecutable="true" fabu:code="MF">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="sign" name="sign"><bpmn:extensionElements><fabu:candidate initiator="true"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="filed"><bpmn:messageEventDefinition messageRef="materials-filed"/></bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="publish" name="发布" fabu:activity="publish"/>
    <bpmn:endEvent id="end" fabu:outcome="approved"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="filed"/>
    <bpmn:sequenceFlow id="f3" sourceRef="filed" targetRef="publish"/>
    <bpmn:sequenceFlow id="f4" sourceRef="publish" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`);
    seq += 1;
    const now = new Date(await env.currentTimeMs());
    const handle = await startChain(client, taskQueue, `MF-CHAIN-${seq}`, requestFor(ir, {}, now));
    const early = handle.executeUpdate(messageUpdate, { args: [{ name: 'materials-filed', actor: APPLICANT }] });
    await expect(early).rejects.toMatchObject({
      cause: { type: 'ChainRefused', details: [{ code: 'MESSAGE_NOT_EXPECTED' }] },
    });

    const { view } = await drive(env, handle, approveAll, (v) => v.stage === 'filed');
    expect(view.tasks.every((t) => t.status === 'completed')).toBe(true);
    // A signal with another name is dropped, the chain still waits.
    await handle.signal(messageSignal, { name: 'venue-booked', actor: APPLICANT });
    expect((await handle.query(stateQuery)).stage).toBe('filed');

    const done = await handle.executeUpdate(messageUpdate, {
      args: [{ name: 'materials-filed', actor: APPLICANT, payload: { documents: 5 } }],
    });
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      variables: { 'materials-filed': { documents: 5 } },
    });
    expect(done.history.map((h) => h.type)).toEqual(expect.arrayContaining(['message.received', 'service.completed']));
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });
  });
});

describe('continue-as-new', () => {
  it('continues a long chain as new and carries its tasks, timers, history and projection on', async () => {
    const c = CHAINS[0]!;
    const ir = irs.get(c.key)!;
    seq += 1;
    const workflowId = `${ir.code}-CAN-${seq}`;
    const now = new Date(await env.currentTimeMs());
    // A low limit, so the six-step approve path crosses it a few times.
    const input = { ...requestFor(ir, {}, now), historyLimit: 30 };
    const handle = await startChain(client, taskQueue, workflowId, input);
    const firstRun = (await handle.describe()).runId;

    const { view, decided, maxDuplicates } = await drive(env, handle);
    expect(decided).toEqual(c.approvePath);
    expect(view).toMatchObject({ status: 'completed', outcome: 'approved' });
    expect(maxDuplicates).toBe(1);
    // One history across the runs: numbered from the submission, nothing lost or repeated.
    expect(view.history[0]).toMatchObject({ seq: 1, type: 'request.submitted' });
    expect(view.history.map((h) => h.seq)).toEqual(view.history.map((_, i) => i + 1));
    expect(await handle.result()).toMatchObject({ outcome: 'approved' });

    const first = await client.workflow.getHandle(workflowId, firstRun).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const last = await handle.describe();
    expect(last.runId).not.toBe(firstRun);
    expect(last.status.name).toBe('COMPLETED');
  });
});

describe('撤回 and cancellation', () => {
  it('ends withdrawn when the applicant withdraws before anyone else decided, and refuses it after', async () => {
    const c = CHAINS[0]!;
    const handle = await start(c);
    await drive(env, handle, approveAll, (v) =>
      v.tasks.some((t) => t.elementId === 'sign-main-leader' && t.status === 'open'),
    );
    // guidance (the press office) has decided: too late.
    await expect(handle.executeUpdate(withdrawUpdate, { args: [{ actor: APPLICANT }] })).rejects.toThrow();
    await handle.executeUpdate(cancelUpdate, { args: [{ actor: 'operator' }] });
    expect(await handle.result()).toMatchObject({ outcome: 'cancelled' });

    const early = await start(c);
    const view = await early.executeUpdate(withdrawUpdate, { args: [{ actor: APPLICANT, reason: '改期' }] });
    expect(view).toMatchObject({ status: 'completed', outcome: 'withdrawn' });
    expect(await early.result()).toMatchObject({ outcome: 'withdrawn' });
  });
});

/** The last step of the approve path that allows an action (draft steps, for one, only approve). */
function lastAllowing(c: ChainCase, action: 'reject' | 'return'): string {
  const ir = irs.get(c.key)!;
  return [...c.approvePath].reverse().find((id) => {
    const node = ir.nodes[id];
    return node?.kind === 'userTask' && node.actions.includes(action);
  })!;
}

async function waitFor(
  handle: Awaited<ReturnType<typeof start>>,
  ok: (v: Awaited<ReturnType<typeof query>>) => boolean,
) {
  for (let i = 0; i < 100; i++) {
    const view = await query(handle);
    if (ok(view)) return view;
    await env.sleep(10);
  }
  throw new Error(`${handle.workflowId}: condition never met`);
}

const query = (handle: Awaited<ReturnType<typeof start>>) => handle.query(stateQuery);
