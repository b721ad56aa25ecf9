// The interpreter's engine features, driven without a server on small chains compiled from BPMN:
// gateways, parallel joins, multi-instance steps, 退回 (both policies) across branches and
// instances, 撤回 and cancellation, timers, messages and service tasks.
import { compileBpmn } from '../../src/processes/compiler.js';
import type { ProcessIR } from '../../src/processes/ir.js';
import { ApprovalMachine, type Effect, type MachineState } from '../../workflows/approval-machine.js';

const REQUEST = 'T1-2026-0001';
const INITIATOR = 'applicant';
const T0 = '2026-03-02T01:00:00.000Z';
const T1 = '2026-03-02T02:00:00.000Z';

function definitions(body: string, processAttrs = '', declarations = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:fabu="http://fabu.gov.cn/schema/bpmn/fabu" id="defs" targetNamespace="http://fabu.gov.cn/test">
  ${declarations}
  <bpmn:process id="p" name="test chain" isExecutable="true" fabu:code="T1" ${processAttrs}>${body}</bpmn:process>
</bpmn:definitions>`;
}
const start = '<bpmn:startEvent id="start"/>';
const end = (id = 'end', outcome = 'approved') => `<bpmn:endEvent id="${id}" fabu:outcome="${outcome}"/>`;
const flow = (source: string, target: string, condition?: string) =>
  `<bpmn:sequenceFlow id="${source}-${target}" sourceRef="${source}" targetRef="${target}">${
    condition
      ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression>`
      : ''
  }</bpmn:sequenceFlow>`;
/** A user task; each candidate is a position in a fixed org named after the task, so instances differ. */
const task = (id: string, attrs = '', candidates = 1, inner = '') =>
  `<bpmn:userTask id="${id}" name="${id}" ${attrs}><bpmn:extensionElements>${Array.from(
    { length: candidates },
    (_, i) => `<fabu:candidate position="main-leader" org="${id}-${i}"/>`,
  ).join('')}</bpmn:extensionElements>${inner}</bpmn:userTask>`;
const chain = (...ids: string[]) =>
  ids
    .slice(1)
    .map((id, i) => flow(ids[i]!, id))
    .join('');

const compile = (body: string, processAttrs = '', declarations = '') =>
  compileBpmn(definitions(body, processAttrs, declarations));

/** Who decides an instance: one user per task element and instance. */
const userOf = (elementId: string, instance = 0) => `${elementId}.${instance}`;

/**
 * A machine plus the workflow's part of the protocol: opening tasks (candidates resolved to
 * `userOf(element, instance)`), so tests talk only about decisions.
 */
class Driver {
  readonly machine: ApprovalMachine;
  effects: Effect[] = [];

  constructor(ir: ProcessIR, variables: Record<string, unknown> = {}) {
    this.machine = new ApprovalMachine(ir, REQUEST, undefined, variables);
    this.apply(this.machine.start(T0, INITIATOR));
  }

  apply(effects: Effect[]): Effect[] {
    this.effects = effects;
    for (const e of effects) {
      if (e.type === 'openTask') {
        const task = this.machine.state.tasks[e.taskId]!;
        const user =
          e.users?.[0] ?? (e.candidates[0]?.kind === 'initiator' ? INITIATOR : userOf(task.elementId, task.instance));
        this.machine.taskOpened(e.taskId, { candidates: [user], dueProvisional: false }, T0);
      }
    }
    return effects;
  }

  /** The open task of an element (and instance), not an added sign-off; fails when there is not exactly one. */
  open(elementId: string, instance?: number) {
    const found = this.machine
      .openTasks()
      .filter((t) => t.elementId === elementId && !t.addedFor && (instance === undefined || t.instance === instance));
    expect(found).toHaveLength(1);
    return found[0]!;
  }

  decide(
    elementId: string,
    action: 'approve' | 'reject' | 'return' = 'approve',
    opts: { instance?: number; returnTo?: string } = {},
  ) {
    const task = this.open(elementId, opts.instance);
    return this.apply(
      this.machine.decide(
        {
          taskId: task.taskId,
          action,
          actor: task.candidates[0]!,
          ...(opts.returnTo ? { returnTo: opts.returnTo } : {}),
        },
        T1,
      ),
    );
  }

  /** Open tasks as `element/instance`, sorted. */
  get openSteps(): string[] {
    return this.machine
      .openTasks()
      .map((t) => `${t.elementId}/${t.instance}`)
      .sort();
  }

  get status() {
    return [this.machine.state.status, this.machine.state.outcome];
  }

  timerOf(elementId: string) {
    const timers = this.machine.pendingTimers().filter((t) => t.elementId === elementId);
    expect(timers).toHaveLength(1);
    return timers[0]!;
  }
}

const snapshot = (machine: ApprovalMachine): MachineState => structuredClone(machine.state);

describe('ApprovalMachine engine', () => {
  describe('exclusive gateway', () => {
    let ir: ProcessIR;
    beforeAll(async () => {
      ir = await compile(
        start +
          task('sign') +
          '<bpmn:exclusiveGateway id="gw" default="gw-merge"/>' +
          task('mayor') +
          '<bpmn:exclusiveGateway id="merge"/>' +
          task('file') +
          end() +
          chain('start', 'sign', 'gw') +
          flow('gw', 'mayor', 'major') +
          flow('gw', 'merge') +
          chain('mayor', 'merge', 'file', 'end'),
      );
    });

    it('takes the conditional branch when its FEEL condition holds (H3.5 major → mayor)', () => {
      const d = new Driver(ir, { major: true });
      d.decide('sign');
      expect(d.openSteps).toEqual(['mayor/0']);
      expect(d.machine.state.history.at(-2)).toMatchObject({
        type: 'gateway.taken',
        elementId: 'gw',
        detail: { flow: 'gw-mayor', condition: 'major' },
      });
      d.decide('mayor');
      expect(d.openSteps).toEqual(['file/0']);
    });

    it('takes the default flow when no condition holds', () => {
      const d = new Driver(ir, { major: false });
      d.decide('sign');
      expect(d.openSteps).toEqual(['file/0']);
      expect(d.machine.state.history.find((h) => h.type === 'gateway.taken')).toMatchObject({
        detail: { flow: 'gw-merge', default: true },
      });
    });
  });

  describe('parallel gateway', () => {
    let ir: ProcessIR;
    beforeAll(async () => {
      ir = await compile(
        start +
          task('a') +
          '<bpmn:parallelGateway id="fork"/>' +
          task('b') +
          task('b2') +
          task('c') +
          '<bpmn:parallelGateway id="join"/>' +
          task('d') +
          end() +
          chain('start', 'a', 'fork') +
          chain('fork', 'b', 'b2', 'join') +
          chain('fork', 'c', 'join') +
          chain('join', 'd', 'end'),
      );
    });

    it('opens every branch at the fork and the next step once, when the last branch joins', () => {
      const d = new Driver(ir);
      d.decide('a');
      expect(d.openSteps).toEqual(['b/0', 'c/0']);
      d.decide('c');
      d.decide('b');
      expect(d.openSteps).toEqual(['b2/0']);
      d.decide('b2');
      expect(d.openSteps).toEqual(['d/0']);
      d.decide('d');
      expect(d.status).toEqual(['completed', 'approved']);
    });

    it('re-runs only the returned branch and joins with the other branch kept when a step after the join returns into a branch', () => {
      const d = new Driver(ir);
      d.decide('a');
      d.decide('b');
      d.decide('c');
      d.decide('b2');
      d.decide('d', 'return', { returnTo: 'b' });

      expect(d.machine.state.round).toBe(2);
      expect(d.openSteps).toEqual(['b/0']);
      d.decide('b');
      d.decide('b2');
      // c is not asked again: its arrival at the join from round 1 still counts.
      expect(d.openSteps).toEqual(['d/0']);
      const tasks = Object.values(d.machine.state.tasks);
      expect(tasks.filter((t) => t.elementId === 'c')).toHaveLength(1);
      expect(tasks.filter((t) => t.elementId === 'd').map((t) => [t.round, t.status, t.decision])).toEqual([
        [1, 'completed', 'return'],
        [2, 'open', undefined],
      ]);
    });

    it('closes the open task of the other branch and re-runs both when a branch returns before the fork', () => {
      const d = new Driver(ir);
      d.decide('a');
      d.decide('b');
      expect(d.openSteps).toEqual(['b2/0', 'c/0']);

      d.decide('b2', 'return', { returnTo: 'a' });

      // No orphan: c's task, downstream of a, was closed with the return.
      expect(d.openSteps).toEqual(['a/0']);
      expect(Object.values(d.machine.state.tasks).find((t) => t.elementId === 'c')).toMatchObject({
        status: 'cancelled',
      });
      d.decide('a');
      expect(d.openSteps).toEqual(['b/0', 'c/0']);
      d.decide('b');
      d.decide('b2');
      expect(d.openSteps).toEqual(['c/0']);
      d.decide('c');
      expect(d.openSteps).toEqual(['d/0']);
    });

    it('keeps the other branch open and undisturbed when a branch returns within itself', () => {
      const d = new Driver(ir);
      d.decide('a');
      d.decide('b');
      const c = d.open('c');

      d.decide('b2', 'return', { returnTo: 'b' });

      expect(d.openSteps).toEqual(['b/0', 'c/0']);
      expect(d.open('c').taskId).toBe(c.taskId);
      d.decide('c');
      d.decide('b');
      d.decide('b2');
      expect(d.openSteps).toEqual(['d/0']);
    });
  });

  describe('multi-instance user task', () => {
    const mi = async (attrs: string, inner = '') =>
      compile(start + task('sign', attrs, 3, inner) + task('next') + end() + chain('start', 'sign', 'next', 'end'));

    it('opens the signers one after another and rejects the step on a rejection when sequential (依次)', async () => {
      const d = new Driver(await mi('fabu:multi="sequential"'));
      expect(d.openSteps).toEqual(['sign/0']);
      d.decide('sign');
      expect(d.openSteps).toEqual(['sign/1']);
      d.decide('sign', 'reject');
      expect(d.status).toEqual(['completed', 'rejected']);
      expect(Object.values(d.machine.state.tasks).some((t) => t.instance === 2)).toBe(false);
    });

    it('passes the step once every signer approved, and not before, when all must sign (会签)', async () => {
      const d = new Driver(await mi('fabu:multi="all"'));
      expect(d.openSteps).toEqual(['sign/0', 'sign/1', 'sign/2']);
      d.decide('sign', 'approve', { instance: 2 });
      d.decide('sign', 'approve', { instance: 0 });
      expect(d.openSteps).toEqual(['sign/1']);
      d.decide('sign', 'approve', { instance: 1 });
      expect(d.openSteps).toEqual(['next/0']);
      expect(d.machine.state.history.find((h) => h.type === 'step.completed')).toMatchObject({
        detail: { result: 'approved', mode: 'all', approved: 3, rejected: 0, instances: 3 },
      });
    });

    it('rejects the step and closes the other signers when one vetoes (会签 without a pass ratio)', async () => {
      const d = new Driver(await mi('fabu:multi="all"'));
      d.decide('sign', 'approve', { instance: 0 });
      d.decide('sign', 'reject', { instance: 1 });
      expect(d.status).toEqual(['completed', 'rejected']);
      expect(d.machine.openTasks()).toEqual([]);
      expect(d.machine.state.tasks[`${REQUEST}.sign.3`]).toMatchObject({ instance: 2, status: 'cancelled' });
    });

    it('passes at the pass ratio and closes the remaining signer (0.6 of 3 = 2 approvals)', async () => {
      const d = new Driver(await mi('fabu:multi="all" fabu:passRatio="0.6"'));
      d.decide('sign', 'reject', { instance: 0 });
      expect(d.openSteps).toEqual(['sign/1', 'sign/2']);
      d.decide('sign', 'approve', { instance: 1 });
      d.decide('sign', 'approve', { instance: 2 });
      expect(d.openSteps).toEqual(['next/0']);
    });

    it('rejects as soon as the pass ratio can no longer be reached', async () => {
      const d = new Driver(await mi('fabu:multi="all" fabu:passRatio="0.6"'));
      d.decide('sign', 'reject', { instance: 0 });
      d.decide('sign', 'reject', { instance: 2 });
      expect(d.status).toEqual(['completed', 'rejected']);
    });

    it('passes when the completion condition holds (nrOfApproved >= 2)', async () => {
      const ir = await mi(
        '',
        '<bpmn:multiInstanceLoopCharacteristics isSequential="false"><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">nrOfApproved &gt;= 2</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>',
      );
      const d = new Driver(ir);
      d.decide('sign', 'approve', { instance: 1 });
      expect(d.openSteps).toEqual(['sign/0', 'sign/2']);
      d.decide('sign', 'approve', { instance: 0 });
      expect(d.openSteps).toEqual(['next/0']);
    });

    it('lets the first decision decide and closes the others when any one may sign (或签)', async () => {
      const d = new Driver(await mi('fabu:multi="any"'));
      d.decide('sign', 'approve', { instance: 1 });
      expect(d.openSteps).toEqual(['next/0']);
      expect(
        Object.values(d.machine.state.tasks)
          .filter((t) => t.elementId === 'sign')
          .map((t) => t.status),
      ).toEqual(['cancelled', 'completed', 'cancelled']);
    });

    it('closes every signer, approved or open, and opens fresh ones in the next round when a signer returns (会签)', async () => {
      const ir = await compile(
        start +
          task('draft') +
          task('sign', 'fabu:multi="all"', 3) +
          task('next') +
          end() +
          chain('start', 'draft', 'sign', 'next', 'end'),
      );
      const d = new Driver(ir);
      d.decide('draft');
      d.decide('sign', 'approve', { instance: 0 });

      d.decide('sign', 'return', { instance: 1, returnTo: 'draft' });

      expect(d.openSteps).toEqual(['draft/0']);
      d.decide('draft');
      expect(d.openSteps).toEqual(['sign/0', 'sign/1', 'sign/2']);
      expect(d.machine.openTasks().every((t) => t.round === 2)).toBe(true);
      // Round 1 left nothing open behind: 1 approved, 1 returned, 1 cancelled.
      expect(
        Object.values(d.machine.state.tasks)
          .filter((t) => t.round === 1 && t.elementId === 'sign')
          .map((t) => t.status),
      ).toEqual(['completed', 'completed', 'cancelled']);
    });
  });

  describe('退回 (return)', () => {
    const linear = (policy = 'rerun') =>
      compile(
        start + task('a') + task('b') + task('c') + end() + chain('start', 'a', 'b', 'c', 'end'),
        `fabu:returnPolicy="${policy}"`,
      );

    it('runs the chain again from the earlier step when the policy is rerun', async () => {
      const d = new Driver(await linear());
      d.decide('a');
      d.decide('b');
      d.decide('c', 'return', { returnTo: 'a' });
      expect(d.openSteps).toEqual(['a/0']);
      d.decide('a');
      expect(d.openSteps).toEqual(['b/0']);
      expect(d.machine.state.history.find((h) => h.type === 'round.started')).toMatchObject({
        round: 2,
        detail: { from: 'c', to: 'a', policy: 'rerun', previousRound: 1 },
      });
    });

    it('goes straight back to the step that returned it when the policy is resubmit', async () => {
      const d = new Driver(await linear('resubmit'));
      d.decide('a');
      d.decide('b');
      d.decide('c', 'return', { returnTo: 'a' });
      expect(d.openSteps).toEqual(['a/0']);
      d.decide('a');
      // b is not asked again.
      expect(d.openSteps).toEqual(['c/0']);
      expect(Object.values(d.machine.state.tasks).filter((t) => t.elementId === 'b')).toHaveLength(1);
      d.decide('c');
      expect(d.status).toEqual(['completed', 'approved']);
    });

    it('refuses RETURN_TARGET_INVALID and changes nothing when the target is not an earlier completed step', async () => {
      const d = new Driver(await linear());
      d.decide('a');
      const before = snapshot(d.machine);
      const b = d.open('b');
      for (const returnTo of ['c', 'b', 'nowhere', undefined]) {
        expect(
          d.machine.validate({
            taskId: b.taskId,
            action: 'return',
            actor: b.candidates[0]!,
            ...(returnTo ? { returnTo } : {}),
          }),
        ).toMatchObject({
          code: 'RETURN_TARGET_INVALID',
        });
      }
      expect(d.machine.returnTargets(b.taskId)).toEqual(['a']);
      expect(d.machine.state).toEqual(before);
    });

    it('refuses ACTION_NOT_ALLOWED when the step does not allow returns', async () => {
      const ir = await compile(
        start + task('a') + task('b', 'fabu:actions="approve,reject"') + end() + chain('start', 'a', 'b', 'end'),
      );
      const d = new Driver(ir);
      d.decide('a');
      const b = d.open('b');
      expect(
        d.machine.validate({ taskId: b.taskId, action: 'return', actor: b.candidates[0]!, returnTo: 'a' }),
      ).toMatchObject({
        code: 'ACTION_NOT_ALLOWED',
      });
    });
  });

  describe('H6 re-approval after a change', () => {
    const withRestart = () =>
      compile(
        start + task('a') + task('b') + task('c') + end() + chain('start', 'a', 'b', 'c', 'end'),
        'fabu:restartAt="b"',
      );

    it('re-runs the approval from fabu:restartAt in a new round once a step from there was approved', async () => {
      const d = new Driver(await withRestart());
      d.decide('a');
      d.decide('b');
      const c = d.open('c');
      d.apply(d.machine.reapprove(T1));
      expect(d.machine.state.round).toBe(2);
      expect(d.openSteps).toEqual(['b/0']);
      expect(d.machine.state.tasks[c.taskId]).toMatchObject({ status: 'cancelled' });
      expect(d.machine.state.history.find((h) => h.type === 'round.started')).toMatchObject({
        elementId: 'b',
        detail: { cause: 'change', previousRound: 1 },
      });
    });

    it('re-runs nothing while no step from fabu:restartAt on was approved, or when the chain declares none', async () => {
      const d = new Driver(await withRestart());
      d.decide('a');
      const before = snapshot(d.machine);
      expect(d.machine.reapprove(T1)).toEqual([]);
      expect(d.machine.state).toEqual(before);

      const plain = new Driver(await compile(start + task('a') + task('b') + end() + chain('start', 'a', 'b', 'end')));
      plain.decide('a');
      expect(plain.machine.reapprove(T1)).toEqual([]);
    });
  });

  describe('role policies', () => {
    /** Opens the next tasks with the given candidates, then applies any policy skip as the workflow does. */
    function openAs(machine: ApprovalMachine, effects: Effect[], candidates: Record<string, string[]>): Effect[] {
      const next: Effect[] = [];
      for (const e of effects.filter((x) => x.type === 'openTask')) {
        const element = machine.state.tasks[e.taskId]!.elementId;
        machine.taskOpened(e.taskId, { candidates: candidates[element] ?? [], dueProvisional: false }, T0);
        const skip = machine.skipReason(e.taskId, INITIATOR);
        if (skip) next.push(...machine.skip(e.taskId, skip, T0));
      }
      return next.length ? openAs(machine, next, candidates) : effects;
    }
    const three = (attrs: string) =>
      compile(start + task('a') + task('b') + task('c') + end() + chain('start', 'a', 'b', 'c', 'end'), attrs);
    const approveOpen = (m: ApprovalMachine, element: string) => {
      const t = m.openTasks().find((x) => x.elementId === element)!;
      return m.decide({ taskId: t.taskId, action: 'approve', actor: t.candidates[0]! }, T1);
    };

    it('passes a step whose candidate already approved earlier in the round, and asks again after a return (fabu:dedupe)', async () => {
      const m = new ApprovalMachine(await three('fabu:dedupe="true"'), REQUEST);
      const who = { a: ['chen'], b: ['chen'], c: ['liu'] };
      openAs(m, m.start(T0, INITIATOR), who);
      openAs(m, approveOpen(m, 'a'), who);
      // chen signed a: b passes by itself, c is open.
      expect(m.openTasks().map((t) => t.elementId)).toEqual(['c']);
      expect(Object.values(m.state.tasks).find((t) => t.elementId === 'b')).toMatchObject({
        status: 'completed',
        decision: 'approve',
        skipped: 'already-approved',
      });
      expect(m.state.history.find((h) => h.type === 'task.skipped')).toMatchObject({
        elementId: 'b',
        detail: { reason: 'already-approved' },
      });

      // A return starts a new round: chen's round-1 approval no longer counts, so b asks again.
      const c = m.openTasks()[0]!;
      openAs(m, m.decide({ taskId: c.taskId, action: 'return', actor: 'liu', returnTo: 'b' }, T1), who);
      expect(m.openTasks().map((t) => [t.elementId, t.round])).toEqual([['b', 2]]);
    });

    it('passes a step where the applicant would approve their own request, but not one drawn for them (fabu:skipApplicant)', async () => {
      const ir = await compile(
        start +
          '<bpmn:userTask id="draft" name="draft"><bpmn:extensionElements><fabu:candidate initiator="true"/></bpmn:extensionElements></bpmn:userTask>' +
          task('sign') +
          task('next') +
          end() +
          chain('start', 'draft', 'sign', 'next', 'end'),
        'fabu:skipApplicant="true"',
      );
      const m = new ApprovalMachine(ir, REQUEST);
      const who = { draft: [INITIATOR], sign: [INITIATOR, 'deputy'], next: ['liu'] };
      openAs(m, m.start(T0, INITIATOR), who);
      expect(m.openTasks().map((t) => t.elementId)).toEqual(['draft']);
      openAs(m, approveOpen(m, 'draft'), who);
      expect(m.openTasks().map((t) => t.elementId)).toEqual(['next']);
      expect(Object.values(m.state.tasks).find((t) => t.elementId === 'sign')).toMatchObject({ skipped: 'applicant' });
      // A policy's pass is nobody's decision: the applicant may still withdraw.
      expect(m.validateWithdraw(INITIATOR, INITIATOR)).toBeNull();
    });

    it('asks everyone when no policy is declared, and records an unassigned task for operators', async () => {
      const m = new ApprovalMachine(await three(''), REQUEST);
      openAs(m, m.start(T0, INITIATOR), { a: ['chen'], b: ['chen'] });
      openAs(m, approveOpen(m, 'a'), { a: ['chen'], b: ['chen'], c: [] });
      expect(m.openTasks().map((t) => t.elementId)).toEqual(['b']);
      openAs(m, approveOpen(m, 'b'), { c: [] });
      expect(m.openTasks()).toEqual([expect.objectContaining({ elementId: 'c', candidates: [] })]);
      expect(m.state.history.at(-1)).toMatchObject({ type: 'task.unassigned', elementId: 'c' });
    });
  });

  describe('转办 and 催办', () => {
    it('hands a task to someone else, who alone may decide it, and refuses a transfer to oneself or by a non-candidate', async () => {
      const d = new Driver(await compile(start + task('a') + end() + chain('start', 'a', 'end')));
      const a = d.open('a');
      const before = snapshot(d.machine);
      expect(d.machine.validateTransfer({ taskId: a.taskId, actor: 'a.0', to: 'a.0' })).toMatchObject({
        code: 'TRANSFER_INVALID',
      });
      expect(d.machine.validateTransfer({ taskId: a.taskId, actor: 'x', to: 'y' })).toMatchObject({
        code: 'NOT_A_CANDIDATE',
      });
      expect(d.machine.state).toEqual(before);

      d.machine.transfer({ taskId: a.taskId, actor: 'a.0', to: 'head', comment: '请主任处理' }, T1);
      expect(d.machine.state.tasks[a.taskId]!.candidates).toEqual(['head']);
      expect(d.machine.validate({ taskId: a.taskId, action: 'approve', actor: 'a.0' })).toMatchObject({
        code: 'NOT_A_CANDIDATE',
      });
      expect(d.machine.state.history.at(-1)).toMatchObject({
        type: 'task.transferred',
        actor: 'a.0',
        detail: { from: ['a.0'], to: 'head' },
      });
    });

    it('delegates a task (委派): only the delegate acts, by resolving it back with an opinion; then the owner decides', async () => {
      const d = new Driver(await compile(start + task('a') + task('b') + end() + chain('start', 'a', 'b', 'end')));
      const a = d.open('a');
      d.machine.delegate({ taskId: a.taskId, actor: 'a.0', to: 'clerk' }, T1);
      expect(d.machine.validateDelegate({ taskId: a.taskId, actor: 'a.0', to: 'other' })).toMatchObject({
        code: 'TASK_DELEGATED',
      });
      expect(d.machine.validate({ taskId: a.taskId, action: 'approve', actor: 'a.0' })).toMatchObject({
        code: 'TASK_DELEGATED',
      });
      expect(d.machine.validate({ taskId: a.taskId, action: 'approve', actor: 'clerk' })).toMatchObject({
        code: 'ACTION_NOT_ALLOWED',
      });
      expect(d.machine.validateResolve({ taskId: a.taskId, actor: 'clerk' })).toMatchObject({
        code: 'COMMENT_REQUIRED',
      });
      expect(d.machine.validateResolve({ taskId: a.taskId, actor: 'a.0', comment: 'x' })).toMatchObject({
        code: 'NOT_A_CANDIDATE',
      });

      d.machine.resolve({ taskId: a.taskId, actor: 'clerk', comment: '材料已核' }, T1);
      expect(d.machine.state.history.at(-1)).toMatchObject({
        type: 'task.resolved',
        actor: 'clerk',
        comment: '材料已核',
        detail: { onBehalfOf: 'a.0' },
      });
      d.decide('a');
      expect(d.openSteps).toEqual(['b/0']);
    });

    it('refuses COMMENT_REQUIRED when the BPMN asks for an opinion on that action', async () => {
      const d = new Driver(
        await compile(start + task('a', 'fabu:commentRequired="reject,return"') + end() + chain('start', 'a', 'end')),
      );
      const a = d.open('a');
      expect(d.machine.validate({ taskId: a.taskId, action: 'reject', actor: 'a.0' })).toMatchObject({
        code: 'COMMENT_REQUIRED',
      });
      expect(d.machine.validate({ taskId: a.taskId, action: 'reject', actor: 'a.0', comment: '口径不当' })).toBeNull();
      expect(d.machine.validate({ taskId: a.taskId, action: 'approve', actor: 'a.0' })).toBeNull();
    });

    it('lets one candidate claim a shared task, so only they decide it until they unclaim it', async () => {
      const d = new Driver(await compile(start + task('a') + end() + chain('start', 'a', 'end')));
      const a = d.open('a');
      d.machine.state.tasks[a.taskId]!.candidates = ['chen', 'liu'];
      d.machine.claim({ taskId: a.taskId, actor: 'chen' }, false, T1);
      expect(d.machine.validateClaim({ taskId: a.taskId, actor: 'liu' })).toMatchObject({ code: 'TASK_CLAIMED' });
      expect(d.machine.validate({ taskId: a.taskId, action: 'approve', actor: 'liu' })).toMatchObject({
        code: 'TASK_CLAIMED',
      });
      expect(d.machine.validateClaim({ taskId: a.taskId, actor: 'liu' }, true)).toMatchObject({ code: 'TASK_CLAIMED' });
      d.machine.claim({ taskId: a.taskId, actor: 'chen' }, true, T1);
      expect(d.machine.validate({ taskId: a.taskId, action: 'approve', actor: 'liu' })).toBeNull();
      expect(d.machine.state.history.slice(-2).map((h) => h.type)).toEqual(['task.claimed', 'task.unclaimed']);
    });

    it('urges the candidates for the applicant or an operator, at most once an hour per task', async () => {
      const d = new Driver(await compile(start + task('a') + end() + chain('start', 'a', 'end')));
      const a = d.open('a');
      expect(d.machine.validateUrge({ taskId: a.taskId, actor: 'stranger' }, INITIATOR, T1)).toMatchObject({
        code: 'URGE_NOT_ALLOWED',
      });
      expect(d.machine.urge({ taskId: a.taskId, actor: INITIATOR }, INITIATOR, T1)).toEqual(['a.0']);
      const soon = new Date(Date.parse(T1) + 59 * 60_000).toISOString();
      const later = new Date(Date.parse(T1) + 60 * 60_000).toISOString();
      expect(d.machine.validateUrge({ taskId: a.taskId, actor: 'ops', operator: true }, INITIATOR, soon)).toMatchObject(
        {
          code: 'URGED_RECENTLY',
        },
      );
      expect(d.machine.validateUrge({ taskId: a.taskId, actor: 'ops', operator: true }, INITIATOR, later)).toBeNull();
    });
  });

  describe('加签 and 减签 (adding and removing a signer)', () => {
    const ab = () => compile(start + task('a') + task('b') + end() + chain('start', 'a', 'b', 'end'));
    /** Decides a task by id as its (first) candidate. */
    const decideTask = (
      d: Driver,
      taskId: string,
      action: 'approve' | 'reject' | 'return' = 'approve',
      returnTo?: string,
    ) =>
      d.apply(
        d.machine.decide(
          { taskId, action, actor: d.machine.state.tasks[taskId]!.candidates[0]!, ...(returnTo ? { returnTo } : {}) },
          T1,
        ),
      );
    const added = (d: Driver) => d.machine.openTasks().filter((t) => t.addedFor);

    it('before (前加签): the added person signs first; the holder decides after, and the step moves on', async () => {
      const d = new Driver(await ab());
      const a = d.open('a');
      d.apply(
        d.machine.addSigner({ taskId: a.taskId, actor: 'a.0', to: 'expert', mode: 'before', comment: '请先把关' }, T1),
      );
      const [first] = added(d);
      expect(first).toMatchObject({ candidates: ['expert'], addedFor: a.taskId, addMode: 'before', addedBy: 'a.0' });
      const before = snapshot(d.machine);
      expect(d.machine.validate({ taskId: a.taskId, action: 'approve', actor: 'a.0' })).toMatchObject({
        code: 'TASK_BLOCKED',
      });
      expect(d.machine.validate({ taskId: first!.taskId, action: 'return', actor: 'expert' })).toMatchObject({
        code: 'ACTION_NOT_ALLOWED',
      });
      expect(
        d.machine.validateSigner({ taskId: first!.taskId, actor: 'expert', to: 'z', mode: 'after' }),
      ).toMatchObject({ code: 'ACTION_NOT_ALLOWED' });
      expect(d.machine.state).toEqual(before);

      decideTask(d, first!.taskId);
      expect(d.openSteps).toEqual(['a/0']);
      d.decide('a');
      expect(d.openSteps).toEqual(['b/0']);
      expect(d.machine.state.history.filter((h) => h.type === 'task.signerAdded')).toEqual([
        expect.objectContaining({ actor: 'a.0', comment: '请先把关', detail: { to: 'expert', mode: 'before' } }),
      ]);
    });

    it('after (后加签): once the holder approves, the added people sign in the order added, then the step moves on', async () => {
      const d = new Driver(await ab());
      const a = d.open('a');
      d.apply(d.machine.addSigner({ taskId: a.taskId, actor: 'a.0', to: 'deputy', mode: 'after' }, T1));
      d.apply(d.machine.addSigner({ taskId: a.taskId, actor: 'a.0', to: 'head', mode: 'after' }, T1));
      expect(added(d)).toEqual([]);
      expect(d.machine.signersOf(d.machine.state.tasks[a.taskId]!)).toEqual(['deputy', 'head']);
      d.decide('a');
      expect(added(d).map((t) => t.candidates)).toEqual([['deputy']]);
      decideTask(d, added(d)[0]!.taskId);
      expect(added(d).map((t) => t.candidates)).toEqual([['head']]);
      expect(d.machine.openTasks().filter((t) => t.elementId === 'b')).toEqual([]);
      decideTask(d, added(d)[0]!.taskId);
      expect(d.openSteps).toEqual(['b/0']);
    });

    it('parallel (并加签): both must approve in any order; the added one rejecting rejects the chain', async () => {
      const d = new Driver(await ab());
      const a = d.open('a');
      d.apply(d.machine.addSigner({ taskId: a.taskId, actor: 'a.0', to: 'peer', mode: 'parallel' }, T1));
      d.decide('a');
      expect(d.openSteps).toEqual(['a/0']); // the peer's sign-off, same step and instance
      decideTask(d, added(d)[0]!.taskId);
      expect(d.openSteps).toEqual(['b/0']);

      const r = new Driver(await ab());
      const ra = r.open('a');
      r.apply(r.machine.addSigner({ taskId: ra.taskId, actor: 'a.0', to: 'peer', mode: 'parallel' }, T1));
      decideTask(r, added(r)[0]!.taskId, 'reject');
      expect(r.status).toEqual(['completed', 'rejected']);
      expect(r.machine.state.tasks[ra.taskId]!.status).toBe('cancelled');
    });

    it('counts an instance of 会签 only once its added sign-offs approved', async () => {
      const d = new Driver(
        await compile(start + task('a', 'fabu:multi="all"', 2) + task('b') + end() + chain('start', 'a', 'b', 'end')),
      );
      const a0 = d.open('a', 0);
      d.apply(d.machine.addSigner({ taskId: a0.taskId, actor: 'a.0', to: 'peer', mode: 'parallel' }, T1));
      d.decide('a', 'approve', { instance: 1 });
      decideTask(d, a0.taskId);
      expect(d.openSteps).toEqual(['a/0']);
      decideTask(d, added(d)[0]!.taskId);
      expect(d.openSteps).toEqual(['b/0']);
    });

    it('减签: only the person who added a pending sign-off removes it, and the holder goes on without it', async () => {
      const d = new Driver(await ab());
      const a = d.open('a');
      d.apply(d.machine.addSigner({ taskId: a.taskId, actor: 'a.0', to: 'expert', mode: 'before' }, T1));
      d.apply(d.machine.addSigner({ taskId: a.taskId, actor: 'a.0', to: 'deputy', mode: 'after' }, T1));
      expect(
        d.machine.validateSigner({ taskId: a.taskId, actor: 'x', to: 'expert', mode: 'before' }, true),
      ).toMatchObject({ code: 'SIGNER_INVALID' });
      expect(d.machine.validateSigner({ taskId: a.taskId, actor: 'a.0', to: 'expert', mode: 'after' })).toMatchObject({
        code: 'SIGNER_INVALID',
      });
      const expertTask = added(d)[0]!.taskId;
      d.apply(d.machine.removeSigner({ taskId: a.taskId, actor: 'a.0', to: 'expert', mode: 'before' }, T1));
      expect(d.machine.state.tasks[expertTask]!.status).toBe('cancelled');
      expect(d.machine.validate({ taskId: a.taskId, action: 'approve', actor: 'a.0' })).toBeNull();
      d.decide('a');
      expect(added(d).map((t) => t.candidates)).toEqual([['deputy']]);
      // Removing the sign-off that holds the step lets the step move on at once.
      d.apply(d.machine.removeSigner({ taskId: a.taskId, actor: 'a.0', to: 'deputy', mode: 'after' }, T1));
      expect(d.openSteps).toEqual(['b/0']);
      expect(d.machine.state.history.filter((h) => h.type === 'task.signerRemoved').map((h) => h.detail)).toEqual([
        { to: 'expert', mode: 'before' },
        { to: 'deputy', mode: 'after' },
      ]);
    });

    it('refuses adding oneself, a candidate, someone already added, or by a non-candidate; a return cancels pending sign-offs', async () => {
      const d = new Driver(await ab());
      const a = d.open('a');
      for (const [actor, to, code] of [
        ['a.0', 'a.0', 'SIGNER_INVALID'],
        ['x', 'y', 'NOT_A_CANDIDATE'],
      ] as const) {
        expect(d.machine.validateSigner({ taskId: a.taskId, actor, to, mode: 'parallel' })).toMatchObject({ code });
      }
      d.apply(d.machine.addSigner({ taskId: a.taskId, actor: 'a.0', to: 'peer', mode: 'parallel' }, T1));
      expect(d.machine.validateSigner({ taskId: a.taskId, actor: 'a.0', to: 'peer', mode: 'after' })).toMatchObject({
        code: 'SIGNER_INVALID',
      });
      decideTask(d, added(d)[0]!.taskId);
      d.decide('a');
      const b = d.open('b');
      d.apply(d.machine.addSigner({ taskId: b.taskId, actor: 'b.0', to: 'peer2', mode: 'parallel' }, T1));
      const peer2 = added(d)[0]!.taskId;
      decideTask(d, b.taskId, 'return', 'a');
      expect(d.machine.state.tasks[peer2]!.status).toBe('cancelled');
      expect(d.openSteps).toEqual(['a/0']);
    });

    it('records who a proxy decided for', async () => {
      const d = new Driver(await ab());
      const a = d.open('a');
      Object.assign(a, { candidates: ['bob'], onBehalfOf: { bob: 'a.0' } });
      decideTask(d, a.taskId);
      expect(d.machine.state.history.find((h) => h.type === 'task.decided')).toMatchObject({
        actor: 'bob',
        detail: { onBehalfOf: 'a.0' },
      });
    });
  });

  describe('fabu:onDue="miss"', () => {
    it('closes a 会签 instance missed at its due time without a decision; the step goes on and names who missed it', async () => {
      const d = new Driver(
        await compile(
          start +
            task('a', 'fabu:multi="all" fabu:due="P2WD" fabu:onDue="miss"', 3) +
            task('b') +
            end() +
            chain('start', 'a', 'b', 'end'),
        ),
      );
      d.decide('a', 'approve', { instance: 0 });
      const late = [d.open('a', 1), d.open('a', 2)];
      expect(d.machine.missesOnDue(late[0]!.taskId)).toBe(true);
      d.apply(d.machine.skip(late[0]!.taskId, 'missed', T1));
      expect(d.openSteps).toEqual(['a/2']);
      expect(d.machine.state.tasks[late[0]!.taskId]).toMatchObject({ status: 'completed', skipped: 'missed' });
      expect(d.machine.state.tasks[late[0]!.taskId]!.decision).toBeUndefined();
      d.apply(d.machine.skip(late[1]!.taskId, 'missed', T1));
      expect(d.openSteps).toEqual(['b/0']);
      expect(d.machine.state.history.find((h) => h.type === 'step.completed')?.detail).toMatchObject({
        result: 'approved',
        approved: 1,
        missed: 2,
        missedBy: ['a.1', 'a.2'],
      });
      // A task without fabu:onDue is only marked overdue.
      expect(d.machine.missesOnDue(d.open('b').taskId)).toBe(false);
    });
  });

  describe('撤回 and cancellation', () => {
    let ir: ProcessIR;
    beforeAll(async () => {
      ir = await compile(
        start +
          '<bpmn:userTask id="draft" name="draft"><bpmn:extensionElements><fabu:candidate initiator="true"/></bpmn:extensionElements></bpmn:userTask>' +
          task('sign') +
          task('sign2') +
          end() +
          chain('start', 'draft', 'sign', 'sign2', 'end'),
      );
    });

    it('lets the applicant withdraw after their own draft step, before anyone else decided', () => {
      const d = new Driver(ir);
      const draft = d.machine.openTasks()[0]!;
      d.apply(d.machine.decide({ taskId: draft.taskId, action: 'approve', actor: draft.candidates[0]! }, T1));
      expect(d.machine.validateWithdraw(INITIATOR, INITIATOR)).toBeNull();
      expect(d.machine.end('withdrawn', INITIATOR, '会期取消', T1)).toEqual([
        { type: 'completed', outcome: 'withdrawn' },
      ]);
      expect(d.machine.openTasks()).toEqual([]);
      expect(d.machine.state.history.at(-1)).toMatchObject({
        type: 'request.completed',
        detail: { outcome: 'withdrawn', actor: INITIATOR, reason: '会期取消' },
      });
    });

    it('refuses WITHDRAW_NOT_ALLOWED once an approver has decided, or to anyone but the applicant', () => {
      const d = new Driver(ir);
      expect(d.machine.validateWithdraw('someone', INITIATOR)).toMatchObject({ code: 'WITHDRAW_NOT_ALLOWED' });
      const draft = d.machine.openTasks()[0]!;
      d.apply(d.machine.decide({ taskId: draft.taskId, action: 'approve', actor: draft.candidates[0]! }, T1));
      const sign = d.open('sign');
      expect(sign.candidates).toEqual(['sign.0']);
      expect(d.machine.validateWithdraw(INITIATOR, INITIATOR)).toBeNull();
      // Someone other than the applicant decides: from then on the request cannot be withdrawn.
      d.decide('sign');
      expect(d.machine.validateWithdraw(INITIATOR, INITIATOR)).toMatchObject({
        code: 'WITHDRAW_NOT_ALLOWED',
        message: expect.stringContaining('sign.0 already decided sign'),
      });
    });

    it('ends the chain cancelled and closes open tasks when an operator cancels', () => {
      const d = new Driver(ir);
      d.machine.end('cancelled', 'admin', undefined, T1);
      expect(d.status).toEqual(['completed', 'cancelled']);
      expect(Object.values(d.machine.state.tasks).map((t) => t.status)).toEqual(['cancelled']);
    });
  });

  describe('timers', () => {
    const reminderAndEscalation = () =>
      compile(
        start +
          task('reply') +
          `<bpmn:boundaryEvent id="remind" attachedToRef="reply" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/P1WD</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>` +
          '<bpmn:serviceTask id="notify" name="notify" fabu:activity="notify"><bpmn:extensionElements><fabu:recipient initiator="true"/></bpmn:extensionElements></bpmn:serviceTask>' +
          '<bpmn:endEvent id="reminded"/>' +
          `<bpmn:boundaryEvent id="escalate" attachedToRef="reply"><bpmn:timerEventDefinition><bpmn:timeDuration>P3WD</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>` +
          task('head') +
          task('next') +
          end() +
          chain('start', 'reply', 'next', 'end') +
          chain('remind', 'notify', 'reminded') +
          chain('escalate', 'head', 'next'),
      );

    it('starts one timer per boundary event when the task opens', async () => {
      const d = new Driver(await reminderAndEscalation());
      expect(
        d.effects
          .filter((e) => e.type === 'startTimer')
          .map((e) => e.type === 'startTimer' && [e.elementId, e.rule.source]),
      ).toEqual([
        ['remind', 'P1WD'],
        ['escalate', 'P3WD'],
      ]);
    });

    it('runs the reminder branch and re-arms it while the task stays open, at most R2 times (non-interrupting)', async () => {
      const d = new Driver(await reminderAndEscalation());
      const first = d.timerOf('remind');
      const effects = d.apply(d.machine.timerFired(first.timerId, T1));
      expect(effects.map((e) => e.type)).toEqual(['runService', 'startTimer']);
      expect(d.openSteps).toEqual(['reply/0']);
      const service = effects[0]!.type === 'runService' ? effects[0].stepId : '';
      expect(d.machine.serviceDone(service, { detail: { recipients: [INITIATOR] } }, T1)).toEqual([]);

      const second = d.timerOf('remind');
      expect(second.firing).toBe(2);
      expect(d.apply(d.machine.timerFired(second.timerId, T1)).map((e) => e.type)).toEqual(['runService']);
      expect(d.machine.pendingTimers().map((t) => t.elementId)).toEqual(['escalate']);
    });

    it('closes the task and opens the escalation step when the interrupting timer fires', async () => {
      const d = new Driver(await reminderAndEscalation());
      const reply = d.open('reply');
      d.apply(d.machine.timerFired(d.timerOf('escalate').timerId, T1));
      expect(d.machine.state.tasks[reply.taskId]).toMatchObject({ status: 'cancelled' });
      expect(d.openSteps).toEqual(['head/0']);
      // The reminder went with the task.
      expect(d.machine.pendingTimers()).toEqual([]);
    });

    it('ignores a timer whose task was decided before it fired', async () => {
      const d = new Driver(await reminderAndEscalation());
      const timer = d.timerOf('escalate');
      d.decide('reply');
      const before = snapshot(d.machine);
      expect(d.machine.timerFired(timer.timerId, T1)).toEqual([]);
      expect(d.machine.state).toEqual(before);
    });

    it('waits at an intermediate timer event and moves on when it fires', async () => {
      const ir = await compile(
        start +
          task('a') +
          '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDate>conferenceDate - 3WD</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>' +
          task('b') +
          end() +
          chain('start', 'a', 'wait', 'b', 'end'),
      );
      const d = new Driver(ir);
      d.decide('a');
      expect(d.effects).toEqual([
        expect.objectContaining({
          type: 'startTimer',
          elementId: 'wait',
          rule: expect.objectContaining({ kind: 'workingDaysBeforeField', days: 3 }),
        }),
      ]);
      expect(d.machine.stage()).toBe('wait');
      d.apply(d.machine.timerFired(d.timerOf('wait').timerId, T1));
      expect(d.openSteps).toEqual(['b/0']);
    });
  });

  describe('message events and service tasks', () => {
    let ir: ProcessIR;
    beforeAll(async () => {
      ir = await compile(
        start +
          '<bpmn:intermediateCatchEvent id="filed"><bpmn:messageEventDefinition messageRef="materials-filed"/></bpmn:intermediateCatchEvent>' +
          '<bpmn:serviceTask id="invite" name="invite" fabu:activity="inviteMedia" fabu:tiers="central,city"/>' +
          task('next') +
          end() +
          chain('start', 'filed', 'invite', 'next', 'end'),
        '',
        '<bpmn:message id="materials-filed" name="materials-filed"/>',
      );
    });

    it('refuses MESSAGE_NOT_EXPECTED and changes nothing when no step waits for that message', () => {
      const d = new Driver(ir);
      const before = snapshot(d.machine);
      expect(d.machine.validateMessage({ name: 'venue-booked', actor: 'x' })).toMatchObject({
        code: 'MESSAGE_NOT_EXPECTED',
        message: expect.stringContaining('materials-filed'),
      });
      expect(d.machine.state).toEqual(before);
    });

    it('moves on when the awaited message arrives, keeps its payload, and runs the service task', () => {
      const d = new Driver(ir);
      const effects = d.apply(
        d.machine.receiveMessage({ name: 'materials-filed', actor: 'x', payload: { count: 5 } }, T1),
      );
      expect(d.machine.state.variables['materials-filed']).toEqual({ count: 5 });
      expect(effects).toEqual([
        expect.objectContaining({ type: 'runService', node: expect.objectContaining({ activity: 'inviteMedia' }) }),
      ]);
      const stepId = effects[0]!.type === 'runService' ? effects[0].stepId : '';
      d.apply(
        d.machine.serviceDone(
          stepId,
          { detail: { tiers: ['central', 'city'] }, variables: { invitedMedia: ['central', 'city'] } },
          T1,
        ),
      );
      expect(d.machine.state.variables.invitedMedia).toEqual(['central', 'city']);
      expect(d.openSteps).toEqual(['next/0']);
    });
  });
});
