import { readFile } from 'node:fs/promises';
import { BpmnModdle, type ModdleElement } from 'bpmn-moddle';
import { BpmnCompileError, compileBpmn } from '../../src/processes/compiler.js';
import { FABU_NS, parseDueExpression } from '../../src/processes/fabu-moddle.js';
import type { ProcessIR, ProcessNode, UserTaskNode } from '../../src/processes/ir.js';
import { onlyProblem, problems } from '../support/bpmn-problems.js';

const H3_FILE = new URL('../../processes/huludao-government-conference.bpmn', import.meta.url);

/** A definitions document around `body`; the process gets `processAttrs` (default: a valid code). */
function bpmn(body: string, processAttrs = 'fabu:code="T1"'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:fabu="${FABU_NS}" id="defs" targetNamespace="urn:test">
  <bpmn:process id="p" name="Test chain" ${processAttrs}>
${body}
  </bpmn:process>
</bpmn:definitions>`;
}

const START = '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>';
const END = '<bpmn:endEvent id="end" fabu:outcome="approved"/>';
/** A user task `id` with the given attributes and fabu children. */
const task = (id: string, attrs = '', children = '<fabu:candidate initiator="true"/>') =>
  `<bpmn:userTask id="${id}" name="Step ${id}" ${attrs}><bpmn:extensionElements>${children}</bpmn:extensionElements></bpmn:userTask>`;
const flow = (id: string, source: string, target: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"/>`;
/** start → task → end, with the task's attributes and children replaceable. */
const chain = (attrs?: string, children?: string) =>
  `${START}${task('task', attrs, children)}${flow('f2', 'task', 'end')}${END}`;

describe(compileBpmn.name, () => {
  describe('the H3 file', () => {
    let ir: ProcessIR;
    beforeAll(async () => {
      ir = await compileBpmn(await readFile(H3_FILE, 'utf8'), { fileName: 'huludao-government-conference.bpmn' });
    });

    it('names the process, its H1 application deadline and its H6 restart step when compiled', () => {
      expect(ir).toMatchObject({
        irVersion: 2,
        key: 'huludao-government-conference',
        name: '葫芦岛市政府新闻发布会审签 (H3)',
        code: 'H3',
        rules: ['H1', 'H3', 'H6'],
        restartAt: 'guidance',
        applyBefore: {
          kind: 'workingDaysBeforeField',
          field: 'conferenceDate',
          days: 7,
          source: 'conferenceDate - 7WD',
        },
        startNodeId: 'start',
      });
    });

    it('runs the H3 steps in order when following the default flows from the start', () => {
      const order: string[] = [];
      for (let id: string | undefined = ir.startNodeId; id !== undefined;) {
        order.push(id);
        const node: ProcessNode = ir.nodes[id];
        const out: string[] = node.kind === 'exclusiveGateway' && node.default ? [node.default] : node.outgoing;
        expect(out.length).toBeLessThanOrEqual(1);
        id = out.length ? ir.flows[out[0]].target : undefined;
      }
      expect(order).toEqual([
        'start',
        'draft',
        'guidance',
        'sign-main-leader',
        'sign-leader-in-charge',
        'sign-propaganda',
        'major-check',
        'major-merge',
        'file-materials',
        'approved',
      ]);
      expect(ir.nodes.approved).toMatchObject({ kind: 'endEvent', name: '准予召开', outcome: 'approved' });
    });

    it('draws the H3.5 major branch, the H1 escalation and the filing reminder off the main path', () => {
      expect(ir.flows['major-check-to-approve-mayor']).toMatchObject({ condition: 'major', target: 'approve-mayor' });
      expect(ir.nodes['approve-mayor']).toMatchObject({
        kind: 'userTask',
        candidates: [{ kind: 'position', position: 'mayor', org: { kind: 'fixed', code: 'hld-gov' } }],
      });
      expect(ir.nodes['guidance-overdue']).toMatchObject({
        kind: 'boundaryTimer',
        attachedTo: 'guidance',
        interrupting: true,
        timer: { kind: 'workingDaysAfterOpen', days: 3 },
      });
      expect(ir.nodes['file-materials-reminder']).toMatchObject({
        kind: 'boundaryTimer',
        attachedTo: 'file-materials',
        interrupting: false,
        repeat: null,
      });
      expect(ir.nodes['remind-file-materials']).toMatchObject({ kind: 'serviceTask', activity: 'notify' });
      expect(ir.nodes['file-materials-reminded']).toMatchObject({ kind: 'endEvent' });
      expect(ir.nodes['file-materials-reminded']).not.toHaveProperty('outcome');
    });

    it('gives each step its candidates, due rule and escalation when compiled', () => {
      const MAIN_PATH = [
        'draft',
        'guidance',
        'sign-main-leader',
        'sign-leader-in-charge',
        'sign-propaganda',
        'file-materials',
      ];
      const office = { kind: 'fixed', code: 'hld-gov-press-office' } as const;
      const twoWorkingDays = { kind: 'workingDaysAfterOpen', days: 2, source: 'P2WD' } as const;
      const headOfOffice = [{ kind: 'position', position: 'press-office-head', org: office }];
      const steps = Object.values(ir.nodes).filter(
        (n): n is UserTaskNode => n.kind === 'userTask' && MAIN_PATH.includes(n.id),
      );
      expect(
        Object.fromEntries(steps.map(({ id, candidates, due, escalation }) => [id, { candidates, due, escalation }])),
      ).toEqual({
        draft: { candidates: [{ kind: 'initiator' }], escalation: [] },
        guidance: {
          candidates: [{ kind: 'position', position: 'press-officer', org: office }],
          due: twoWorkingDays,
          escalation: headOfOffice,
        },
        'sign-main-leader': {
          candidates: [{ kind: 'position', position: 'main-leader', org: { kind: 'applicant' } }],
          due: twoWorkingDays,
          escalation: [],
        },
        'sign-leader-in-charge': {
          candidates: [{ kind: 'position', position: 'leader-in-charge', org: { kind: 'applicant' } }],
          due: twoWorkingDays,
          escalation: [],
        },
        'sign-propaganda': {
          candidates: [
            { kind: 'position', position: 'propaganda-deputy-head', org: { kind: 'fixed', code: 'hld-propaganda' } },
          ],
          due: twoWorkingDays,
          escalation: [],
        },
        'file-materials': {
          candidates: [{ kind: 'position', position: 'press-officer', org: office }],
          due: { kind: 'workingDaysBeforeField', field: 'conferenceDate', days: 3, source: 'conferenceDate - 3WD' },
          escalation: headOfOffice,
        },
      });
      expect(ir.nodes.guidance).toMatchObject({
        name: '市政府新闻办指导同意',
        rules: ['H1', 'H3'],
        actions: ['approve', 'reject', 'return'],
      });
      expect(ir.nodes.draft).toMatchObject({ actions: ['approve'] });
    });

    it('draws every node and flow when opened in a modeler', async () => {
      const { rootElement } = await new BpmnModdle().fromXML(await readFile(H3_FILE, 'utf8'));
      const diagrams = rootElement.diagrams as Array<{ plane: { planeElement: ModdleElement[] } }>;
      const drawn = diagrams[0].plane.planeElement.map((di) => (di.bpmnElement as ModdleElement).id);
      expect(drawn.sort()).toEqual([...Object.keys(ir.nodes), ...Object.keys(ir.flows)].sort());
    });
  });

  it('compiles a minimal chain when it is valid', async () => {
    const ir = await compileBpmn(bpmn(chain()));
    expect(ir.nodes.task).toEqual({
      id: 'task',
      name: 'Step task',
      kind: 'userTask',
      outgoing: ['f2'],
      rules: [],
      candidates: [{ kind: 'initiator' }],
      escalation: [],
      actions: ['approve', 'reject', 'return'],
    });
    expect(ir.flows.f1).toEqual({ id: 'f1', source: 'start', target: 'task' });
  });

  it('refuses with line and column when the XML does not parse', async () => {
    const xml = bpmn(`${chain()}\n    <bpmn:userTask id="broken"></bpmn:task>`);
    expect(await onlyProblem(xml)).toEqual({
      element: 'broken',
      line: 5,
      column: 32,
      message: expect.stringContaining('closing tag mismatch'),
    });
  });

  it('refuses with line and column when an element is unknown to BPMN', async () => {
    const xml = bpmn(`${START}${task('task')}${flow('f2', 'task', 'end')}\n  <bpmn:endEvnt id="end"/>`);
    const found = await problems(xml);
    expect(found[0]).toEqual({
      element: 'end',
      line: 5,
      column: 3,
      message: expect.stringContaining('<bpmn:endEvnt>'),
    });
  });

  it('refuses an element id when it is a duplicate', async () => {
    expect(await problems(bpmn(`${chain()}\n${task('task')}`))).toContainEqual({
      element: 'task',
      line: 5,
      column: 1,
      message: expect.stringContaining('duplicate ID <task>'),
    });
  });

  it('refuses when there is no process', async () => {
    const xml = `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"/>`;
    expect(await onlyProblem(xml)).toEqual({ element: 'defs', message: 'expected exactly one bpmn:process, found 0' });
  });

  it('refuses when there are two processes', async () => {
    const xml = bpmn(chain()).replace('</bpmn:definitions>', '<bpmn:process id="q"/></bpmn:definitions>');
    expect(await onlyProblem(xml)).toEqual({
      element: 'defs',
      message: 'expected exactly one bpmn:process, found 2: p, q',
    });
  });

  it('refuses when fabu:code is missing', async () => {
    expect(await onlyProblem(bpmn(chain(), ''))).toEqual({
      element: 'p',
      message: expect.stringContaining('missing fabu:code'),
    });
  });

  it('refuses when fabu:code is not an upper-case prefix', async () => {
    expect(await onlyProblem(bpmn(chain(), 'fabu:code="h-3"'))).toEqual({
      element: 'p',
      message: expect.stringContaining('"h-3"'),
    });
  });

  it('refuses fabu:applyBefore when it does not count back from a date (H1)', async () => {
    expect(await onlyProblem(bpmn(chain(), 'fabu:code="T1" fabu:applyBefore="P7WD"'))).toEqual({
      element: 'p',
      message: expect.stringContaining('must count back from a date field'),
    });
  });

  it('refuses a flow node kind when it is outside the supported subset', async () => {
    const body = `${START}${task('task')}${flow('f2', 'task', 'st')}<bpmn:scriptTask id="st"/>${flow('f3', 'st', 'end')}${END}`;
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'st',
      message: 'not supported: bpmn:ScriptTask (docs/bpmn.md lists the subset fabu runs)',
    });
  });

  it('refuses an event definition when the event carries one', async () => {
    const body = chain().replace(
      END,
      '<bpmn:endEvent id="end" fabu:outcome="approved"><bpmn:terminateEventDefinition/></bpmn:endEvent>',
    );
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'end',
      message: 'not supported here: bpmn:TerminateEventDefinition',
    });
  });

  it('refuses when there is no start event', async () => {
    const body = `${task('task')}${flow('f2', 'task', 'end')}${END}`;
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'p',
      message: 'expected exactly one start event, found 0',
    });
  });

  it('refuses when there are two start events', async () => {
    const body = `${chain()}<bpmn:startEvent id="start2"/>${flow('f3', 'start2', 'task')}`;
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'p',
      message: 'expected exactly one start event, found 2: start, start2',
    });
  });

  it('refuses a start event when it has no outgoing flow', async () => {
    const body = `<bpmn:startEvent id="start"/>${task('task')}${flow('f2', 'task', 'end')}${END}`;
    expect(await onlyProblem(bpmn(body))).toEqual({ element: 'start', message: 'start event has no outgoing flow' });
  });

  it('refuses a node when it is not reachable from the start', async () => {
    const body = `${chain()}${task('orphan')}${flow('f3', 'orphan', 'end')}`;
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'orphan',
      message: 'not reachable from the start event "start"',
    });
  });

  it('refuses a user task when it has two outgoing flows', async () => {
    const body = `${chain()}${flow('f3', 'task', 'end')}`;
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'task',
      message: expect.stringContaining('2 outgoing flows'),
    });
  });

  it('refuses a start event when it has two outgoing flows', async () => {
    const body = `${chain()}${flow('f3', 'start', 'end')}`;
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'start',
      message: expect.stringContaining('2 outgoing flows'),
    });
  });

  it('refuses a user task when it has no outgoing flow', async () => {
    const body = `${START}${task('task')}${END}`;
    expect(await problems(bpmn(body))).toContainEqual({ element: 'task', message: 'user task has no outgoing flow' });
  });

  it('refuses a loop when no end event can be reached from it', async () => {
    const body = `${START}${task('task')}${flow('f2', 'task', 'back')}${task('back')}${flow('f3', 'back', 'task')}${END}`;
    const found = await problems(bpmn(body));
    expect(found).toContainEqual({ element: 'task', message: 'no path from here to an end event' });
    expect(found).toContainEqual({ element: 'end', message: 'not reachable from the start event "start"' });
  });

  it('refuses a user task when it has no candidate', async () => {
    expect(await onlyProblem(bpmn(chain('', '')))).toEqual({
      element: 'task',
      message: 'user task needs at least one <fabu:candidate>',
    });
  });

  it('refuses a candidate when its position is unknown', async () => {
    const found = await onlyProblem(bpmn(chain('', '<fabu:candidate position="emperor" org="applicant"/>')));
    expect(found).toEqual({
      element: 'task',
      message: expect.stringContaining('fabu:candidate: unknown position "emperor"'),
    });
  });

  it('refuses a candidate when its org is neither "applicant" nor an org code', async () => {
    const found = await onlyProblem(bpmn(chain('', '<fabu:candidate position="main-leader" org="Press Office"/>')));
    expect(found).toEqual({ element: 'task', message: expect.stringContaining('org "Press Office"') });
  });

  it('refuses a candidate when it has a position but no org', async () => {
    const found = await onlyProblem(bpmn(chain('', '<fabu:candidate position="main-leader"/>')));
    expect(found).toEqual({ element: 'task', message: 'fabu:candidate: needs position and org, or initiator="true"' });
  });

  it('refuses an escalation when its position is unknown', async () => {
    const children = '<fabu:candidate initiator="true"/><fabu:escalation position="boss" org="hld-gov-press-office"/>';
    const found = await onlyProblem(bpmn(chain('fabu:due="P2WD"', children)));
    expect(found).toEqual({
      element: 'task',
      message: expect.stringContaining('fabu:escalation: unknown position "boss"'),
    });
  });

  it('refuses an escalation when the task has no due time to pass (H1)', async () => {
    const children =
      '<fabu:candidate initiator="true"/><fabu:escalation position="press-office-head" org="hld-gov-press-office"/>';
    expect(await onlyProblem(bpmn(chain('', children)))).toEqual({
      element: 'task',
      message: 'fabu:escalation needs a fabu:due on the same task (or fabu:onEmpty="escalate")',
    });
  });

  it('refuses a due expression when it does not parse', async () => {
    expect(await onlyProblem(bpmn(chain('fabu:due="2 working days"')))).toEqual({
      element: 'task',
      message: expect.stringContaining('fabu:due: bad due expression "2 working days"'),
    });
  });

  it('refuses fabu:actions when it lists an unknown action', async () => {
    expect(await onlyProblem(bpmn(chain('fabu:actions="approve,veto"')))).toEqual({
      element: 'task',
      message: expect.stringContaining('fabu:actions "approve,veto"'),
    });
  });

  it('refuses an end event when it has no fabu:outcome', async () => {
    const body = chain().replace(END, '<bpmn:endEvent id="end"/>');
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'end',
      message: expect.stringContaining('needs fabu:outcome'),
    });
  });

  it('refuses an end event when its fabu:outcome is not an outcome', async () => {
    const body = chain().replace(END, '<bpmn:endEvent id="end" fabu:outcome="done"/>');
    expect(await onlyProblem(bpmn(body))).toEqual({
      element: 'end',
      message: expect.stringContaining('fabu:outcome "done"'),
    });
  });

  it('refuses a flow when it references a missing node', async () => {
    const body = chain().replace(flow('f2', 'task', 'end'), flow('f2', 'task', 'nowhere'));
    expect(await problems(bpmn(body))).toContainEqual({
      element: 'f2',
      message: 'bpmn:targetRef points to missing element "nowhere"',
    });
  });

  it('refuses a flow when it references an element that is not a node', async () => {
    const body = chain().replace(flow('f2', 'task', 'end'), flow('f2', 'task', 'f1'));
    expect(await problems(bpmn(body))).toContainEqual({
      element: 'f2',
      message: 'targetRef "f1" is not a node of this process',
    });
  });

  it('refuses a fabu attribute when fabu does not define it there', async () => {
    expect(await onlyProblem(bpmn(chain('fabu:dueDate="P2WD"')))).toEqual({
      element: 'task',
      message: 'unknown attribute <fabu:dueDate>',
    });
    expect(await onlyProblem(bpmn(chain('fabu:outcome="approved"')))).toEqual({
      element: 'task',
      message: 'unknown attribute <fabu:outcome>',
    });
  });

  it('refuses a fabu element when fabu does not define it', async () => {
    const found = await problems(bpmn(chain('', '<fabu:candidates initiator="true"/>')));
    expect(found).toContainEqual({
      element: 'task',
      line: 4,
      column: expect.any(Number),
      message: expect.stringContaining('<fabu:candidates>'),
    });
  });

  it('refuses fabu attributes when the fabu prefix is bound to another namespace', async () => {
    const xml = bpmn(chain()).replace(`xmlns:fabu="${FABU_NS}"`, 'xmlns:fabu="urn:not-fabu"');
    expect(await problems(xml)).toContainEqual({
      element: 'defs',
      message: expect.stringContaining('xmlns:fabu must be'),
    });
  });

  it.each([
    [
      'the process id is not kebab-case',
      bpmn(chain()).replace('id="p"', 'id="Press_Chain"'),
      'Press_Chain',
      'process id must be lower-case kebab-case',
    ],
    ['the process has no name', bpmn(chain()).replace(' name="Test chain"', ''), 'p', 'process has no name'],
    ['fabu:rules lists something that is not a rule id', bpmn(chain('fabu:rules="H1;H3"')), 'task', 'H1;H3'],
    ['a user task has no name', bpmn(chain().replace(' name="Step task"', '')), 'task', 'user task has no name'],
    [
      'a user task loops without multi-instance',
      bpmn(chain().replace('</bpmn:userTask>', '<bpmn:standardLoopCharacteristics/></bpmn:userTask>')),
      'task',
      'not supported: bpmn:StandardLoopCharacteristics',
    ],
    [
      'initiator is not "true"',
      bpmn(chain('', '<fabu:candidate initiator="yes"/>')),
      'task',
      'initiator must be "true"',
    ],
    [
      'an end event has an outgoing flow',
      bpmn(`${chain()}${flow('f3', 'end', 'task')}`),
      'end',
      'end event must not have outgoing flows',
    ],
    [
      'a start event has an incoming flow',
      bpmn(`${chain()}${flow('f3', 'task', 'start')}`),
      'start',
      'start event must not have incoming flows',
    ],
  ])('refuses the file when %s', async (_when, xml, element, message) => {
    expect(await problems(xml)).toContainEqual({ element, message: expect.stringContaining(message) });
  });

  it('reports every problem with the file name when a file has several', async () => {
    const body = chain('fabu:due="soon"', '<fabu:candidate position="emperor" org="applicant"/>').replace(
      END,
      '<bpmn:endEvent id="end"/>',
    );
    const error = await compileBpmn(bpmn(body, ''), { fileName: 'broken.bpmn' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BpmnCompileError);
    const { errors, message } = error as BpmnCompileError;
    expect(errors.map((e) => e.element)).toEqual(['p', 'task', 'task', 'end']);
    expect(message).toMatch(/^broken\.bpmn: 4 problem\(s\)\n {2}- p: missing fabu:code/);
  });
});

describe(parseDueExpression.name, () => {
  it.each([
    ['P2WD', { kind: 'workingDaysAfterOpen', days: 2, source: 'P2WD' }],
    [
      'conferenceDate - 3WD',
      { kind: 'workingDaysBeforeField', field: 'conferenceDate', days: 3, source: 'conferenceDate - 3WD' },
    ],
    [
      'conferenceDate-7WD',
      { kind: 'workingDaysBeforeField', field: 'conferenceDate', days: 7, source: 'conferenceDate-7WD' },
    ],
    ['PT5H', { kind: 'durationAfterOpen', ms: 5 * 3_600_000, source: 'PT5H' }],
    ['PT1H30M', { kind: 'durationAfterOpen', ms: 90 * 60_000, source: 'PT1H30M' }],
    ['P2D', { kind: 'durationAfterOpen', ms: 48 * 3_600_000, source: 'P2D' }],
    ['P1DT12H', { kind: 'durationAfterOpen', ms: 36 * 3_600_000, source: 'P1DT12H' }],
    [
      'conferenceDate -P7WD',
      { kind: 'workingDaysBeforeField', field: 'conferenceDate', days: 7, source: 'conferenceDate -P7WD' },
    ],
    ['P1W', { kind: 'calendarAfterOpen', unit: 'week', count: 1, source: 'P1W' }],
    ['P1M', { kind: 'calendarAfterOpen', unit: 'month', count: 1, source: 'P1M' }],
    [
      'conferenceDate - P1W',
      { kind: 'calendarBeforeField', field: 'conferenceDate', unit: 'week', count: 1, source: 'conferenceDate - P1W' },
    ],
    ['before conferenceDate', { kind: 'startOfField', field: 'conferenceDate', source: 'before conferenceDate' }],
  ])('parses %s when it is well formed', (text, rule) => {
    expect(parseDueExpression(text)).toEqual(rule);
  });

  it.each([
    '',
    'P',
    'PT',
    'P1DT',
    'P0WD',
    'PT0H',
    'PT5S',
    'P0W',
    'P0M',
    'conferenceDate - P0W',
    'conferenceDate - 1W',
    'p2wd',
    '2WD',
    'meetingDate - 3WD',
    'conferenceDate + 3WD',
    'before meetingDate',
    'before',
  ])('throws for "%s" when it is not a due expression', (text) => {
    expect(() => parseDueExpression(text)).toThrow(/due expression/);
  });
});
