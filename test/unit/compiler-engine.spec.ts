import { compileBpmn } from '../../src/processes/compiler.js';
import { FABU_NS } from '../../src/processes/fabu-moddle.js';
import { onlyProblem, problems } from '../support/bpmn-problems.js';

// The engine features of the compiler (docs/bpmn.md): gateways and FEEL conditions, parallel
// branches, multi-instance steps, timers, messages, boundary timers, service tasks and variables.

/**
 * A definitions document around `body`; the process gets `processAttrs` (default: a valid code),
 * and `roots` (e.g. a bpmn:message) goes next to the process.
 */
function bpmn(body: string, processAttrs = 'fabu:code="T1"', roots = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fabu="${FABU_NS}" id="defs" targetNamespace="urn:test">
  <bpmn:process id="p" name="Test chain" ${processAttrs}>
${body}
  </bpmn:process>
  ${roots}
</bpmn:definitions>`;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const START = '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>';
const END = '<bpmn:endEvent id="end" fabu:outcome="approved"/>';
/** A user task `id` with the given attributes, fabu children and other children (loop characteristics). */
const task = (id: string, attrs = '', children = '<fabu:candidate initiator="true"/>', inner = '') =>
  `<bpmn:userTask id="${id}" name="Step ${id}" ${attrs}><bpmn:extensionElements>${children}</bpmn:extensionElements>${inner}</bpmn:userTask>`;
/** A sequence flow, with a FEEL condition when given one. */
const flow = (id: string, source: string, target: string, condition?: string) =>
  condition === undefined
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"/>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${escape(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>`;
/** start → task → end, with the task's attributes and children replaceable. */
const chain = (attrs?: string, children?: string, inner?: string) =>
  `${START}${task('task', attrs, children, inner)}${flow('f2', 'task', 'end')}${END}`;
/** start → task → `nodeXml` (whose id is `id`) → end. */
const through = (nodeXml: string, id: string) =>
  `${START}${task('task')}${flow('f2', 'task', id)}${nodeXml}${flow('f3', id, 'end')}${END}`;
/** `<fabu:variable>` declarations of the process. */
const declare = (...variables: string[]) => `<bpmn:extensionElements>${variables.join('')}</bpmn:extensionElements>`;
const KIND_AB = '<fabu:variable name="kind" type="enum" values="a,b"/>';
const timer = (child: string, time: string) =>
  `<bpmn:timerEventDefinition><bpmn:${child} xsi:type="bpmn:tFormalExpression">${time}</bpmn:${child}></bpmn:timerEventDefinition>`;
const RECIPIENT = '<fabu:recipient position="press-office-head" org="hld-gov-press-office"/>';
const notify = (id: string, children = RECIPIENT) =>
  `<bpmn:serviceTask id="${id}" name="Notify" fabu:activity="notify"><bpmn:extensionElements>${children}</bpmn:extensionElements></bpmn:serviceTask>`;

/**
 * start → exclusive gateway "gw" → one task per condition (flows c0, c1, …) → end; with
 * `withDefault`, the default flow "dflt" leads to a task "other".
 */
function gateway(conditions: string[], { withDefault = false, variables = [] as string[] } = {}): string {
  const branches = conditions.map(
    (c, i) => `${flow(`c${i}`, 'gw', `t${i}`, c)}${task(`t${i}`)}${flow(`t${i}-end`, `t${i}`, 'end')}`,
  );
  if (withDefault) branches.push(`${flow('dflt', 'gw', 'other')}${task('other')}${flow('other-end', 'other', 'end')}`);
  const gw = `<bpmn:exclusiveGateway id="gw"${withDefault ? ' default="dflt"' : ''}/>`;
  return bpmn(
    `${variables.length ? declare(...variables) : ''}<bpmn:startEvent id="start"/>${flow('f1', 'start', 'gw')}${gw}${branches.join('')}${END}`,
  );
}

describe('compileBpmn engine features', () => {
  describe('exclusive gateways', () => {
    it('keeps the FEEL condition and the default flow when a gateway has both', async () => {
      const ir = await compileBpmn(gateway(['major'], { withDefault: true }));
      expect(ir.nodes.gw).toEqual({
        id: 'gw',
        name: '',
        kind: 'exclusiveGateway',
        outgoing: ['c0', 'dflt'],
        default: 'dflt',
      });
      expect(ir.flows.c0).toEqual({ id: 'c0', source: 'gw', target: 't0', condition: 'major' });
      expect(ir.flows.dflt).toEqual({ id: 'dflt', source: 'gw', target: 'other' });
    });

    it('compiles a gateway without a default when its conditions cover every value of an enum', async () => {
      const ir = await compileBpmn(gateway(['kind = "a"', 'kind = "b"'], { variables: [KIND_AB] }));
      expect(ir.nodes.gw).toEqual({ id: 'gw', name: '', kind: 'exclusiveGateway', outgoing: ['c0', 'c1'] });
      expect(ir.flows.c1).toMatchObject({ condition: 'kind = "b"' });
    });

    it('compiles a gateway without a default when its conditions cover both values of a boolean', async () => {
      const ir = await compileBpmn(gateway(['major', 'not(major)']));
      expect(ir.nodes.gw).toEqual({ id: 'gw', name: '', kind: 'exclusiveGateway', outgoing: ['c0', 'c1'] });
      expect(ir.flows.c1).toMatchObject({ condition: 'not(major)' });
    });

    it('refuses a gateway without a default when a combination of its variables satisfies no condition', async () => {
      expect(await onlyProblem(gateway(['major', 'kind = "a"'], { variables: [KIND_AB] }))).toEqual({
        element: 'gw',
        message:
          'no default flow, and no condition holds when major = false, kind = "b": add a default flow or a condition for it',
      });
    });

    it('refuses a gateway without a default when a condition reads an enum only inside an if branch', async () => {
      const xml = gateway(['if major then kind = "a" else false', 'not(major)'], { variables: [KIND_AB] });
      expect(await onlyProblem(xml)).toEqual({
        element: 'gw',
        message: expect.stringContaining('no condition holds when major = true, kind = "b"'),
      });
    });

    it.each([
      ['a number', ['copies > 3', 'copies <= 3'], ['<fabu:variable name="copies" type="number"/>'], 'copies (number)'],
      ['a string', ['orgCode = "hld-gov"', 'orgCode != "hld-gov"'], [], 'orgCode (string)'],
    ])(
      'refuses a gateway without a default when its conditions read %s variable',
      async (_what, conditions, variables, read) => {
        expect(await onlyProblem(gateway(conditions, { variables }))).toEqual({
          element: 'gw',
          message: expect.stringContaining(
            `the conditions read ${read}, whose values cannot all be checked: add a default flow`,
          ),
        });
      },
    );

    it('refuses a condition when it reads an undeclared variable', async () => {
      expect(await onlyProblem(gateway(['cityWide'], { withDefault: true }))).toEqual({
        element: 'c0',
        message: 'condition "cityWide": reads unknown variable cityWide (declare it with <fabu:variable>)',
      });
    });

    it('refuses a condition when it reads an undeclared variable only inside an if branch', async () => {
      expect(await onlyProblem(gateway(['if major then cityWide else false'], { withDefault: true }))).toEqual({
        element: 'c0',
        message: expect.stringContaining('reads unknown variable cityWide'),
      });
    });

    it('refuses a condition when it is not a FEEL expression', async () => {
      expect(await onlyProblem(gateway(['major ==', 'not(major)'], { withDefault: true }))).toEqual({
        element: 'c0',
        message: expect.stringContaining('condition "major ==": not a FEEL expression'),
      });
    });

    it('refuses a flow out of a gateway without a default when it has no condition', async () => {
      const xml = gateway(['major']).replace(
        flow('f1', 'start', 'gw'),
        `${flow('f1', 'start', 'gw')}${flow('bare', 'gw', 'end')}`,
      );
      expect(await onlyProblem(xml)).toEqual({
        element: 'bare',
        message: 'flow out of exclusive gateway "gw" needs a condition (or be the gateway\'s default)',
      });
    });

    it.each([
      ['a start event', 'f1', 'startEvent "start"'],
      ['a user task', 'f2', 'userTask "task"'],
    ])('refuses a condition when it is on a flow out of %s', async (_what, flowId, source) => {
      const body = chain().replace(
        /<bpmn:sequenceFlow id="(f1|f2)" sourceRef="(\w+)" targetRef="(\w+)"\/>/g,
        (whole, id: string, s: string, t: string) => (id === flowId ? flow(id, s, t, 'major') : whole),
      );
      expect(await onlyProblem(bpmn(body))).toEqual({
        element: flowId,
        message: `conditions belong on flows out of an exclusive gateway, not out of ${source}`,
      });
    });
  });

  describe('parallel gateways', () => {
    it('lists both incoming flows on the join when a fork runs two branches', async () => {
      const body =
        `<bpmn:startEvent id="start"/>${flow('f1', 'start', 'fork')}<bpmn:parallelGateway id="fork"/>` +
        `${flow('fork-a', 'fork', 'a')}${flow('fork-b', 'fork', 'b')}${task('a')}${task('b')}` +
        `${flow('a-join', 'a', 'join')}${flow('b-join', 'b', 'join')}<bpmn:parallelGateway id="join"/>` +
        `${flow('join-end', 'join', 'end')}${END}`;
      const ir = await compileBpmn(bpmn(body));
      expect(ir.nodes.fork).toEqual({
        id: 'fork',
        name: '',
        kind: 'parallelGateway',
        outgoing: ['fork-a', 'fork-b'],
        incoming: ['f1'],
      });
      expect(ir.nodes.join).toEqual({
        id: 'join',
        name: '',
        kind: 'parallelGateway',
        outgoing: ['join-end'],
        incoming: ['a-join', 'b-join'],
      });
    });
  });

  describe('multi-instance user tasks', () => {
    const CANDIDATES =
      '<fabu:candidate position="main-leader" org="applicant"/><fabu:candidate position="leader-in-charge" org="applicant"/>' +
      '<fabu:candidate position="spokesperson" org="applicant"/>';

    it.each([
      ['fabu:multi="any"', chain('fabu:multi="any"', CANDIDATES), { mode: 'any' }],
      [
        'multiInstanceLoopCharacteristics is sequential',
        chain('', CANDIDATES, '<bpmn:multiInstanceLoopCharacteristics isSequential="true"/>'),
        { mode: 'sequential' },
      ],
      [
        'multiInstanceLoopCharacteristics is parallel',
        chain('', CANDIDATES, '<bpmn:multiInstanceLoopCharacteristics/>'),
        { mode: 'all' },
      ],
      [
        'fabu:passRatio is set on 会签',
        chain('fabu:multi="all" fabu:passRatio="0.6"', CANDIDATES),
        { mode: 'all', passRatio: 0.6 },
      ],
      [
        'a completionCondition is set',
        chain(
          '',
          CANDIDATES,
          '<bpmn:multiInstanceLoopCharacteristics isSequential="false"><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">nrOfApproved &gt;= 2</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>',
        ),
        { mode: 'all', completionCondition: 'nrOfApproved >= 2' },
      ],
    ])('compiles the multi-instance mode when %s', async (_when, body, multi) => {
      const ir = await compileBpmn(bpmn(body));
      const node = ir.nodes.task;
      if (node.kind !== 'userTask') throw new Error(`expected a user task, got ${node.kind}`);
      expect(node.multi).toEqual(multi);
      expect(node.candidates).toHaveLength(3);
    });

    it('refuses fabu:passRatio when the task is 或签 (any)', async () => {
      expect(await onlyProblem(bpmn(chain('fabu:multi="any" fabu:passRatio="0.6"', CANDIDATES)))).toEqual({
        element: 'task',
        message: 'fabu:passRatio applies to 会签 (fabu:multi="all"), not any',
      });
    });

    it('refuses fabu:multi when it is not a multi-instance mode', async () => {
      expect(await onlyProblem(bpmn(chain('fabu:multi="parallel"', CANDIDATES)))).toEqual({
        element: 'task',
        message: 'fabu:multi "parallel" must be sequential, all or any',
      });
    });
  });

  describe('intermediate catch events', () => {
    it.each([
      [
        'timeDuration PT1H',
        timer('timeDuration', 'PT1H'),
        { kind: 'durationAfterOpen', ms: 3_600_000, source: 'PT1H' },
      ],
      [
        'timeDate "conferenceDate - 3WD"',
        timer('timeDate', 'conferenceDate - 3WD'),
        { kind: 'workingDaysBeforeField', field: 'conferenceDate', days: 3, source: 'conferenceDate - 3WD' },
      ],
    ])('compiles a timer event when it waits for %s', async (_when, definition, rule) => {
      const ir = await compileBpmn(
        bpmn(through(`<bpmn:intermediateCatchEvent id="wait">${definition}</bpmn:intermediateCatchEvent>`, 'wait')),
      );
      expect(ir.nodes.wait).toEqual({ id: 'wait', name: '', kind: 'timerEvent', outgoing: ['f3'], timer: rule });
    });

    it('compiles a message event when it refers to a named bpmn:message', async () => {
      const event =
        '<bpmn:intermediateCatchEvent id="filed"><bpmn:messageEventDefinition messageRef="msg"/></bpmn:intermediateCatchEvent>';
      const ir = await compileBpmn(
        bpmn(through(event, 'filed'), undefined, '<bpmn:message id="msg" name="materials-filed"/>'),
      );
      expect(ir.nodes.filed).toEqual({
        id: 'filed',
        name: '',
        kind: 'messageEvent',
        outgoing: ['f3'],
        message: 'materials-filed',
      });
    });
  });

  describe('boundary timers', () => {
    const boundary = (id: string, attrs: string, definition: string) =>
      `<bpmn:boundaryEvent id="${id}" attachedToRef="task" ${attrs}>${definition}</bpmn:boundaryEvent>`;
    /** start → task → end; escalation and reminders off the task. */
    const body =
      chain() +
      boundary('overdue', '', timer('timeDuration', 'P2WD')) +
      `${flow('overdue-escalate', 'overdue', 'escalate')}${task('escalate')}${flow('escalate-end', 'escalate', 'end')}` +
      boundary('daily', 'cancelActivity="false"', timer('timeCycle', 'R/P1WD')) +
      boundary('four-hourly', 'cancelActivity="false"', timer('timeCycle', 'R3/PT4H')) +
      `${flow('daily-remind', 'daily', 'remind')}${flow('four-hourly-remind', 'four-hourly', 'remind')}${notify('remind')}` +
      `${flow('remind-reminded', 'remind', 'reminded')}<bpmn:endEvent id="reminded"/>`;

    it('attaches interrupting and non-interrupting timers to their task when both are drawn', async () => {
      const ir = await compileBpmn(bpmn(body));
      expect(ir.nodes.task).toMatchObject({ boundaries: ['overdue', 'daily', 'four-hourly'] });
      expect(ir.nodes.overdue).toEqual({
        id: 'overdue',
        name: '',
        kind: 'boundaryTimer',
        outgoing: ['overdue-escalate'],
        attachedTo: 'task',
        interrupting: true,
        timer: { kind: 'workingDaysAfterOpen', days: 2, source: 'P2WD' },
        repeat: 1,
      });
      expect(ir.nodes.daily).toMatchObject({
        interrupting: false,
        timer: { kind: 'workingDaysAfterOpen', days: 1, source: 'P1WD' },
        repeat: null,
      });
      expect(ir.nodes['four-hourly']).toMatchObject({
        interrupting: false,
        timer: { kind: 'durationAfterOpen', ms: 4 * 3_600_000, source: 'PT4H' },
        repeat: 3,
      });
    });

    it('compiles an end event without an outcome when it ends a non-interrupting reminder branch', async () => {
      const ir = await compileBpmn(bpmn(body));
      expect(ir.nodes.reminded).toEqual({ id: 'reminded', name: '', kind: 'endEvent', outgoing: [] });
    });

    it('refuses an end event without an outcome when an interrupting timer leads to it', async () => {
      const xml = bpmn(
        chain() +
          boundary('overdue', '', timer('timeDuration', 'P2WD')) +
          `${flow('overdue-escalated', 'overdue', 'escalated')}<bpmn:endEvent id="escalated"/>`,
      );
      expect(await onlyProblem(xml)).toEqual({
        element: 'escalated',
        message:
          'end event needs fabu:outcome (approved | rejected | withdrawn); only a reminder branch may end without one',
      });
    });

    it('refuses a timeCycle when the boundary timer is interrupting', async () => {
      const xml = bpmn(
        chain() +
          boundary('daily', '', timer('timeCycle', 'R/P1WD')) +
          `${flow('daily-late', 'daily', 'late')}<bpmn:endEvent id="late" fabu:outcome="rejected"/>`,
      );
      expect(await onlyProblem(xml)).toEqual({
        element: 'daily',
        message: 'timeCycle repeats, so it needs cancelActivity="false" (a reminder)',
      });
    });

    it('refuses a boundary timer when it is attached to a service task', async () => {
      const xml = bpmn(
        through(notify('svc'), 'svc') +
          '<bpmn:boundaryEvent id="late" attachedToRef="svc" cancelActivity="false">' +
          `${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent>${flow('late-done', 'late', 'done')}<bpmn:endEvent id="done"/>`,
      );
      expect(await onlyProblem(xml)).toEqual({
        element: 'late',
        message: 'a boundary timer must be attached to a user task of this process, not "svc"',
      });
    });

    it('refuses a task when only a reminder branch leads from it to an end', async () => {
      // task ⇄ back loops forever; the reminder's end does not end the chain.
      const xml = bpmn(
        `${START}${task('task')}${flow('f2', 'task', 'back')}${task('back')}${flow('f3', 'back', 'task')}` +
          boundary('daily', 'cancelActivity="false"', timer('timeCycle', 'R/P1WD')) +
          `${flow('daily-remind', 'daily', 'remind')}${notify('remind')}${flow('remind-reminded', 'remind', 'reminded')}<bpmn:endEvent id="reminded"/>`,
      );
      const found = await problems(xml);
      expect(found).toContainEqual({ element: 'task', message: 'no path from here to an end event' });
      expect(found).toContainEqual({ element: 'back', message: 'no path from here to an end event' });
    });
  });

  describe('service tasks', () => {
    it('compiles notify with its recipients and inviteMedia with its tiers', async () => {
      const invite =
        '<bpmn:serviceTask id="invite" name="Invite media" fabu:activity="inviteMedia" fabu:tiers="central, city"/>';
      const body = `${START}${task('task')}${flow('f2', 'task', 'tell')}${notify('tell')}${flow('f3', 'tell', 'invite')}${invite}${flow('f4', 'invite', 'end')}${END}`;
      const ir = await compileBpmn(bpmn(body));
      expect(ir.nodes.tell).toEqual({
        id: 'tell',
        name: 'Notify',
        kind: 'serviceTask',
        outgoing: ['f3'],
        rules: [],
        activity: 'notify',
        recipients: [
          { kind: 'position', position: 'press-office-head', org: { kind: 'fixed', code: 'hld-gov-press-office' } },
        ],
        tiers: [],
      });
      expect(ir.nodes.invite).toMatchObject({
        kind: 'serviceTask',
        activity: 'inviteMedia',
        recipients: [],
        tiers: ['central', 'city'],
      });
    });

    it('refuses a service activity when it is not allow-listed', async () => {
      const svc = '<bpmn:serviceTask id="fax" name="Fax" fabu:activity="sendFax"/>';
      expect(await onlyProblem(bpmn(through(svc, 'fax')))).toEqual({
        element: 'fax',
        message:
          'unknown activity "sendFax" (allowed: notify, file, publish, inviteMedia, startConferences, complianceNotice)',
      });
    });

    it('refuses a notify service task when it has no recipient', async () => {
      expect(await onlyProblem(bpmn(through(notify('tell', ''), 'tell')))).toEqual({
        element: 'tell',
        message: 'a notify service task needs at least one <fabu:recipient>',
      });
    });

    it('refuses a recipient on a service task that tells no one', async () => {
      const svc =
        '<bpmn:serviceTask id="pub" name="Publish" fabu:activity="publish"><bpmn:extensionElements><fabu:recipient initiator="true"/></bpmn:extensionElements></bpmn:serviceTask>';
      expect(await onlyProblem(bpmn(through(svc, 'pub')))).toEqual({
        element: 'pub',
        message: '<fabu:recipient> belongs to a notify service task; publish tells no one',
      });
    });

    it('refuses an inviteMedia service task when it has no tiers', async () => {
      const svc = '<bpmn:serviceTask id="invite" name="Invite media" fabu:activity="inviteMedia"/>';
      expect(await onlyProblem(bpmn(through(svc, 'invite')))).toEqual({
        element: 'invite',
        message: expect.stringContaining('inviteMedia needs fabu:tiers'),
      });
    });
  });

  describe('process variables and return policy', () => {
    it('declares the variables and the return policy when the process sets them', async () => {
      const variables = declare(
        '<fabu:variable name="cityWide" type="boolean" default="false" label="全市性重要事项"/>',
        '<fabu:variable name="kind" type="enum" values="a, b,c" default="b"/>',
      );
      const ir = await compileBpmn(bpmn(`${variables}${chain()}`, 'fabu:code="T1" fabu:returnPolicy="resubmit"'));
      expect(ir.variables).toEqual([
        { name: 'cityWide', type: 'boolean', default: false, label: '全市性重要事项' },
        { name: 'kind', type: 'enum', values: ['a', 'b', 'c'], default: 'b' },
      ]);
      expect(ir.returnPolicy).toBe('resubmit');
    });

    it('refuses a variable when it is named like the built-in major', async () => {
      const xml = bpmn(`${declare('<fabu:variable name="major" type="boolean"/>')}${chain()}`);
      expect(await onlyProblem(xml)).toEqual({
        element: 'p',
        message: expect.stringContaining('fabu:variable "major": is built in'),
      });
    });

    it('refuses a variable when it is named like a FEEL built-in function, which would shadow it', async () => {
      const xml = bpmn(`${declare('<fabu:variable name="count" type="number" default="1"/>')}${chain()}`);
      expect(await onlyProblem(xml)).toEqual({
        element: 'p',
        message: 'fabu:variable "count": is the name of a FEEL built-in function: choose another name',
      });
    });

    it('refuses a variable when it is declared twice', async () => {
      const twice = declare(
        '<fabu:variable name="cityWide" type="boolean"/>',
        '<fabu:variable name="cityWide" type="boolean"/>',
      );
      expect(await onlyProblem(bpmn(`${twice}${chain()}`))).toEqual({
        element: 'p',
        message: 'fabu:variable "cityWide" is declared twice',
      });
    });

    it('refuses an enum variable when its default is not one of its values', async () => {
      const xml = bpmn(`${declare('<fabu:variable name="kind" type="enum" values="a,b" default="c"/>')}${chain()}`);
      expect(await onlyProblem(xml)).toEqual({
        element: 'p',
        message: 'fabu:variable "kind": default "c" is not one of a, b',
      });
    });

    it('keeps fabu:restartAt when it names a user task, and refuses it when it names anything else (H6)', async () => {
      expect((await compileBpmn(bpmn(chain(), 'fabu:code="T1" fabu:restartAt="task"'))).restartAt).toBe('task');
      expect(await onlyProblem(bpmn(chain(), 'fabu:code="T1" fabu:restartAt="end"'))).toEqual({
        element: 'p',
        message: 'fabu:restartAt "end" must name a user task of this process (H6: where a change re-runs the approval)',
      });
    });

    it('keeps fabu:applyBeforeUnless, and refuses it without fabu:applyBefore or reading an unknown variable (L3)', async () => {
      const emergency = declare('<fabu:variable name="emergency" type="boolean" default="false"/>');
      const attrs = 'fabu:code="T1" fabu:applyBefore="conferenceDate - 7WD" fabu:applyBeforeUnless="emergency"';
      expect((await compileBpmn(bpmn(`${emergency}${chain()}`, attrs))).applyBeforeUnless).toBe('emergency');
      expect(
        await onlyProblem(bpmn(`${emergency}${chain()}`, 'fabu:code="T1" fabu:applyBeforeUnless="emergency"')),
      ).toEqual({
        element: 'p',
        message: 'fabu:applyBeforeUnless needs a fabu:applyBefore to make an exception to',
      });
      expect(await onlyProblem(bpmn(chain(), attrs))).toEqual({
        element: 'p',
        message: expect.stringContaining('fabu:applyBeforeUnless "emergency": reads unknown variable emergency'),
      });
    });

    it('keeps the role policies, and refuses fabu:onEmpty="escalate" without an escalation to give the task to', async () => {
      const ir = await compileBpmn(
        bpmn(
          chain(
            'fabu:onEmpty="escalate"',
            '<fabu:candidate initiator="true"/><fabu:escalation position="press-office-head" org="hld-gov-press-office"/>',
          ),
          'fabu:code="T1" fabu:dedupe="true" fabu:skipApplicant="true"',
        ),
      );
      expect(ir).toMatchObject({ dedupe: true, skipApplicant: true, nodes: { task: { onEmpty: 'escalate' } } });
      expect(await onlyProblem(bpmn(chain('fabu:onEmpty="escalate"')))).toEqual({
        element: 'task',
        message: 'fabu:onEmpty="escalate" needs a <fabu:escalation> to give the task to',
      });
      expect(await onlyProblem(bpmn(chain(), 'fabu:code="T1" fabu:dedupe="yes"'))).toEqual({
        element: 'p',
        message: 'fabu:dedupe "yes" must be true or false',
      });
    });

    it('refuses fabu:commentRequired when it names an action the task does not have', async () => {
      expect(await onlyProblem(bpmn(chain('fabu:actions="approve,reject" fabu:commentRequired="return"')))).toEqual({
        element: 'task',
        message: 'fabu:commentRequired names "return", which is not one of this task\'s actions (approve, reject)',
      });
    });

    it('keeps fabu:materials as document kinds, each once, when they are on the allow-list', async () => {
      const ir = await compileBpmn(bpmn(chain('fabu:materials="release-statement, host-script,release-statement"')));
      expect(ir.nodes.task).toMatchObject({ materials: ['release-statement', 'host-script'] });
      expect(await compileBpmn(bpmn(chain()))).not.toHaveProperty('nodes.task.materials');
    });

    it('refuses fabu:materials when it names a kind not on the allow-list, or none', async () => {
      const refused = await onlyProblem(bpmn(chain('fabu:materials="release-statement,press-kit,menu"')));
      expect(refused).toMatchObject({ element: 'task' });
      expect(refused.message).toMatch(
        /^fabu:materials names "press-kit", "menu", not a document kind \(known: release-statement, host-script, /,
      );
      expect(await onlyProblem(bpmn(chain('fabu:materials=" , "')))).toEqual({
        element: 'task',
        message:
          'fabu:materials is empty: name the document kinds the step needs, e.g. "release-statement,host-script"',
      });
    });

    it('refuses fabu:returnPolicy when it is neither rerun nor resubmit', async () => {
      expect(await onlyProblem(bpmn(chain(), 'fabu:code="T1" fabu:returnPolicy="restart"'))).toEqual({
        element: 'p',
        message: 'fabu:returnPolicy "restart" must be rerun or resubmit',
      });
    });
  });

  describe('the supported subset', () => {
    it.each([
      ['bpmn:subProcess', '<bpmn:subProcess id="x"/>', 'bpmn:SubProcess'],
      ['bpmn:scriptTask', '<bpmn:scriptTask id="x"/>', 'bpmn:ScriptTask'],
      ['bpmn:inclusiveGateway', '<bpmn:inclusiveGateway id="x"/>', 'bpmn:InclusiveGateway'],
    ])('refuses %s when a chain uses it', async (_what, element, type) => {
      expect(await onlyProblem(bpmn(through(element, 'x')))).toEqual({
        element: 'x',
        message: `not supported: ${type} (docs/bpmn.md lists the subset fabu runs)`,
      });
    });

    it('refuses a user task when it has two outgoing flows', async () => {
      expect(await onlyProblem(bpmn(`${chain()}${flow('f3', 'task', 'end')}`))).toEqual({
        element: 'task',
        message: 'has 2 outgoing flows; branch with an exclusive or parallel gateway',
      });
    });

    it.each([
      [
        'its targetRef names a missing element',
        flow('f2', 'task', 'nowhere'),
        'bpmn:targetRef points to missing element "nowhere"',
      ],
      [
        'its sourceRef names a missing element',
        flow('f2', 'nowhere', 'end'),
        'bpmn:sourceRef points to missing element "nowhere"',
      ],
      [
        'it has no targetRef',
        '<bpmn:sequenceFlow id="f2" sourceRef="task"/>',
        'sequence flow has no targetRef (a dangling flow)',
      ],
    ])('refuses a dangling flow when %s', async (_when, dangling, message) => {
      const found = await problems(bpmn(chain().replace(flow('f2', 'task', 'end'), dangling)));
      expect(found).toContainEqual({ element: 'f2', message });
      expect(found.every((p) => p.element === 'f2')).toBe(true);
    });
  });

  describe('timer start event (recurring process)', () => {
    const PRESS = '<fabu:candidate position="press-officer" org="nb-press-office"/>';
    const recurring = (startAttrs: string, definition = '<bpmn:timerEventDefinition/>', children = PRESS) =>
      bpmn(
        `<bpmn:startEvent id="start" ${startAttrs}>${definition}</bpmn:startEvent>` +
          `${flow('f1', 'start', 'task')}${task('task', '', children)}${flow('f2', 'task', 'end')}${END}`,
      );

    it('compiles a calendar rule (N3) or a cron line into the start event, with the org each run is for', async () => {
      const ir = await compileBpmn(recurring('fabu:recurrence="second-week-of-month" fabu:org="nb-press-office"'));
      expect(ir.nodes.start).toMatchObject({
        kind: 'startEvent',
        schedule: { recurrence: 'second-week-of-month', orgCode: 'nb-press-office' },
      });
      const cron = await compileBpmn(recurring('fabu:org="nb-press-office"', timer('timeCycle', '0 9 1 * *')));
      expect(cron.nodes.start).toMatchObject({ schedule: { cron: '0 9 1 * *', orgCode: 'nb-press-office' } });
      // A plain start event stays a plain start event.
      expect((await compileBpmn(bpmn(chain()))).nodes.start).not.toHaveProperty('schedule');
    });

    it('names the start event at fault for each mistake', async () => {
      for (const [xml, message] of [
        [
          recurring('fabu:recurrence="monthly" fabu:org="nb-press-office"'),
          /fabu:recurrence "monthly".*'second-week-of-month'/,
        ],
        [recurring('fabu:recurrence="quarterly"'), /needs fabu:org/],
        [recurring('fabu:org="nb-press-office"'), /needs fabu:recurrence .* or a timeCycle cron line/],
        [recurring('fabu:org="nb-press-office"', timer('timeCycle', 'R/P1M')), /cron line of five fields/],
        [
          recurring('fabu:recurrence="quarterly" fabu:org="nb-press-office"', timer('timeCycle', '0 9 1 * *')),
          /either fabu:recurrence or a timeCycle, not both/,
        ],
        [recurring('fabu:org="nb-press-office"', timer('timeDate', '2026-12-01T00:00:00Z')), /not a date or duration/],
        [
          bpmn(
            `<bpmn:startEvent id="start" fabu:recurrence="quarterly"/>${flow('f1', 'start', 'task')}${task('task')}${flow('f2', 'task', 'end')}${END}`,
          ),
          /belong on a timer start event/,
        ],
      ] as const) {
        const found = await problems(xml);
        expect(found.some((p) => p.element === 'start' && message.test(p.message))).toBe(true);
      }
    });

    it('refuses an applicant where a recurring run has none: initiator candidates and fabu:applyBefore', async () => {
      const initiator = await onlyProblem(
        recurring(
          'fabu:recurrence="quarterly" fabu:org="nb-press-office"',
          undefined,
          '<fabu:candidate initiator="true"/>',
        ),
      );
      expect(initiator).toEqual({ element: 'task', message: expect.stringMatching(/no applicant: name a position/) });
      const late = await problems(
        recurring('fabu:recurrence="quarterly" fabu:org="nb-press-office"').replace(
          'fabu:code="T1"',
          'fabu:code="T1" fabu:applyBefore="conferenceDate - 7WD"',
        ),
      );
      expect(late).toContainEqual({ element: 'p', message: expect.stringMatching(/drop fabu:applyBefore/) });
    });
  });

  describe('fabu:onDue', () => {
    it('compiles "miss" on a task with a due time, and names the task for anything else', async () => {
      const ir = await compileBpmn(bpmn(chain('fabu:due="P2WD" fabu:onDue="miss"')));
      expect(ir.nodes.task).toMatchObject({ kind: 'userTask', onDue: 'miss' });
      expect(await onlyProblem(bpmn(chain('fabu:onDue="miss"')))).toEqual({
        element: 'task',
        message: 'fabu:onDue="miss" needs a fabu:due to miss',
      });
      expect(await onlyProblem(bpmn(chain('fabu:due="P2WD" fabu:onDue="skip"')))).toEqual({
        element: 'task',
        message: 'fabu:onDue "skip" must be miss',
      });
    });
  });

  describe('fabu:conference', () => {
    it('marks a chain whose requests are not conferences, and names a value that is not true or false', async () => {
      const off = await compileBpmn(bpmn(chain(), 'fabu:code="T1" fabu:conference="false"'));
      expect(off.conference).toBe(false);
      expect(await compileBpmn(bpmn(chain(), 'fabu:code="T1" fabu:conference="true"'))).not.toHaveProperty(
        'conference',
      );
      expect(await onlyProblem(bpmn(chain(), 'fabu:code="T1" fabu:conference="no"'))).toEqual({
        element: 'p',
        message: 'fabu:conference "no" must be true or false',
      });
    });
  });

  describe('startConferences and complianceNotice service tasks', () => {
    it('need their attributes, and refuse them elsewhere, naming the task', async () => {
      const svc = (attrs: string) => `<bpmn:serviceTask id="svc" name="Svc" ${attrs}/>`;
      const ok = await compileBpmn(
        bpmn(through(svc('fabu:activity="complianceNotice" fabu:city="liuzhou" fabu:lead="20"'), 'svc')),
      );
      expect(ok.nodes.svc).toMatchObject({ activity: 'complianceNotice', city: 'liuzhou', lead: 20 });
      for (const [attrs, message] of [
        ['fabu:activity="complianceNotice" fabu:lead="20"', /needs fabu:city/],
        ['fabu:activity="complianceNotice" fabu:city="liuzhou" fabu:lead="soon"', /needs fabu:lead/],
        ['fabu:activity="startConferences" fabu:topics="topics"', /needs fabu:process/],
        ['fabu:activity="startConferences" fabu:process="ningbo-department-conference"', /needs fabu:topics/],
        ['fabu:activity="file" fabu:city="liuzhou"', /belong to a complianceNotice/],
      ] as const) {
        const found = await problems(bpmn(through(svc(attrs), 'svc')));
        expect(found.some((p) => p.element === 'svc' && message.test(p.message))).toBe(true);
      }
    });
  });
});
