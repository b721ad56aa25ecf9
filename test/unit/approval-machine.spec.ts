import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { H3_CHAIN, H3_FILE } from '../support/h3.js';
import { compileBpmn } from '../../src/processes/compiler.js';
import type { ProcessIR, UserTaskNode } from '../../src/processes/ir.js';
import {
  ApprovalMachine,
  type Decision,
  type Effect,
  type MachineState,
  documentVersions,
} from '../../workflows/approval-machine.js';

/*
 * Driven with the IR of the real H3 file. Expected values come from the BPMN:
 *   start → draft → guidance → sign-main-leader → sign-leader-in-charge → sign-propaganda → file-materials → approved
 * `draft` has fabu:actions="approve" (approve only); every other step allows the default approve,reject.
 * Times are fixed instants in March 2026 (Shanghai is UTC+08:00, so 10:00Z is 18:00 local).
 */
const REQUEST = 'H3-2026-0012';
const CHAIN = H3_CHAIN.map(([step]) => step);
type Step = (typeof H3_CHAIN)[number][0];

const INITIATOR = 'zhang.min';
const PRESS_OFFICER = 'wang.fang';
const PRESS_OFFICE_HEAD = 'chen.hua';
/** Who the workflow would resolve each step's candidate expression to. */
const CANDIDATES: Record<Step, string[]> = {
  draft: [INITIATOR],
  guidance: [PRESS_OFFICER, 'li.na'],
  'sign-main-leader': ['liu.qiang'],
  'sign-leader-in-charge': ['zhao.lei'],
  'sign-propaganda': ['sun.li'],
  'file-materials': [PRESS_OFFICER],
};

const SUBMITTED_AT = '2026-03-02T01:00:00.000Z';
const OPENED_AT = '2026-03-02T01:00:01.000Z';
const DECIDED_AT = '2026-03-02T03:30:00.000Z';
/** guidance opened on Monday 2 March: due at the end of the 2nd working day after, Wednesday 18:00. */
const GUIDANCE_DUE = '2026-03-04T10:00:00.000Z';
/** The due timer fires at the due time itself. */
const PAST_DUE = GUIDANCE_DUE;
const LATER = '2026-03-05T02:00:00.000Z';

const taskId = (step: Step, round = 1) => `${REQUEST}.${step}.${round}`;
const approve = (step: Step, actor = CANDIDATES[step][0]): Decision => ({
  taskId: taskId(step),
  action: 'approve',
  actor,
});

let ir: ProcessIR;

beforeAll(async () => {
  ir = await compileBpmn(await readFile(H3_FILE, 'utf8'));
});

const node = (step: Step) => ir.nodes[step] as UserTaskNode;

/** The one openTask effect in `effects`, checked to be for `step`. */
function expectOpenTask(effects: Effect[], step: Step): void {
  const opened = effects.filter((e) => e.type === 'openTask');
  expect(opened).toEqual([
    { type: 'openTask', taskId: taskId(step), node: node(step), candidates: node(step).candidates },
  ]);
  expect(opened[0]).toMatchObject({ node: { id: step, kind: 'userTask' } });
}

/** Opens `step` the way the workflow does once candidates and due time are resolved. */
function open(machine: ApprovalMachine, step: Step, at = OPENED_AT, dueAt?: string) {
  return machine.taskOpened(
    taskId(step),
    { candidates: CANDIDATES[step], dueProvisional: false, ...(dueAt ? { dueAt } : {}) },
    at,
  );
}

/** A started machine whose steps before `step` are approved and `step` itself is open. */
function machineAt(step: Step, dueAt?: string): ApprovalMachine {
  const machine = new ApprovalMachine(ir, REQUEST);
  let effects = machine.start(SUBMITTED_AT, INITIATOR);
  for (const current of CHAIN) {
    expectOpenTask(effects, current);
    open(machine, current, OPENED_AT, current === step ? dueAt : undefined);
    if (current === step) return machine;
    effects = machine.decide(approve(current), DECIDED_AT);
  }
  throw new Error(`${step} is not in the chain`);
}

const snapshot = (machine: ApprovalMachine): MachineState => structuredClone(machine.state);

/** H6 art. 34: what file-materials needs attached (fabu:materials), in the BPMN's order. */
const MATERIALS = ['release-statement', 'host-script', 'qa-lines', 'background', 'venue-plan'];
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Attaches version `version` of each kind, as the API does after storing it (the `documents` Update). */
function attach(machine: ApprovalMachine, kinds = MATERIALS, version = 1, at = DECIDED_AT, actor = INITIATOR) {
  return kinds.flatMap((kind) =>
    machine.attachDocument(
      { kind, version, sha256: sha(`${kind} v${version}`), name: `${kind}.pdf`, actor },
      INITIATOR,
      at,
    ),
  );
}

/** A chain at file-materials, the five materials attached at the draft and approved by every step since. */
function atFilingWithMaterials(): ApprovalMachine {
  const machine = new ApprovalMachine(ir, REQUEST);
  let effects = machine.start(SUBMITTED_AT, INITIATOR);
  for (const step of CHAIN) {
    expectOpenTask(effects, step);
    open(machine, step);
    if (step === 'draft') attach(machine);
    if (step === 'file-materials') break;
    effects = machine.decide(approve(step), DECIDED_AT);
  }
  return machine;
}

describe(ApprovalMachine.name, () => {
  it('names the stage "starting" when nothing has been submitted yet', () => {
    const machine = new ApprovalMachine(ir, REQUEST);

    expect(machine.stage()).toBe('starting');
    expect(machine.state).toEqual({
      status: 'running',
      round: 1,
      variables: {},
      tasks: {},
      steps: {},
      timers: {},
      joins: {},
      visits: {},
      history: [],
    });
  });

  it('records the submission and asks to open the draft step when started', () => {
    const machine = new ApprovalMachine(ir, REQUEST);

    const effects = machine.start(SUBMITTED_AT, INITIATOR);

    expectOpenTask(effects, 'draft');
    expect(effects[0]).toMatchObject({ taskId: 'H3-2026-0012.draft.1', node: { actions: ['approve'] } });
    expect(machine.state.history).toEqual([{ seq: 1, at: SUBMITTED_AT, type: 'request.submitted', actor: INITIATOR }]);
    expect(machine.state.tasks).toEqual({
      'H3-2026-0012.draft.1': {
        taskId: 'H3-2026-0012.draft.1',
        elementId: 'draft',
        name: '牵头部门起草',
        rules: ['H3'],
        round: 1,
        stepId: 'draft#1',
        instance: 0,
        status: 'opening',
        candidates: [],
        dueProvisional: false,
        overdue: false,
      },
    });
    expect(machine.state.status).toBe('running');
    expect(machine.stage()).toBe('draft');
    expect(machine.openTasks()).toEqual([]);
  });

  it('refuses a decision with TASK_NOT_OPEN when the task is still opening', () => {
    const machine = new ApprovalMachine(ir, REQUEST);
    machine.start(SUBMITTED_AT, INITIATOR);

    expect(machine.validate(approve('draft'))).toMatchObject({ code: 'TASK_NOT_OPEN' });
  });

  it('makes the task decidable by a candidate when it has opened', () => {
    const machine = new ApprovalMachine(ir, REQUEST);
    machine.start(SUBMITTED_AT, INITIATOR);

    const task = open(machine, 'draft');

    expect(task).toMatchObject({ status: 'open', candidates: [INITIATOR], openedAt: OPENED_AT });
    expect(machine.openTasks()).toEqual([task]);
    expect(machine.stage()).toBe('draft');
    expect(machine.state.history.at(-1)).toEqual({
      seq: 2,
      at: OPENED_AT,
      type: 'task.opened',
      taskId: 'H3-2026-0012.draft.1',
      elementId: 'draft',
      round: 1,
      detail: { candidates: [INITIATOR], dueAt: undefined, dueProvisional: false },
    });
    expect(machine.validate(approve('draft'))).toBeNull();
  });

  it('refuses NOT_A_CANDIDATE when someone other than a candidate decides', () => {
    const machine = machineAt('draft');

    expect(machine.validate(approve('draft', PRESS_OFFICER))).toMatchObject({ code: 'NOT_A_CANDIDATE' });
  });

  it('refuses ACTION_NOT_ALLOWED when the draft is rejected', () => {
    const machine = machineAt('draft');

    expect(machine.validate({ taskId: taskId('draft'), action: 'reject', actor: INITIATOR })).toMatchObject({
      code: 'ACTION_NOT_ALLOWED',
    });
  });

  it('refuses TASK_NOT_FOUND when the task id belongs to no task of the request', () => {
    const machine = machineAt('draft');

    expect(machine.validate({ ...approve('draft'), taskId: 'H3-2026-0099.draft.1' })).toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
    expect(machine.validate({ ...approve('draft'), taskId: taskId('draft', 2) })).toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
  });

  it('leaves the state unchanged when validating decisions, valid or not', () => {
    const machine = machineAt('guidance');
    const before = snapshot(machine);

    expect(machine.validate(approve('guidance'))).toBeNull();
    expect(machine.validate({ ...approve('guidance'), action: 'reject' })).toBeNull();
    expect(machine.validate(approve('guidance', INITIATOR))).not.toBeNull();
    expect(machine.validate(approve('draft'))).not.toBeNull();
    expect(machine.validate(approve('sign-main-leader'))).not.toBeNull();

    expect(machine.state).toEqual(before);
  });

  it('opens each step in chain order and completes approved when every step approves', () => {
    const machine = new ApprovalMachine(ir, REQUEST);
    let effects = machine.start(SUBMITTED_AT, INITIATOR);

    for (const step of CHAIN) {
      expectOpenTask(effects, step);
      expect(machine.stage()).toBe(step);
      open(machine, step);
      if (step === 'file-materials') attach(machine);
      effects = machine.decide(approve(step), DECIDED_AT);
      expect(machine.state.tasks[taskId(step)]).toMatchObject({
        status: 'completed',
        closedAt: DECIDED_AT,
        decision: 'approve',
        decidedBy: CANDIDATES[step][0],
      });
    }

    expect(effects).toEqual([{ type: 'completed', outcome: 'approved' }]);
    expect(machine.state.status).toBe('completed');
    expect(machine.state.outcome).toBe('approved');
    expect(machine.stage()).toBe('approved');
    expect(machine.openTasks()).toEqual([]);
    expect(Object.keys(machine.state.tasks)).toEqual(CHAIN.map((step) => taskId(step)));

    const { history } = machine.state;
    expect(history.map((h) => h.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(history.map((h) => [h.type, h.elementId])).toEqual([
      ['request.submitted', undefined],
      ...CHAIN.flatMap((step) => [
        ['task.opened', step],
        ...(step === 'file-materials' ? MATERIALS.map(() => ['document.attached', undefined]) : []),
        ['task.decided', step],
        // H3.5: not a major matter, so the mayor's approval is skipped by the gateway's default flow.
        ...(step === 'sign-propaganda' ? [['gateway.taken', 'major-check']] : []),
      ]),
      ['request.completed', undefined],
    ]);
    expect(history.at(-1)).toEqual({
      seq: 20,
      at: DECIDED_AT,
      type: 'request.completed',
      round: 1,
      detail: { outcome: 'approved' },
    });
  });

  it('refuses PROCESS_COMPLETED when a decision arrives after the request completed', () => {
    const machine = machineAt('file-materials');
    attach(machine);
    machine.decide(approve('file-materials'), DECIDED_AT);
    const before = snapshot(machine);

    expect(machine.validate(approve('file-materials'))).toMatchObject({ code: 'PROCESS_COMPLETED' });
    expect(machine.validate({ ...approve('sign-main-leader'), action: 'reject' })).toMatchObject({
      code: 'PROCESS_COMPLETED',
    });
    expect(() => machine.decide(approve('file-materials'), LATER)).toThrow(/PROCESS_COMPLETED/);
    expect(machine.state).toEqual(before);
  });

  it('throws and leaves the state unchanged when decide gets an invalid decision', () => {
    const machine = machineAt('draft');
    const before = snapshot(machine);

    expect(() => machine.decide(approve('draft', PRESS_OFFICER), DECIDED_AT)).toThrow(/NOT_A_CANDIDATE/);
    expect(() => machine.decide({ ...approve('draft'), action: 'reject' }, DECIDED_AT)).toThrow(/ACTION_NOT_ALLOWED/);
    expect(() => machine.decide(approve('guidance'), DECIDED_AT)).toThrow(/TASK_NOT_FOUND/);

    expect(machine.state).toEqual(before);
    expect(machine.stage()).toBe('draft');
  });

  it('completes rejected and opens no further step when the main leader rejects', () => {
    const machine = machineAt('sign-main-leader');

    const effects = machine.decide(
      { taskId: taskId('sign-main-leader'), action: 'reject', actor: 'liu.qiang', comment: '口径需再核' },
      DECIDED_AT,
    );

    expect(effects).toEqual([{ type: 'completed', outcome: 'rejected' }]);
    expect(machine.state.status).toBe('completed');
    expect(machine.state.outcome).toBe('rejected');
    expect(machine.stage()).toBe('rejected');
    expect(machine.openTasks()).toEqual([]);
    expect(machine.state.tasks[taskId('sign-main-leader')]).toMatchObject({
      status: 'completed',
      decision: 'reject',
      decidedBy: 'liu.qiang',
      comment: '口径需再核',
    });
    expect(machine.state.tasks[taskId('sign-leader-in-charge')]).toBeUndefined();
    expect(machine.state.history.slice(-2)).toEqual([
      {
        seq: 7,
        at: DECIDED_AT,
        type: 'task.decided',
        taskId: taskId('sign-main-leader'),
        elementId: 'sign-main-leader',
        actor: 'liu.qiang',
        action: 'reject',
        comment: '口径需再核',
        round: 1,
      },
      { seq: 8, at: DECIDED_AT, type: 'request.completed', round: 1, detail: { outcome: 'rejected' } },
    ]);
    expect(machine.validate(approve('sign-main-leader'))).toMatchObject({ code: 'PROCESS_COMPLETED' });
  });

  it('records task.overdue once when an open task passes its due time', () => {
    const machine = machineAt('guidance', GUIDANCE_DUE);
    const entries = machine.state.history.length;

    expect(machine.markOverdue(taskId('guidance'), PAST_DUE, [PRESS_OFFICE_HEAD])).toBe(true);
    expect(machine.state.tasks[taskId('guidance')]).toMatchObject({ status: 'open', overdue: true });
    expect(machine.state.history.slice(entries)).toEqual([
      {
        seq: entries + 1,
        at: PAST_DUE,
        type: 'task.overdue',
        taskId: taskId('guidance'),
        elementId: 'guidance',
        round: 1,
        detail: { dueAt: GUIDANCE_DUE, notified: [PRESS_OFFICE_HEAD] },
      },
    ]);

    expect(machine.markOverdue(taskId('guidance'), LATER, [PRESS_OFFICE_HEAD])).toBe(false);
    expect(machine.state.history).toHaveLength(entries + 1);
  });

  it('moves a due time and records from and to when the task is re-planned', () => {
    const machine = machineAt('guidance', GUIDANCE_DUE);
    const entries = machine.state.history.length;
    const moved = { dueAt: '2026-03-05T10:00:00.000Z', dueProvisional: false, dueBasis: 'counted again' };

    expect(machine.replanDue(taskId('guidance'), moved, LATER)).toBe(true);
    expect(machine.state.tasks[taskId('guidance')]).toMatchObject(moved);
    expect(machine.state.history.slice(entries)).toEqual([
      {
        seq: entries + 1,
        at: LATER,
        type: 'task.replanned',
        taskId: taskId('guidance'),
        elementId: 'guidance',
        detail: { from: { dueAt: GUIDANCE_DUE, dueProvisional: false }, to: moved },
      },
    ]);
    // The same plan again, or a plan for a closed task, changes nothing.
    expect(machine.replanDue(taskId('guidance'), moved, LATER)).toBe(false);
    machine.decide(approve('guidance'), DECIDED_AT);
    const before = snapshot(machine);
    expect(machine.replanDue(taskId('guidance'), { dueAt: GUIDANCE_DUE, dueProvisional: true }, LATER)).toBe(false);
    expect(machine.state).toEqual(before);
  });

  it('does not mark a task overdue when it closed before its due time passed', () => {
    const machine = machineAt('guidance', GUIDANCE_DUE);
    machine.decide(approve('guidance'), DECIDED_AT);
    const before = snapshot(machine);

    expect(machine.markOverdue(taskId('guidance'), PAST_DUE, [PRESS_OFFICE_HEAD])).toBe(false);
    expect(machine.state).toEqual(before);
  });

  it('does not mark a task overdue when it is still opening', () => {
    const machine = machineAt('guidance');
    machine.decide(approve('guidance'), DECIDED_AT);
    const before = snapshot(machine);

    expect(machine.state.tasks[taskId('sign-main-leader')].status).toBe('opening');
    expect(machine.markOverdue(taskId('sign-main-leader'), PAST_DUE, [PRESS_OFFICE_HEAD])).toBe(false);
    expect(machine.state).toEqual(before);
  });

  it('still accepts an approval and moves on when the task is overdue', () => {
    const machine = machineAt('guidance', GUIDANCE_DUE);
    machine.markOverdue(taskId('guidance'), PAST_DUE, [PRESS_OFFICE_HEAD]);

    expect(machine.validate(approve('guidance'))).toBeNull();
    const effects = machine.decide(approve('guidance'), LATER);

    expectOpenTask(effects, 'sign-main-leader');
    expect(machine.state.tasks[taskId('guidance')]).toMatchObject({
      status: 'completed',
      overdue: true,
      decision: 'approve',
      closedAt: LATER,
    });
    expect(machine.stage()).toBe('sign-main-leader');
  });

  it('throws and records nothing when taskOpened is called on a task that is not opening', () => {
    const machine = machineAt('guidance');
    const whileOpen = snapshot(machine);

    expect(() => open(machine, 'guidance', LATER)).toThrow(/not opening/);
    expect(machine.state).toEqual(whileOpen);

    machine.decide(approve('guidance'), DECIDED_AT);
    const afterDecision = snapshot(machine);

    expect(() => open(machine, 'guidance', LATER)).toThrow(/not opening/);
    expect(machine.state).toEqual(afterDecision);
  });

  describe('documents (fabu:materials, H6)', () => {
    it('refuses MATERIALS_MISSING, naming the kinds, when the filing step is approved before its materials are attached', () => {
      const machine = machineAt('file-materials');
      attach(machine, ['release-statement', 'host-script']);
      const before = snapshot(machine);

      const error = machine.validate(approve('file-materials'));

      expect(error).toMatchObject({ code: 'MATERIALS_MISSING', missing: ['qa-lines', 'background', 'venue-plan'] });
      expect(error!.message).toMatch(/答问口径 \(qa-lines\), 背景材料 \(background\), 场地方案 \(venue-plan\)/);
      // A rejection or a return needs no materials.
      expect(machine.validate({ ...approve('file-materials'), action: 'reject' })).toBeNull();
      expect(machine.state).toEqual(before);
      attach(machine, ['qa-lines', 'background', 'venue-plan']);
      expect(machine.validate(approve('file-materials'))).toBeNull();
    });

    it('records in each approval the hash of every version it approved once documents exist', () => {
      const machine = machineAt('guidance');
      attach(machine, ['release-statement']);

      machine.decide(approve('guidance'), LATER);

      const decided = machine.state.history.findLast((h) => h.type === 'task.decided')!;
      expect(decided.detail).toEqual({ documents: { 'release-statement': sha('release-statement v1') } });
      expect(machine.state.tasks[taskId('guidance')]!.approvedDocuments).toEqual(decided.detail!.documents);
      // The draft was approved before any document: it names none.
      expect(machine.state.history.find((h) => h.type === 'task.decided')).not.toHaveProperty('detail');
    });

    it('records document.attached with its version and hash, and ignores a version it already has', () => {
      const machine = machineAt('guidance');
      attach(machine, ['venue-plan']);
      const before = snapshot(machine);

      expect(attach(machine, ['venue-plan'])).toEqual([]);
      expect(machine.state).toEqual(before);
      expect(machine.state.history.at(-1)).toEqual({
        seq: before.history.length,
        at: DECIDED_AT,
        type: 'document.attached',
        actor: INITIATOR,
        detail: { kind: 'venue-plan', version: 1, sha256: sha('venue-plan v1'), name: 'venue-plan.pdf' },
      });
      expect(machine.state.documents?.['venue-plan']).toMatchObject({ version: 1, by: INITIATOR });
    });

    it('refuses a document from someone neither applying nor asked by an open task, or of an unknown kind', () => {
      const machine = machineAt('guidance');
      const doc = { kind: 'venue-plan', version: 1, sha256: sha('x'), name: 'x.pdf' };

      expect(machine.validateDocument({ ...doc, actor: 'liu.qiang' }, INITIATOR)).toMatchObject({
        code: 'UPLOAD_NOT_ALLOWED',
      });
      expect(machine.validateDocument({ ...doc, actor: PRESS_OFFICER }, INITIATOR)).toBeNull();
      expect(machine.validateDocument({ ...doc, kind: 'menu', actor: INITIATOR }, INITIATOR)).toMatchObject({
        code: 'DOCUMENT_KIND_INVALID',
      });
    });

    it('re-runs the approval from guidance in a new round when an approved document changes (H6, fabu:restartAt)', () => {
      const machine = atFilingWithMaterials();
      const effects = attach(machine, ['release-statement'], 2, LATER);

      expect(machine.state.history.filter((h) => h.type === 'document.changed')).toEqual([
        {
          seq: expect.any(Number),
          at: LATER,
          type: 'document.changed',
          actor: INITIATOR,
          detail: {
            kind: 'release-statement',
            from: { version: 1, sha256: sha('release-statement v1') },
            to: { version: 2, sha256: sha('release-statement v2') },
            approvedBy: CHAIN.slice(0, -1).map((step) => taskId(step)),
          },
        },
      ]);
      expect(machine.state.round).toBe(2);
      expect(effects.filter((e) => e.type === 'openTask')).toEqual([
        expect.objectContaining({ taskId: taskId('guidance', 2) }),
      ]);
      expect(machine.state.tasks[taskId('file-materials')]).toMatchObject({ status: 'cancelled' });
      expect(machine.state.history.find((h) => h.type === 'round.started')).toMatchObject({
        elementId: 'guidance',
        detail: { cause: 'change', previousRound: 1 },
      });
    });

    it('attaches a batch of versions as one re-run, however the first one changes who is asked (H6)', () => {
      const machine = atFilingWithMaterials();
      // The filing officer is asked only by file-materials, which the first changed document cancels.
      const batch = documentVersions({
        actor: PRESS_OFFICER,
        documents: ['release-statement', 'host-script'].map((kind) => ({
          kind,
          version: 2,
          sha256: sha(`${kind} v2`),
          name: `${kind}.pdf`,
        })),
      });
      expect(machine.validateDocuments(batch, INITIATOR)).toBeNull();

      const effects = machine.attachDocuments(batch, INITIATOR, LATER);

      expect(
        machine.state.history.filter((h) => h.type === 'document.attached' && h.actor === PRESS_OFFICER),
      ).toHaveLength(2);
      expect(machine.state.history.filter((h) => h.type === 'document.changed')).toHaveLength(2);
      expect(machine.state.history.filter((h) => h.type === 'round.started')).toHaveLength(1);
      expect(machine.state.round).toBe(2);
      expect(effects.filter((e) => e.type === 'openTask')).toEqual([
        expect.objectContaining({ taskId: taskId('guidance', 2) }),
      ]);
      // A batch is refused whole when one version is: nothing of it is attached.
      const before = snapshot(machine);
      const refused = documentVersions({
        actor: INITIATOR,
        documents: [
          { kind: 'venue-plan', version: 2, sha256: sha('venue-plan v2'), name: 'v.pdf' },
          { kind: 'menu', version: 1, sha256: sha('menu'), name: 'm.pdf' },
        ],
      });
      expect(machine.validateDocuments(refused, INITIATOR)).toMatchObject({ code: 'DOCUMENT_KIND_INVALID' });
      expect(() => machine.attachDocuments(refused, INITIATOR, LATER)).toThrow(/DOCUMENT_KIND_INVALID/);
      expect(machine.state).toEqual(before);
    });

    it('records the change but re-runs nothing when the chain has no fabu:restartAt', () => {
      const { restartAt: _restartAt, ...noRestart } = ir;
      const machine = new ApprovalMachine(noRestart, REQUEST);
      machine.start(SUBMITTED_AT, INITIATOR);
      open(machine, 'draft');
      attach(machine, ['release-statement']);
      expectOpenTask(machine.decide(approve('draft'), DECIDED_AT), 'guidance');
      open(machine, 'guidance');
      machine.decide(approve('guidance'), DECIDED_AT);

      expect(attach(machine, ['release-statement'], 2, LATER)).toEqual([]);
      expect(machine.state.history.at(-1)).toMatchObject({
        type: 'document.changed',
        detail: { approvedBy: [taskId('draft'), taskId('guidance')] },
      });
      expect(machine.state.round).toBe(1);
    });
  });
});
