import { BpmnModdle, type ImportResult, type ImportWarning, type ModdleElement } from 'bpmn-moddle';
import { PositionSchema, POSITIONS } from '../directory/positions.js';
import { DOCUMENT_KIND_NAMES, type DocumentKind, isDocumentKind } from '../documents/document-kinds.js';
import { FABU_NS, fabuModdleDescriptor, parseDueExpression } from './fabu-moddle.js';
import { evaluateFeel } from './feel.js';
import {
  DecisionActionSchema,
  EndOutcomeSchema,
  IR_VERSION,
  MediaTierSchema,
  ProcessIRSchema,
  ReturnPolicySchema,
  ServiceActivitySchema,
  type BoundaryTimerNode,
  type CandidateExpr,
  type ClockDef,
  type DecisionAction,
  type DueRule,
  type Flow,
  type MediaTier,
  type MultiInstance,
  type ProcessIR,
  type ProcessNode,
  type ScheduleIR,
  type Variable,
} from './ir.js';
import { parseRecurrence } from '../calendar/recurrence.js';

/** One problem in a BPMN file; `line`/`column` are 1-based, as editors show them. */
export interface BpmnProblem {
  element?: string;
  line?: number;
  column?: number;
  message: string;
}

/** A BPMN file that cannot run as a fabu chain; `errors` lists every problem found. */
export class BpmnCompileError extends Error {
  override readonly name = 'BpmnCompileError';

  constructor(
    readonly errors: BpmnProblem[],
    readonly fileName?: string,
  ) {
    super(`${fileName ?? 'BPMN'}: ${errors.length} problem(s)\n${errors.map((e) => `  - ${formatProblem(e)}`).join('\n')}`);
  }
}

function formatProblem({ element, line, column, message }: BpmnProblem): string {
  const where = [element, line === undefined ? undefined : `line ${line}, column ${column}`].filter(Boolean).join(' ');
  return where ? `${where}: ${message}` : message;
}

/** The moddle properties the compiler reads (bpmn and fabu, see fabu-moddle.ts). */
interface El extends ModdleElement {
  readonly $parent?: El;
  readonly name?: string;
  readonly rootElements?: El[];
  readonly flowElements?: El[];
  readonly sourceRef?: El;
  readonly targetRef?: El;
  readonly extensionElements?: El;
  readonly values?: El[];
  readonly eventDefinitions?: El[];
  readonly loopCharacteristics?: El;
  readonly attachedToRef?: El;
  readonly cancelActivity?: boolean;
  readonly default?: El;
  readonly conditionExpression?: El;
  readonly completionCondition?: El;
  readonly isSequential?: boolean;
  readonly loopCardinality?: El;
  readonly timeDuration?: El;
  readonly timeDate?: El;
  readonly timeCycle?: El;
  readonly messageRef?: El;
  readonly body?: string;
  readonly code?: string;
  readonly rules?: string;
  readonly applyBefore?: string;
  readonly returnPolicy?: string;
  readonly restartAt?: string;
  readonly applyBeforeUnless?: string;
  readonly dedupe?: string;
  readonly skipApplicant?: string;
  readonly conference?: string;
  readonly onEmpty?: string;
  readonly onDue?: string;
  readonly output?: string;
  readonly process?: string;
  readonly topics?: string;
  readonly city?: string;
  readonly lead?: string;
  readonly commentRequired?: string;
  readonly due?: string;
  readonly actions?: string;
  readonly multi?: string;
  readonly passRatio?: string;
  readonly activity?: string;
  readonly tiers?: string;
  readonly outcome?: string;
  readonly position?: string;
  readonly org?: string;
  readonly initiator?: string;
  readonly type?: string;
  readonly label?: string;
  readonly recurrence?: string;
  readonly intake?: string;
  readonly collection?: string;
  readonly materials?: string;
  readonly channel?: string;
  readonly content?: string;
  readonly together?: string;
  readonly from?: string;
  readonly until?: string;
  readonly warnAt?: string;
  readonly when?: string;
  readonly within?: string;
}

const KEY = /^[a-z][a-z0-9-]*$/;
const CODE = /^[A-Z][A-Z0-9]*$/;
const ORG_CODE = /^[a-z][a-z0-9-]*$/;
const RULE_ID = /^[A-Z][A-Z0-9]*(\.\d+)*$/;
const VARIABLE_NAME = /^[a-z][A-Za-z0-9]*$/;
const MESSAGE_NAME = /^[a-z][a-z0-9-]*$/;
const CYCLE = /^R(\d*)\/(.+)$/;

/** Request fields every condition may read without declaring them, with a sample value. */
const BUILT_IN_VARIABLES: Record<string, { type: Variable['type']; sample: unknown }> = {
  major: { type: 'boolean', sample: false },
  orgCode: { type: 'string', sample: 'org' },
  title: { type: 'string', sample: 'title' },
  conferenceDate: { type: 'string', sample: '2026-01-01' },
};
/** What a multi-instance completion condition may read. */
const MI_VARIABLES = { nrOfInstances: 3, nrOfApproved: 1, nrOfRejected: 1, nrOfCompletedInstances: 2 };
/** The most variable combinations a gateway's exhaustiveness check enumerates. */
const MAX_COMBINATIONS = 4096;

type NodeKind = ProcessNode['kind'];
const ELEMENT_KINDS: Record<string, NodeKind | 'intermediateCatchEvent'> = {
  'bpmn:StartEvent': 'startEvent',
  'bpmn:EndEvent': 'endEvent',
  'bpmn:UserTask': 'userTask',
  'bpmn:ServiceTask': 'serviceTask',
  'bpmn:ExclusiveGateway': 'exclusiveGateway',
  'bpmn:ParallelGateway': 'parallelGateway',
  'bpmn:IntermediateCatchEvent': 'intermediateCatchEvent',
  'bpmn:BoundaryEvent': 'boundaryTimer',
};

/**
 * Compiles one BPMN 2.0 file (with `fabu:` extensions) into the IR the interpreter workflow runs.
 * The supported subset is described in docs/bpmn.md; anything else throws BpmnCompileError naming
 * the element and the reason.
 */
export async function compileBpmn(xml: string, opts: { fileName?: string } = {}): Promise<ProcessIR> {
  const problems: BpmnProblem[] = [];
  const fail = (): never => {
    throw new BpmnCompileError(problems, opts.fileName);
  };

  let parsed: ImportResult;
  try {
    parsed = await new BpmnModdle({ fabu: fabuModdleDescriptor }).fromXML(xml);
  } catch (err) {
    const { message, warnings = [] } = err as Error & { warnings?: ImportWarning[] };
    problems.push(...warnings.map((w) => fromWarning(w, xml)), fromWarning({ message }, xml));
    return fail();
  }
  // moddle keeps going past unknown elements and attributes; for a legal process they are errors.
  problems.push(...parsed.warnings.map((w) => fromWarning(w, xml)));

  const definitions = parsed.rootElement as El;
  const processes = (definitions.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process');
  if (processes.length !== 1) {
    const ids = processes.map((p) => p.id).join(', ');
    problems.push({ element: definitions.id, message: `expected exactly one bpmn:process, found ${processes.length}${ids ? `: ${ids}` : ''}` });
    return fail();
  }
  const ir = compileProcess(processes[0], problems);
  checkFabuNamespace([definitions, ...(Object.values(parsed.elementsById) as El[])], problems);
  if (problems.length > 0) return fail();

  const result = ProcessIRSchema.safeParse(ir);
  if (!result.success) {
    // The checks above should make this unreachable: a failure here is a compiler bug.
    problems.push(
      ...result.error.issues.map((issue) => ({
        element: issue.path[0] === 'nodes' || issue.path[0] === 'flows' ? String(issue.path[1]) : undefined,
        message: `compiler bug: invalid IR at ${issue.path.join('.')}: ${issue.message}`,
      })),
    );
    return fail();
  }
  return result.data;
}

type Problem = (element: string | undefined, message: string) => void;

function compileProcess(proc: El, problems: BpmnProblem[]): ProcessIR {
  const problem: Problem = (element, message) => problems.push({ element, message });
  const id = proc.id ?? '';

  if (!KEY.test(id)) problem(id, `process id must be lower-case kebab-case (it becomes the process key), got "${id}"`);
  if (!proc.name?.trim()) problem(id, 'process has no name');
  if (proc.code === undefined) problem(id, 'missing fabu:code (the business-id prefix, e.g. "H3")');
  else if (!CODE.test(proc.code)) problem(id, `fabu:code "${proc.code}" must be upper-case letters and digits, e.g. "H3"`);
  const applyBefore = proc.applyBefore === undefined ? undefined : dueRule(proc.applyBefore, 'fabu:applyBefore', id, problems);
  if (applyBefore && applyBefore.kind !== 'workingDaysBeforeField' && applyBefore.kind !== 'calendarBeforeField') {
    // H1: "at least 7 WD before the conference" only makes sense counted back from a date.
    problem(id, `fabu:applyBefore must count back from a date field, e.g. "conferenceDate - 7WD", got "${applyBefore.source}"`);
  }
  const returnPolicy = proc.returnPolicy === undefined ? undefined : ReturnPolicySchema.safeParse(proc.returnPolicy);
  if (returnPolicy && !returnPolicy.success) {
    problem(id, `fabu:returnPolicy "${proc.returnPolicy}" must be ${ReturnPolicySchema.options.join(' or ')}`);
  }
  const fabuChildren = proc.extensionElements?.values?.filter(isFabuElement) ?? [];
  if (fabuChildren.some((c) => c.$type !== 'fabu:Variable' && c.$type !== 'fabu:Clock')) {
    problem(id, 'only <fabu:variable> and <fabu:clock> belong on a bpmn:process; candidates belong on user tasks, recipients on service tasks');
  }
  const variables = fabuChildren.filter((c) => c.$type === 'fabu:Variable').flatMap((v) => variable(v, id, problem));
  for (const [i, v] of variables.entries()) {
    if (variables.findIndex((w) => w.name === v.name) !== i) problem(id, `fabu:variable "${v.name}" is declared twice`);
  }

  const nodes: Record<string, ProcessNode> = {};
  const elements: Record<string, El> = {};
  const flowEls: El[] = [];
  const unsupported = new Set<El>();
  for (const el of proc.flowElements ?? []) {
    const kind = ELEMENT_KINDS[el.$type];
    if (!el.id) problem(undefined, `${el.$type} has no id`);
    else if (el.$type === 'bpmn:SequenceFlow') flowEls.push(el);
    else if (kind) {
      const node = compileNode(el, kind, problems);
      if (node) {
        nodes[el.id] = node;
        elements[el.id] = el;
      } else unsupported.add(el);
    } else {
      problem(el.id, `not supported: ${el.$type} (docs/bpmn.md lists the subset fabu runs)`);
      unsupported.add(el);
    }
  }

  const flows: Record<string, Flow> = {};
  let graphComplete = unsupported.size === 0;
  for (const el of flowEls) {
    const flowId = el.id ?? '';
    const [source, target] = (['sourceRef', 'targetRef'] as const).map((label) => {
      const ref = el[label];
      // An unresolved id was already reported by moddle; flows to unsupported nodes by the check above.
      if (!ref) problem(flowId, `sequence flow has no ${label} (a dangling flow)`);
      else if (!unsupported.has(ref) && !nodes[ref.id ?? '']) problem(flowId, `${label} "${ref.id}" is not a node of this process`);
      return ref?.id && nodes[ref.id] ? ref.id : undefined;
    });
    if (!source || !target) {
      graphComplete = false;
      continue;
    }
    const condition = el.conditionExpression?.body?.trim();
    flows[flowId] = { id: flowId, source, target, ...(el.name ? { name: el.name } : {}), ...(condition ? { condition } : {}) };
    if (el.conditionExpression && !condition) problem(flowId, 'conditionExpression is empty');
    nodes[source].outgoing.push(flowId);
    const targetNode = nodes[target];
    if (targetNode.kind === 'parallelGateway') targetNode.incoming.push(flowId);
  }

  // Boundary events: attach them to their tasks.
  for (const node of Object.values(nodes)) {
    if (node.kind !== 'boundaryTimer') continue;
    const host = nodes[node.attachedTo];
    if (host?.kind !== 'userTask') {
      problem(node.id, `a boundary timer must be attached to a user task of this process, not "${node.attachedTo}"`);
      graphComplete = false;
    } else (host.boundaries ??= []).push(node.id);
  }

  // Gateways: defaults and conditions.
  for (const node of Object.values(nodes)) {
    if (node.kind !== 'exclusiveGateway') {
      for (const flowId of node.outgoing) {
        if (flows[flowId].condition !== undefined) {
          problem(flowId, `conditions belong on flows out of an exclusive gateway, not out of ${node.kind} "${node.id}"`);
        }
      }
      continue;
    }
    const el = elements[node.id];
    if (el.default) {
      if (!node.outgoing.includes(el.default.id ?? '')) problem(node.id, `default flow "${el.default.id}" does not leave this gateway`);
      else {
        const defaultFlow = el.default.id ?? '';
        node.default = defaultFlow;
        if (flows[defaultFlow].condition !== undefined) problem(defaultFlow, 'the default flow of a gateway must not have a condition');
      }
    }
    if (node.outgoing.length > 1) checkConditions(node, flows, variables, problem);
    else if (node.outgoing.length === 1 && flows[node.outgoing[0]].condition !== undefined) {
      problem(node.outgoing[0], 'a gateway with one outgoing flow merges branches; a condition on it could strand the chain');
    }
  }

  if (proc.applyBeforeUnless !== undefined) {
    if (!applyBefore) problem(id, 'fabu:applyBeforeUnless needs a fabu:applyBefore to make an exception to');
    const error = feelProblem(proc.applyBeforeUnless, sampleContext(variables));
    if (error) problem(id, `fabu:applyBeforeUnless "${proc.applyBeforeUnless}": ${error}`);
  }
  const flag = (name: 'dedupe' | 'skipApplicant' | 'conference') => {
    const value = proc[name];
    if (value !== undefined && value !== 'true' && value !== 'false') problem(id, `fabu:${name} "${value}" must be true or false`);
    return value === 'true';
  };
  const [dedupe, skipApplicant] = [flag('dedupe'), flag('skipApplicant')];
  // fabu:conference="false": runs of this chain are not conferences (L2's plan), whatever date they carry.
  const notConference = proc.conference !== undefined && !flag('conference');
  if (proc.restartAt !== undefined && nodes[proc.restartAt]?.kind !== 'userTask') {
    problem(id, `fabu:restartAt "${proc.restartAt}" must name a user task of this process (H6: where a change re-runs the approval)`);
  }

  const clocks = fabuChildren.filter((c) => c.$type === 'fabu:Clock').flatMap((c) => clock(c, id, variables, nodes, problem));
  for (const [i, c] of clocks.entries()) {
    if (clocks.findIndex((d) => d.id === c.id) !== i) problem(id, `fabu:clock "${c.id}" is declared twice`);
  }
  if (proc.intake !== undefined && !KEY.test(proc.intake)) {
    problem(id, `fabu:intake "${proc.intake}" must name a city, e.g. "liuzhou"`);
  }
  checkCollections(nodes, variables, problem);
  checkPublishTogether(nodes, variables, problem);

  const starts = Object.values(nodes).filter((n) => n.kind === 'startEvent');
  const recurring = starts.some((n) => n.kind === 'startEvent' && n.schedule);
  if (recurring) {
    // A run started by its schedule has no applicant: no one to ask as the initiator, no lateness.
    if (proc.applyBefore !== undefined) problem(id, 'a recurring process has no application to be late: drop fabu:applyBefore');
    for (const node of Object.values(nodes)) {
      const exprs =
        node.kind === 'userTask'
          ? [...node.candidates, ...node.escalation]
          : node.kind === 'serviceTask'
            ? (node.recipients ?? [])
            : [];
      if (exprs.some((e) => e.kind === 'initiator')) {
        problem(node.id, 'a recurring run has no applicant: name a position instead of initiator="true"');
      }
    }
  }
  if (starts.length !== 1) {
    problem(id, `expected exactly one start event, found ${starts.length}${starts.length ? `: ${starts.map((s) => s.id).join(', ')}` : ''}`);
  } else if (graphComplete) {
    // Skipped after unsupported nodes or broken flows, which would only add follow-on errors.
    checkGraph(starts[0].id, nodes, flows, problems);
  }

  return {
    irVersion: IR_VERSION,
    key: id,
    name: proc.name ?? '',
    code: proc.code ?? '',
    rules: ruleList(proc.rules, id, problems),
    ...(applyBefore ? { applyBefore } : {}),
    ...(returnPolicy?.success ? { returnPolicy: returnPolicy.data } : {}),
    ...(proc.restartAt !== undefined ? { restartAt: proc.restartAt } : {}),
    ...(proc.applyBeforeUnless !== undefined ? { applyBeforeUnless: proc.applyBeforeUnless } : {}),
    ...(dedupe ? { dedupe } : {}),
    ...(skipApplicant ? { skipApplicant } : {}),
    ...(notConference ? { conference: false } : {}),
    ...(variables.length ? { variables } : {}),
    ...(proc.intake !== undefined && KEY.test(proc.intake) ? { intake: proc.intake } : {}),
    ...(clocks.length ? { clocks } : {}),
    startNodeId: starts[0]?.id ?? '',
    nodes,
    flows,
  };
}

function variable(el: El, processId: string, problem: Problem): Variable[] {
  const name = el.name ?? '';
  const at = (message: string) => problem(processId, `fabu:variable "${name}": ${message}`);
  if (!VARIABLE_NAME.test(name)) return at('name must be camelCase letters and digits'), [];
  if (name in BUILT_IN_VARIABLES) return at('is built in (major, orgCode, title, conferenceDate need no declaration)'), [];
  // A FEEL built-in function (count, sum, date, …) would shadow the variable silently in conditions.
  if (!evaluateFeel(name, {}).missing.includes(name)) return at('is the name of a FEEL built-in function: choose another name'), [];
  const type = el.type;
  if (type !== 'boolean' && type !== 'string' && type !== 'number' && type !== 'enum' && type !== 'list') {
    return at(`type "${type}" must be boolean, string, number, enum or list`), [];
  }
  if (type === 'list' && (el as { default?: unknown }).default !== undefined) return at('a list has no default'), [];
  const values = type === 'enum' ? list(el.values?.toString() ?? '') : undefined;
  if (type === 'enum' && !values?.length) return at('an enum needs values="a,b,c"'), [];
  if (type !== 'enum' && el.values !== undefined) return at('values belong to an enum'), [];
  let fallback: Variable['default'];
  const raw = (el as { default?: unknown }).default as string | undefined;
  if (raw !== undefined) {
    if (type === 'boolean' && raw !== 'true' && raw !== 'false') return at(`default "${raw}" must be true or false`), [];
    if (type === 'number' && !Number.isFinite(Number(raw))) return at(`default "${raw}" is not a number`), [];
    if (type === 'enum' && !values!.includes(raw)) return at(`default "${raw}" is not one of ${values!.join(', ')}`), [];
    fallback = type === 'boolean' ? raw === 'true' : type === 'number' ? Number(raw) : raw;
  }
  return [
    {
      name,
      type,
      ...(values ? { values } : {}),
      ...(fallback !== undefined ? { default: fallback } : {}),
      ...(el.label ? { label: el.label } : {}),
    },
  ];
}

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

/**
 * A timer start event: a recurring process (N2, N3, L1, L2). Either fabu:recurrence names a
 * calendar rule, or the timeCycle is a five-field cron line; fabu:org names the org each run is for.
 */
function timerStart(el: El, def: El, problem: (message: string) => void): ScheduleIR | undefined {
  if (def.timeDate || def.timeDuration) problem('a timer start event repeats: give a timeCycle or fabu:recurrence, not a date or duration');
  const cycle = def.timeCycle?.body?.trim();
  const orgCode = el.org?.trim();
  if (!orgCode) problem('a timer start event needs fabu:org: the org each run is for, e.g. "nb-press-office"');
  else if (!ORG_CODE.test(orgCode)) problem(`fabu:org "${orgCode}" must be an org code, e.g. "nb-press-office"`);
  if (el.recurrence !== undefined && cycle) problem('give either fabu:recurrence or a timeCycle, not both');
  if (el.recurrence === undefined && !cycle) {
    problem('a timer start event needs fabu:recurrence (e.g. "second-week-of-month") or a timeCycle cron line (e.g. "0 9 1 * *")');
  }
  let recurrence: string | undefined;
  if (el.recurrence !== undefined) {
    const parsed = parseRecurrence(el.recurrence);
    if ('error' in parsed) problem(`fabu:recurrence "${el.recurrence}": ${parsed.error}`);
    else recurrence = parsed.source;
  }
  let cron: string | undefined;
  if (cycle) {
    const fields = cycle.split(/\s+/);
    if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
      problem(`timeCycle "${cycle}" must be a cron line of five fields (minute hour day-of-month month day-of-week), e.g. "0 9 1 * *"`);
    } else cron = fields.join(' ');
  }
  if (!orgCode || !ORG_CODE.test(orgCode) || (!recurrence && !cron)) return undefined;
  return { ...(recurrence ? { recurrence } : {}), ...(cron ? { cron } : {}), orgCode };
}

function compileNode(el: El, kind: NodeKind | 'intermediateCatchEvent', problems: BpmnProblem[]): ProcessNode | undefined {
  const id = el.id ?? '';
  const problem = (message: string) => problems.push({ element: id, message });
  const base = { id, name: el.name ?? '', outgoing: [] as string[] };
  const fabuChildren = el.extensionElements?.values?.filter(isFabuElement) ?? [];
  const definitions = el.eventDefinitions ?? [];
  const onlyDefinition = (allowed: string[], what: string) => {
    if (definitions.length !== 1 || !allowed.includes(definitions[0].$type)) {
      problem(`${what} needs exactly one ${allowed.join(' or ')}; found ${definitions.map((d) => d.$type).join(', ') || 'none'}`);
      return undefined;
    }
    return definitions[0];
  };
  const noEventDefinitions = () => definitions.forEach((d) => problem(`not supported here: ${d.$type}`));
  const allowFabu = (...types: string[]) => {
    const stray = fabuChildren.filter((c) => !types.includes(c.$type));
    if (stray.length) problem(`${[...new Set(stray.map((c) => c.$type))].join(', ')} does not belong on a ${el.$type}`);
  };

  switch (kind) {
    case 'startEvent': {
      allowFabu();
      if (definitions.length === 0) {
        if (el.recurrence !== undefined || el.org !== undefined) {
          problem('fabu:recurrence and fabu:org belong on a timer start event (<bpmn:timerEventDefinition>)');
        }
        return { ...base, kind };
      }
      const def = onlyDefinition(['bpmn:TimerEventDefinition'], 'a start event with an event definition');
      if (!def) return { ...base, kind };
      const schedule = timerStart(el, def, problem);
      return { ...base, kind, ...(schedule ? { schedule } : {}) };
    }
    case 'endEvent': {
      noEventDefinitions();
      allowFabu();
      if (el.outcome === undefined) return { ...base, kind };
      const outcome = EndOutcomeSchema.safeParse(el.outcome);
      if (!outcome.success) problem(`fabu:outcome "${el.outcome}" must be one of ${EndOutcomeSchema.options.join(' | ')}`);
      // The placeholder never leaves the compiler: a recorded problem makes compileBpmn throw.
      return { ...base, kind, outcome: outcome.success ? outcome.data : 'approved' };
    }
    case 'exclusiveGateway':
    case 'parallelGateway':
      allowFabu();
      return kind === 'parallelGateway' ? { ...base, kind, incoming: [] } : { ...base, kind };
    case 'intermediateCatchEvent': {
      allowFabu();
      const def = onlyDefinition(['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition'], 'an intermediate catch event');
      if (!def) return undefined;
      if (def.$type === 'bpmn:MessageEventDefinition') {
        const name = def.messageRef?.name;
        if (!def.messageRef) problem('the message event needs messageRef naming a <bpmn:message>');
        else if (!name || !MESSAGE_NAME.test(name)) problem(`message "${def.messageRef.id}" needs a kebab-case name, e.g. "materials-filed"`);
        return { ...base, kind: 'messageEvent', message: name ?? '' };
      }
      if (def.timeCycle) problem('timeCycle repeats: it belongs on a non-interrupting boundary timer');
      const timer = timerRule(def, id, problems);
      return timer ? { ...base, kind: 'timerEvent', timer } : undefined;
    }
    case 'boundaryTimer': {
      allowFabu();
      const def = onlyDefinition(['bpmn:TimerEventDefinition'], 'a boundary event');
      if (!def) return undefined;
      const interrupting = el.cancelActivity !== false;
      let repeat: number | null = 1;
      let timer: DueRule | undefined;
      if (def.timeCycle) {
        if (interrupting) problem('timeCycle repeats, so it needs cancelActivity="false" (a reminder)');
        const cycle = CYCLE.exec(def.timeCycle.body?.trim() ?? '');
        if (!cycle) problem(`timeCycle "${def.timeCycle.body}" must be R/<duration> or R<n>/<duration>, e.g. R/P1WD`);
        else {
          repeat = cycle[1] ? Number(cycle[1]) : null;
          if (repeat === 0) problem('timeCycle R0 would never fire');
          timer = dueRule(cycle[2], 'timeCycle', id, problems);
          if (timer && timer.kind !== 'workingDaysAfterOpen' && timer.kind !== 'durationAfterOpen' && timer.kind !== 'calendarAfterOpen') {
            problem(`timeCycle "${def.timeCycle.body}" must repeat a duration, not a date`);
          }
        }
        if (def.timeDuration || def.timeDate) problem('a timer has one of timeDuration, timeDate, timeCycle');
      } else timer = timerRule(def, id, problems);
      const attachedTo = el.attachedToRef?.id ?? '';
      if (!attachedTo) problem('boundary event needs attachedToRef');
      return timer ? { ...base, kind, attachedTo, interrupting, timer, repeat: repeat === 0 ? 1 : repeat } : undefined;
    }
    case 'serviceTask':
      return serviceTask(el, base, fabuChildren, problem, problems);
    case 'userTask':
      noEventDefinitions();
      allowFabu('fabu:Candidate', 'fabu:Escalation');
      return userTask(el, base, fabuChildren, problem, problems);
    default:
      return undefined;
  }
}

function userTask(el: El, base: { id: string; name: string; outgoing: string[] }, fabuChildren: El[], problem: (m: string) => void, problems: BpmnProblem[]): ProcessNode {
  const id = base.id;
  if (!base.name.trim()) problem('user task has no name (it is what the people acting on it see)');
  const candidates = fabuChildren.filter((c) => c.$type === 'fabu:Candidate').flatMap((c) => candidateList(c, problem));
  const escalation = fabuChildren.filter((c) => c.$type === 'fabu:Escalation').flatMap((c) => candidateList(c, problem));
  if (!fabuChildren.some((c) => c.$type === 'fabu:Candidate')) problem('user task needs at least one <fabu:candidate>');
  const due = el.due === undefined ? undefined : dueRule(el.due, 'fabu:due', id, problems);
  // H1: escalation happens when the due time passes; without fabu:due it could never fire.
  if (escalation.length > 0 && el.due === undefined && el.onEmpty !== 'escalate') {
    problem('fabu:escalation needs a fabu:due on the same task (or fabu:onEmpty="escalate")');
  }

  const actions = [...new Set(list(el.actions ?? 'approve,reject,return'))];
  const badActions = actions.filter((a) => !DecisionActionSchema.safeParse(a).success);
  if (badActions.length > 0 || actions.length === 0) {
    problem(`fabu:actions "${el.actions}" must list ${DecisionActionSchema.options.join(', ')}`);
  }
  const commentRequired = [...new Set(list(el.commentRequired ?? ''))].filter((a): a is DecisionAction => {
    const known = actions.includes(a);
    if (!known) problem(`fabu:commentRequired names "${a}", which is not one of this task's actions (${actions.join(', ')})`);
    return known && DecisionActionSchema.safeParse(a).success;
  });
  const multi = multiInstance(el, problem);
  const onEmpty = el.onEmpty;
  if (onEmpty !== undefined && onEmpty !== 'escalate' && onEmpty !== 'incident') {
    problem(`fabu:onEmpty "${onEmpty}" must be escalate or incident`);
  }
  if (onEmpty === 'escalate' && escalation.length === 0) {
    problem('fabu:onEmpty="escalate" needs a <fabu:escalation> to give the task to');
  }
  if (el.onDue !== undefined && el.onDue !== 'miss') problem(`fabu:onDue "${el.onDue}" must be miss`);
  if (el.onDue === 'miss' && el.due === undefined) problem('fabu:onDue="miss" needs a fabu:due to miss');
  const outputs = list(el.output ?? '');
  if (el.output !== undefined && (!outputs.length || !outputs.every((o) => VARIABLE_NAME.test(o)))) {
    problem(`fabu:output "${el.output}" must be camelCase names, e.g. "topics" or "severity,rumour"`);
  }
  const collection = el.collection?.trim();
  if (collection !== undefined && !VARIABLE_NAME.test(collection)) {
    problem(`fabu:collection "${collection}" must name a list variable, e.g. "units"`);
  }
  if (collection !== undefined && !multi) problem('fabu:collection belongs to a multi-instance task (fabu:multi)');
  const itemOrgs = [...candidates, ...escalation].filter((c) => c.kind === 'position' && c.org.kind === 'item');
  if (itemOrgs.length && collection === undefined) problem('org="item" needs fabu:collection: the list each instance is for');
  const materials = materialList(el.materials, problem);

  return {
    ...base,
    kind: 'userTask',
    rules: ruleList(el.rules, id, problems),
    candidates,
    ...(due ? { due } : {}),
    escalation,
    actions: actions.filter((a): a is DecisionAction => DecisionActionSchema.safeParse(a).success),
    ...(multi ? { multi } : {}),
    ...(onEmpty === 'escalate' || onEmpty === 'incident' ? { onEmpty } : {}),
    ...(el.onDue === 'miss' ? { onDue: 'miss' as const } : {}),
    ...(outputs.length && outputs.every((o) => VARIABLE_NAME.test(o)) ? { output: outputs.join(',') } : {}),
    ...(collection !== undefined && VARIABLE_NAME.test(collection) ? { collection } : {}),
    ...(commentRequired.length ? { commentRequired } : {}),
    ...(materials.length ? { materials } : {}),
  };
}

/** fabu:materials: document kinds from the one allow-list (src/documents/document-kinds.ts), each once. */
function materialList(value: string | undefined, problem: (m: string) => void): DocumentKind[] {
  if (value === undefined) return [];
  const names = [...new Set(list(value))];
  if (!names.length) problem('fabu:materials is empty: name the document kinds the step needs, e.g. "release-statement,host-script"');
  const unknown = names.filter((n) => !isDocumentKind(n));
  if (unknown.length) {
    problem(`fabu:materials names ${unknown.map((n) => `"${n}"`).join(', ')}, not a document kind (known: ${DOCUMENT_KIND_NAMES.join(', ')})`);
  }
  return names.filter(isDocumentKind);
}

/** 依次 / 会签 / 或签 from multiInstanceLoopCharacteristics and the fabu:multi shortcut. */
function multiInstance(el: El, problem: (m: string) => void): MultiInstance | undefined {
  const loop = el.loopCharacteristics;
  if (loop && loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
    problem(`not supported: ${loop.$type} (use multiInstanceLoopCharacteristics or fabu:multi)`);
    return undefined;
  }
  if (!loop && el.multi === undefined) {
    if (el.passRatio !== undefined) problem('fabu:passRatio belongs to a multi-instance task (fabu:multi="all")');
    return undefined;
  }
  if (loop?.loopCardinality || (loop && (loop as { inputCollection?: unknown }).inputCollection)) {
    problem('the instances of a multi-instance task are its <fabu:candidate> elements; loopCardinality is not supported');
  }
  const modes = ['sequential', 'all', 'any'] as const;
  let mode: MultiInstance['mode'] = loop?.isSequential ? 'sequential' : 'all';
  if (el.multi !== undefined) {
    if (!(modes as readonly string[]).includes(el.multi)) {
      problem(`fabu:multi "${el.multi}" must be sequential, all or any`);
      return undefined;
    }
    mode = el.multi as MultiInstance['mode'];
    if (loop && Boolean(loop.isSequential) !== (mode === 'sequential')) {
      problem(`fabu:multi="${mode}" contradicts isSequential="${Boolean(loop.isSequential)}"`);
    }
  }
  const multi: MultiInstance = { mode };
  if (el.passRatio !== undefined) {
    const ratio = Number(el.passRatio);
    if (mode !== 'all') problem(`fabu:passRatio applies to 会签 (fabu:multi="all"), not ${mode}`);
    else if (!(ratio > 0 && ratio <= 1)) problem(`fabu:passRatio "${el.passRatio}" must be a number above 0 and at most 1`);
    else multi.passRatio = ratio;
  }
  const condition = loop?.completionCondition?.body?.trim();
  if (condition) {
    if (mode !== 'all') problem(`a completionCondition applies to a parallel multi-instance (all), not ${mode}`);
    if (multi.passRatio !== undefined) problem('use either fabu:passRatio or a completionCondition, not both');
    const error = feelProblem(condition, MI_VARIABLES);
    if (error) problem(`completionCondition: ${error}`);
    else multi.completionCondition = condition;
  }
  return multi;
}

function serviceTask(el: El, base: { id: string; name: string; outgoing: string[] }, fabuChildren: El[], problem: (m: string) => void, problems: BpmnProblem[]): ProcessNode | undefined {
  const stray = fabuChildren.filter((c) => c.$type !== 'fabu:Recipient');
  if (stray.length) problem(`${[...new Set(stray.map((c) => c.$type))].join(', ')} does not belong on a bpmn:ServiceTask`);
  if (el.loopCharacteristics) problem(`not supported on a service task: ${el.loopCharacteristics.$type}`);
  const activity = ServiceActivitySchema.safeParse(el.activity);
  if (!activity.success) {
    problem(
      el.activity === undefined
        ? `service task needs fabu:activity (${ServiceActivitySchema.options.join(' | ')})`
        : `unknown activity "${el.activity}" (allowed: ${ServiceActivitySchema.options.join(', ')})`,
    );
    return undefined;
  }
  const recipients = fabuChildren.filter((c) => c.$type === 'fabu:Recipient').flatMap((c) => candidateList(c, problem));
  if (activity.data === 'notify' && !fabuChildren.some((c) => c.$type === 'fabu:Recipient')) {
    problem('a notify service task needs at least one <fabu:recipient>');
  }
  if (activity.data !== 'notify' && recipients.length > 0) {
    problem(`<fabu:recipient> belongs to a notify service task; ${activity.data} tells no one`);
  }
  const tierNames = list(el.tiers ?? '');
  const tiers = tierNames.filter((t): t is MediaTier => MediaTierSchema.safeParse(t).success);
  if (activity.data === 'inviteMedia' && tierNames.length === 0) problem(`inviteMedia needs fabu:tiers (${MediaTierSchema.options.join(', ')})`);
  if (activity.data !== 'inviteMedia' && el.tiers !== undefined) problem('fabu:tiers belongs to an inviteMedia service task');
  if (tiers.length !== tierNames.length) {
    problem(`fabu:tiers "${el.tiers}" must list ${MediaTierSchema.options.join(', ')}`);
  }
  const starts = activity.data === 'startConferences';
  if (starts && (!el.process || !KEY.test(el.process))) {
    problem('startConferences needs fabu:process: the key of the chain each topic runs, e.g. "ningbo-department-conference"');
  }
  if (starts && (!el.topics || !VARIABLE_NAME.test(el.topics))) {
    problem('startConferences needs fabu:topics: the variable a decision filled with the topics (fabu:output), e.g. "topics"');
  }
  if (!starts && (el.process !== undefined || el.topics !== undefined)) {
    problem('fabu:process and fabu:topics belong to a startConferences service task');
  }
  const watches = activity.data === 'complianceNotice';
  const lead = el.lead === undefined ? undefined : Number(el.lead);
  if (watches && (!el.city || !KEY.test(el.city))) problem('complianceNotice needs fabu:city, e.g. "liuzhou"');
  if (watches && (lead === undefined || !Number.isInteger(lead) || lead < 1)) {
    problem('complianceNotice needs fabu:lead: the working days before a period ends, e.g. "20"');
  }
  if (!watches && (el.city !== undefined || el.lead !== undefined)) {
    problem('fabu:city and fabu:lead belong to a complianceNotice service task');
  }
  const publishes = activity.data === 'publish';
  const channels = list(el.channel ?? '');
  const together = list(el.together ?? '');
  if (!publishes && (el.channel !== undefined || el.content !== undefined || el.together !== undefined)) {
    problem('fabu:channel, fabu:content and fabu:together belong to a publish service task');
  }
  const badChannels = channels.filter((c) => !KEY.test(c));
  if (badChannels.length) problem(`fabu:channel lists names that are not channel keys: ${badChannels.join(', ')}`);
  if (el.content !== undefined && !VARIABLE_NAME.test(el.content)) problem(`fabu:content "${el.content}" must name a variable`);
  const badTogether = together.filter((t) => !VARIABLE_NAME.test(t));
  if (badTogether.length) problem(`fabu:together lists names that are not variables: ${badTogether.join(', ')}`);
  if (el.together !== undefined && together.length < 2) problem('fabu:together names at least two variables released together (U2)');
  return {
    ...base,
    kind: 'serviceTask',
    rules: ruleList(el.rules, base.id, problems),
    activity: activity.data,
    recipients,
    tiers,
    ...(starts && el.process ? { process: el.process } : {}),
    ...(starts && el.topics ? { topics: el.topics } : {}),
    ...(watches && el.city ? { city: el.city } : {}),
    ...(watches && lead && Number.isInteger(lead) && lead > 0 ? { lead } : {}),
    ...(publishes && channels.length ? { channels } : {}),
    ...(publishes && el.content !== undefined ? { content: el.content } : {}),
    ...(publishes && together.length ? { together } : {}),
  };
}

/** A timer's time: timeDuration counts from when the wait starts, timeDate from a request date. */
function timerRule(def: El, element: string, problems: BpmnProblem[]): DueRule | undefined {
  const problem = (message: string) => problems.push({ element, message });
  const set = [def.timeDuration, def.timeDate, def.timeCycle].filter(Boolean);
  if (set.length !== 1) {
    problem('a timer needs exactly one of timeDuration, timeDate, timeCycle');
    return undefined;
  }
  if (def.timeDuration) {
    const rule = dueRule(def.timeDuration.body?.trim() ?? '', 'timeDuration', element, problems);
    if (rule && (rule.kind === 'workingDaysBeforeField' || rule.kind === 'calendarBeforeField' || rule.kind === 'startOfField')) {
      problem(`timeDuration "${rule.source}" counts back from a date: write it as timeDate`);
    }
    return rule;
  }
  if (def.timeDate) {
    const rule = dueRule(def.timeDate.body?.trim() ?? '', 'timeDate', element, problems);
    if (rule && rule.kind !== 'workingDaysBeforeField' && rule.kind !== 'calendarBeforeField' && rule.kind !== 'startOfField') {
      problem(`timeDate "${rule.source}" must name a request date, e.g. "conferenceDate - 3WD"`);
    }
    return rule;
  }
  return undefined;
}

type Declared = Record<string, { type: Variable['type']; values?: string[]; sample: unknown }>;

/** What conditions may read: the built-in request fields and the declared variables, each with a sample value. */
function declaredVariables(variables: Variable[]): Declared {
  const declared: Declared = { ...BUILT_IN_VARIABLES };
  for (const v of variables) {
    const sample =
      v.type === 'boolean' ? false : v.type === 'number' ? 0 : v.type === 'enum' ? v.values![0] : v.type === 'list' ? ['org'] : '';
    declared[v.name] = { type: v.type, values: v.values, sample };
  }
  return declared;
}

const sampleContext = (variables: Variable[]) =>
  Object.fromEntries(Object.entries(declaredVariables(variables)).map(([k, v]) => [k, v.sample]));

/** Checks each condition out of a gateway and, without a default flow, that some condition always holds. */
function checkConditions(
  node: Extract<ProcessNode, { kind: 'exclusiveGateway' }>,
  flows: Record<string, Flow>,
  variables: Variable[],
  problem: Problem,
): void {
  const declared = declaredVariables(variables);
  const sample = sampleContext(variables);
  const conditions: string[] = [];
  const conditionFlows: string[] = [];
  let sound = true;
  for (const flowId of node.outgoing.filter((f) => f !== node.default)) {
    const condition = flows[flowId].condition;
    if (condition === undefined) {
      problem(flowId, `flow out of exclusive gateway "${node.id}" needs a condition (or be the gateway's default)`);
      sound = false;
      continue;
    }
    const error = feelProblem(condition, sample);
    if (error) {
      problem(flowId, `condition "${condition}": ${error}`);
      sound = false;
    } else {
      conditions.push(condition);
      conditionFlows.push(flowId);
    }
  }
  if (!sound) return;

  // Which variables the conditions read. One evaluation misses what a condition reads only in some
  // branch (`if major then kind = "a" else false`), so evaluate every condition with only the
  // variables read so far, under each combination of their values (a string or number keeps its
  // sample), until none reads another.
  const read: string[] = [];
  const unknown = conditions.map(() => new Set<string>());
  const domainOf = (name: string): unknown[] =>
    declared[name].type === 'boolean' ? [true, false] : declared[name].type === 'enum' ? declared[name].values! : [declared[name].sample];
  for (let grew = true; grew; ) {
    const found = new Set<string>();
    const domains = read.map(domainOf);
    const combinations = domains.reduce((n, d) => n * d.length, 1);
    if (combinations > MAX_COMBINATIONS) break;
    for (let i = 0; i < combinations; i++) {
      const context: Record<string, unknown> = {};
      let rest = i;
      read.forEach((name, k) => {
        context[name] = domains[k][rest % domains[k].length];
        rest = Math.floor(rest / domains[k].length);
      });
      conditions.forEach((c, k) => {
        for (const name of evaluateFeel(c, context).missing) {
          if (!(name in declared)) unknown[k].add(name);
          else if (!read.includes(name)) found.add(name);
        }
      });
    }
    read.push(...found);
    grew = found.size > 0;
  }
  unknown.forEach((names, k) => {
    if (names.size) problem(conditionFlows[k], `condition "${conditions[k]}": reads unknown variable ${[...names].join(', ')} (declare it with <fabu:variable>)`);
  });
  if (node.default || unknown.some((names) => names.size)) return;
  const order = Object.keys(declared);
  read.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const open = read.filter((name) => ['string', 'number', 'list'].includes(declared[name].type));
  if (open.length) {
    problem(node.id, `no default flow, and the conditions read ${open.join(', ')} (${open.map((n) => declared[n].type).join(', ')}), whose values cannot all be checked: add a default flow`);
    return;
  }
  const domains = read.map((name) => (declared[name].type === 'boolean' ? [true, false] : declared[name].values!));
  const combinations = domains.reduce((n, d) => n * d.length, 1);
  if (combinations > MAX_COMBINATIONS) {
    problem(node.id, `no default flow, and ${combinations} combinations of ${read.join(', ')} are too many to check: add a default flow`);
    return;
  }
  for (let i = 0; i < combinations; i++) {
    const context = { ...sample };
    let rest = i;
    read.forEach((name, k) => {
      context[name] = domains[k][rest % domains[k].length];
      rest = Math.floor(rest / domains[k].length);
    });
    if (!conditions.some((c) => evaluateFeel(c, context).value === true)) {
      const when = read.map((name) => `${name} = ${JSON.stringify(context[name])}`).join(', ') || 'always';
      problem(node.id, `no default flow, and no condition holds when ${when}: add a default flow or a condition for it`);
      return;
    }
  }
}

/** Why a FEEL expression cannot be used with this context, or undefined. */
function feelProblem(expression: string, context: Record<string, unknown>): string | undefined {
  try {
    const { missing, warnings } = evaluateFeel(expression, context);
    if (missing.length) return `reads unknown variable ${missing.join(', ')} (declare it with <fabu:variable>)`;
    if (warnings.length) return warnings.join('; ');
    return undefined;
  } catch (err) {
    return `not a FEEL expression: ${(err as Error).message}`;
  }
}

/** A fabu:candidate / escalation / recipient as an IR expression, reporting it when it is not one. */
function candidateList(c: El, problem: (m: string) => void): CandidateExpr[] {
  const parsed = candidateExpr(c);
  if (typeof parsed === 'string') problem(`${c.$type.toLowerCase()}: ${parsed}`);
  return typeof parsed === 'string' ? [] : [parsed];
}

/** A fabu:candidate / fabu:escalation as an IR expression, or why it is not one. */
function candidateExpr({ initiator, position, org, label }: El): CandidateExpr | string {
  if (initiator !== undefined) {
    if (initiator !== 'true') return `initiator must be "true", got "${initiator}"`;
    if (position !== undefined || org !== undefined) return 'initiator="true" cannot be combined with position or org';
    return { kind: 'initiator' };
  }
  if (position === undefined || org === undefined) return 'needs position and org, or initiator="true"';
  const known = PositionSchema.safeParse(position);
  if (!known.success) return `unknown position "${position}" (known: ${Object.keys(POSITIONS).join(', ')})`;
  const labelled = label?.trim() ? { label: label.trim() } : {};
  if (org === 'applicant') return { kind: 'position', position: known.data, org: { kind: 'applicant' }, ...labelled };
  if (org === 'item') return { kind: 'position', position: known.data, org: { kind: 'item' }, ...labelled };
  if (!ORG_CODE.test(org)) return `org "${org}" must be "applicant", "item" or an org code like "hld-gov-press-office"`;
  return { kind: 'position', position: known.data, org: { kind: 'fixed', code: org }, ...labelled };
}

/**
 * A `<fabu:clock>` (H7, O2, U2): an hour window from the moment the event was known, met by one of
 * `until`. Only wall-clock durations: emergencies count day and night, holidays included.
 */
function clock(el: El, processId: string, variables: Variable[], nodes: Record<string, ProcessNode>, problem: Problem): ClockDef[] {
  const id = el.id ?? '';
  const at = (message: string) => problem(processId, `fabu:clock "${id}": ${message}`);
  if (!KEY.test(id)) return at('id must be lower-case kebab-case, e.g. "first-release"'), [];
  if (!el.name?.trim()) at('needs a name (what officials see, e.g. 首次发布)');
  const rules = list(el.rules ?? '');
  const badRules = rules.filter((r) => !RULE_ID.test(r));
  if (badRules.length) at(`fabu:rules lists ids that are not rule ids: ${badRules.join(', ')}`);
  const from = el.from?.trim();
  if (from !== undefined && !variables.some((v) => v.name === from && v.type === 'string')) {
    at(`from "${from}" must name a string variable holding an ISO instant, e.g. "knownAt"`);
  }
  const until = list(el.until ?? '');
  if (!until.length) at('needs until: the element(s) whose completion meets it, e.g. "release"');
  for (const target of until) {
    const kind = nodes[target]?.kind;
    if (kind !== 'userTask' && kind !== 'serviceTask' && kind !== 'messageEvent' && kind !== 'timerEvent') {
      at(`until "${target}" must name a task or catch event of this process`);
    }
  }
  const warnAt = el.warnAt === undefined ? 0.8 : Number(el.warnAt);
  if (!(warnAt > 0 && warnAt < 1)) at(`warnAt "${el.warnAt}" must be a share between 0 and 1, e.g. "0.8"`);
  const children = el.values ?? [];
  const stray = children.filter((c) => !['fabu:Window', 'fabu:Recipient', 'fabu:Escalation'].includes(c.$type));
  if (stray.length) at(`${[...new Set(stray.map((c) => c.$type))].join(', ')} does not belong in a clock`);
  const windows: ClockDef['windows'] = [];
  const sample = sampleContext(variables);
  for (const w of children.filter((c) => c.$type === 'fabu:Window')) {
    let rule: DueRule | undefined;
    try {
      rule = parseDueExpression(w.within ?? '');
    } catch (err) {
      at(`window within "${w.within ?? ''}": ${(err as Error).message}`);
      continue;
    }
    if (rule.kind !== 'durationAfterOpen') {
      at(`window within "${rule.source}" must be hours on the wall clock (PT1H, PT48H), never working days`);
      continue;
    }
    const when = w.when?.trim();
    if (when !== undefined) {
      const error = feelProblem(when, sample);
      if (error) at(`window when "${when}": ${error}`);
    }
    windows.push({ ...(when ? { when } : {}), ms: rule.ms, source: rule.source });
  }
  if (!windows.length) at('needs at least one <fabu:window within="PT…H"/>');
  const recipients = children.filter((c) => c.$type === 'fabu:Recipient').flatMap((c) => candidateList(c, at));
  const escalation = children.filter((c) => c.$type === 'fabu:Escalation').flatMap((c) => candidateList(c, at));
  for (const c of [...recipients, ...escalation]) {
    if (c.kind === 'position' && c.org.kind === 'item') at('a clock tells orgs by code or "applicant", not "item"');
  }
  return [
    {
      id,
      name: el.name?.trim() ?? id,
      rules,
      ...(from ? { from } : {}),
      until,
      warnAt: warnAt > 0 && warnAt < 1 ? warnAt : 0.8,
      windows,
      recipients,
      escalation,
    },
  ];
}

/** fabu:collection names a declared list variable (O4: the units an incident is assigned to). */
function checkCollections(nodes: Record<string, ProcessNode>, variables: Variable[], problem: Problem): void {
  for (const node of Object.values(nodes)) {
    if (node.kind !== 'userTask' || node.collection === undefined) continue;
    if (!variables.some((v) => v.name === node.collection && v.type === 'list')) {
      problem(node.id, `fabu:collection "${node.collection}" must name a <fabu:variable type="list">`);
    }
  }
}

/** U2: what is released together (a policy document and its interpretation) are declared variables. */
function checkPublishTogether(nodes: Record<string, ProcessNode>, variables: Variable[], problem: Problem): void {
  for (const node of Object.values(nodes)) {
    if (node.kind !== 'serviceTask') continue;
    for (const name of [...(node.together ?? []), ...(node.content ? [node.content] : [])]) {
      if (!variables.some((v) => v.name === name)) {
        problem(node.id, `"${name}" is not a <fabu:variable> of this process`);
      }
    }
  }
}

function dueRule(text: string, attribute: string, element: string, problems: BpmnProblem[]): DueRule | undefined {
  try {
    return parseDueExpression(text);
  } catch (err) {
    problems.push({ element, message: `${attribute}: ${(err as Error).message}` });
    return undefined;
  }
}

function ruleList(text: string | undefined, element: string, problems: BpmnProblem[]): string[] {
  const rules = list(text ?? '');
  const bad = rules.filter((r) => !RULE_ID.test(r));
  if (bad.length > 0) problems.push({ element, message: `fabu:rules lists ids that are not rule ids from docs/chains.md: ${bad.join(', ')}` });
  return rules;
}

const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

const KIND_NAMES: Record<NodeKind, string> = {
  startEvent: 'start event',
  endEvent: 'end event',
  userTask: 'user task',
  serviceTask: 'service task',
  exclusiveGateway: 'exclusive gateway',
  parallelGateway: 'parallel gateway',
  timerEvent: 'timer event',
  messageEvent: 'message event',
  boundaryTimer: 'boundary timer',
};

function checkGraph(startId: string, nodes: Record<string, ProcessNode>, flows: Record<string, Flow>, problems: BpmnProblem[]) {
  const problem = (element: string, message: string) => problems.push({ element, message });
  const incoming = (id: string) => Object.values(flows).filter((f) => f.target === id);

  for (const node of Object.values(nodes)) {
    const out = node.outgoing.length;
    const what = KIND_NAMES[node.kind];
    const into = incoming(node.id).length;
    if (node.kind === 'endEvent' && out > 0) problem(node.id, 'end event must not have outgoing flows');
    if ((node.kind === 'startEvent' || node.kind === 'boundaryTimer') && into > 0) problem(node.id, `${what} must not have incoming flows`);
    if (node.kind !== 'endEvent' && out === 0) problem(node.id, `${what} has no outgoing flow`);
    if (out > 1 && node.kind !== 'exclusiveGateway' && node.kind !== 'parallelGateway') {
      problem(node.id, `has ${out} outgoing flows; branch with an exclusive or parallel gateway`);
    }
  }

  // A start without a flow was reported above; "unreachable" for every other node would add nothing.
  if (nodes[startId].outgoing.length === 0) return;
  const next = (id: string, viaReminders: boolean) => {
    const node = nodes[id];
    const targets = node.outgoing.map((f) => flows[f].target);
    if (node.kind === 'userTask') {
      for (const b of node.boundaries ?? []) {
        const boundary = nodes[b];
        if (viaReminders || (boundary.kind === 'boundaryTimer' && boundary.interrupting)) targets.push(b);
      }
    }
    return targets;
  };
  const reached = walk([startId], (id) => next(id, true));
  // Where the chain itself goes, without the reminder branches: every end there must say how the chain ends.
  const main = walk([startId], (id) => next(id, false));
  const ends = Object.values(nodes).filter((n) => n.kind === 'endEvent').map((n) => n.id);
  const canEnd = walk(ends, (id) => [
    ...incoming(id).map((f) => f.source),
    // Only an interrupting timer leaves its task: a reminder's end does not end the chain.
    ...(nodes[id].kind === 'boundaryTimer' && (nodes[id] as BoundaryTimerNode).interrupting ? [(nodes[id] as BoundaryTimerNode).attachedTo] : []),
  ]);
  for (const id of Object.keys(nodes)) {
    if (!reached.has(id)) problem(id, `not reachable from the start event "${startId}"`);
    else if (!canEnd.has(id)) problem(id, 'no path from here to an end event');
    const node = nodes[id];
    if (node.kind === 'endEvent' && !node.outcome && main.has(id)) {
      problem(id, `end event needs fabu:outcome (${EndOutcomeSchema.options.join(' | ')}); only a reminder branch may end without one`);
    }
  }
}

/** Every id reachable from `from` by `next`, including `from`. */
function walk(from: string[], next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>(from);
  const queue = [...from];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const neighbour of next(id).filter((n) => !seen.has(n))) {
      seen.add(neighbour);
      queue.push(neighbour);
    }
  }
  return seen;
}

const isFabuElement = (e: El) => e.$type.startsWith('fabu:');

/**
 * moddle warns about unknown fabu attributes and elements itself, but only when they are in
 * FABU_NS: with `fabu` bound to another uri every fabu attribute would be silently ignored.
 */
function checkFabuNamespace(elements: El[], problems: BpmnProblem[]) {
  for (const el of elements) {
    const uri = el.$attrs?.['xmlns:fabu'];
    if (uri !== undefined && uri !== FABU_NS) problems.push({ element: el.id, message: `xmlns:fabu must be "${FABU_NS}", got "${uri}"` });
  }
}

/** A moddle warning (or parse error) as a problem naming the nearest element id. */
function fromWarning({ message, element, property }: ImportWarning, xml: string): BpmnProblem {
  const at = /\n\s*line: (\d+)\n\s*column: (\d+)\n\s*nested error: (.*)/s.exec(message);
  if (at) {
    // moddle counts lines and columns from 0.
    const [line, column] = [Number(at[1]), Number(at[2])];
    const head = message.slice(0, at.index).replace(/ detected$/, '');
    return { element: idAt(xml, line, column), line: line + 1, column: column + 1, message: `${head}: ${at[3]}` };
  }
  let owner = element as El | undefined;
  while (owner && !owner.id) owner = owner.$parent;
  const unresolved = /^unresolved reference <(.*)>$/.exec(message);
  return {
    element: owner?.id,
    message: unresolved ? `${property ?? 'reference'} points to missing element "${unresolved[1]}"` : message,
  };
}

/** The id of the tag at a 0-based line/column, or of the nearest open element around it. */
function idAt(xml: string, line: number, column: number): string | undefined {
  const lines = xml.split('\n');
  const offset = lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0) + column;
  const own = /^<[^>]*?\sid="([^"]*)"/.exec(xml.slice(offset));
  if (own) return own[1];
  const open: Array<string | undefined> = [];
  for (const [, close, attrs, selfClosing] of xml.slice(0, offset).matchAll(/<(\/?)[\w:.-]+([^>]*?)(\/?)>/g)) {
    if (close) open.pop();
    else if (!selfClosing) open.push(/\sid="([^"]*)"/.exec(attrs)?.[1]);
  }
  return open.reverse().find(Boolean);
}
