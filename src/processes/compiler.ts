import { BpmnModdle, type ImportResult, type ImportWarning, type ModdleElement } from 'bpmn-moddle';
import { PositionSchema, POSITIONS } from '../directory/positions.js';
import { FABU_NS, fabuModdleDescriptor, parseDueExpression } from './fabu-moddle.js';
import {
  DecisionActionSchema,
  IR_VERSION,
  OutcomeSchema,
  ProcessIRSchema,
  type CandidateExpr,
  type DecisionAction,
  type DueRule,
  type Flow,
  type ProcessIR,
  type ProcessNode,
} from './ir.js';

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
  readonly code?: string;
  readonly rules?: string;
  readonly applyBefore?: string;
  readonly due?: string;
  readonly actions?: string;
  readonly outcome?: string;
  readonly position?: string;
  readonly org?: string;
  readonly initiator?: string;
}

const KEY = /^[a-z][a-z0-9-]*$/;
const CODE = /^[A-Z][A-Z0-9]*$/;
const ORG_CODE = /^[a-z][a-z0-9-]*$/;
const RULE_ID = /^[A-Z][A-Z0-9]*(\.\d+)*$/;
const NODE_KINDS: Record<string, ProcessNode['kind']> = {
  'bpmn:StartEvent': 'startEvent',
  'bpmn:EndEvent': 'endEvent',
  'bpmn:UserTask': 'userTask',
};

/**
 * Compiles one BPMN 2.0 file (with `fabu:` extensions) into the IR the interpreter workflow runs.
 * Supports start/end events, user tasks and sequence flows; throws BpmnCompileError otherwise.
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

function compileProcess(proc: El, problems: BpmnProblem[]): ProcessIR {
  const problem = (element: string | undefined, message: string) => problems.push({ element, message });
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
  if (proc.extensionElements?.values?.some(isFabuElement)) problem(id, 'fabu:candidate and fabu:escalation belong on a bpmn:userTask');

  const nodes: Record<string, ProcessNode> = {};
  const flowEls: El[] = [];
  const unsupported = new Set<El>();
  for (const el of proc.flowElements ?? []) {
    const kind = NODE_KINDS[el.$type];
    if (!el.id) problem(undefined, `${el.$type} has no id`);
    else if (el.$type === 'bpmn:SequenceFlow') flowEls.push(el);
    else if (kind) nodes[el.id] = compileNode(el, kind, problems);
    else {
      problem(el.id, `not supported yet: ${el.$type}`);
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
      if (ref && !unsupported.has(ref) && !nodes[ref.id ?? '']) problem(flowId, `${label} "${ref.id}" is not a node of this process`);
      return ref?.id && nodes[ref.id] ? ref.id : undefined;
    });
    if (!source || !target) {
      graphComplete = false;
      continue;
    }
    flows[flowId] = { id: flowId, source, target, ...(el.name ? { name: el.name } : {}) };
    nodes[source].outgoing.push(flowId);
  }

  const starts = Object.values(nodes).filter((n) => n.kind === 'startEvent');
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
    startNodeId: starts[0]?.id ?? '',
    nodes,
    flows,
  };
}

function compileNode(el: El, kind: ProcessNode['kind'], problems: BpmnProblem[]): ProcessNode {
  const id = el.id ?? '';
  const problem = (message: string) => problems.push({ element: id, message });
  const base = { id, name: el.name ?? '', outgoing: [] as string[] };
  for (const def of el.eventDefinitions ?? []) problem(`not supported yet: ${def.$type}`);
  const fabuChildren = el.extensionElements?.values?.filter(isFabuElement) ?? [];

  if (kind !== 'userTask' && fabuChildren.length > 0) problem('fabu:candidate and fabu:escalation belong on a bpmn:userTask');
  if (kind === 'startEvent') return { ...base, kind };
  if (kind === 'endEvent') {
    const outcome = OutcomeSchema.safeParse(el.outcome);
    if (!outcome.success) {
      problem(
        el.outcome === undefined
          ? `end event needs fabu:outcome (${OutcomeSchema.options.join(' | ')})`
          : `fabu:outcome "${el.outcome}" must be one of ${OutcomeSchema.options.join(' | ')}`,
      );
    }
    // The placeholder never leaves the compiler: a recorded problem makes compileBpmn throw.
    return { ...base, kind, outcome: outcome.success ? outcome.data : 'approved' };
  }

  // User task.
  if (!base.name.trim()) problem('user task has no name (it is what the people acting on it see)');
  if (el.loopCharacteristics) problem(`not supported yet: ${el.loopCharacteristics.$type}`);
  const expr = (c: El) => {
    const parsed = candidateExpr(c);
    if (typeof parsed === 'string') problem(`${c.$type.toLowerCase()}: ${parsed}`);
    return typeof parsed === 'string' ? [] : [parsed];
  };
  const candidates = fabuChildren.filter((c) => c.$type === 'fabu:Candidate').flatMap(expr);
  const escalation = fabuChildren.filter((c) => c.$type === 'fabu:Escalation').flatMap(expr);
  if (!fabuChildren.some((c) => c.$type === 'fabu:Candidate')) problem('user task needs at least one <fabu:candidate>');
  const due = el.due === undefined ? undefined : dueRule(el.due, 'fabu:due', id, problems);
  // H1: escalation happens when the due time passes; without fabu:due it could never fire.
  if (escalation.length > 0 && el.due === undefined) problem('fabu:escalation needs a fabu:due on the same task');

  const actions = [...new Set(list(el.actions ?? 'approve,reject'))];
  const badActions = actions.filter((a) => !DecisionActionSchema.safeParse(a).success);
  if (badActions.length > 0 || actions.length === 0) {
    problem(`fabu:actions "${el.actions}" must list ${DecisionActionSchema.options.join(' and/or ')}`);
  }
  return {
    ...base,
    kind,
    rules: ruleList(el.rules, id, problems),
    candidates,
    ...(due ? { due } : {}),
    escalation,
    actions: actions.filter((a): a is DecisionAction => DecisionActionSchema.safeParse(a).success),
  };
}

/** A fabu:candidate / fabu:escalation as an IR expression, or why it is not one. */
function candidateExpr({ initiator, position, org }: El): CandidateExpr | string {
  if (initiator !== undefined) {
    if (initiator !== 'true') return `initiator must be "true", got "${initiator}"`;
    if (position !== undefined || org !== undefined) return 'initiator="true" cannot be combined with position or org';
    return { kind: 'initiator' };
  }
  if (position === undefined || org === undefined) return 'needs position and org, or initiator="true"';
  const known = PositionSchema.safeParse(position);
  if (!known.success) return `unknown position "${position}" (known: ${Object.keys(POSITIONS).join(', ')})`;
  if (org === 'applicant') return { kind: 'position', position: known.data, org: { kind: 'applicant' } };
  if (!ORG_CODE.test(org)) return `org "${org}" must be "applicant" or an org code like "hld-gov-press-office"`;
  return { kind: 'position', position: known.data, org: { kind: 'fixed', code: org } };
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

function checkGraph(startId: string, nodes: Record<string, ProcessNode>, flows: Record<string, Flow>, problems: BpmnProblem[]) {
  const problem = (element: string, message: string) => problems.push({ element, message });
  const incoming = (id: string) => Object.values(flows).filter((f) => f.target === id);

  for (const node of Object.values(nodes)) {
    const out = node.outgoing.length;
    if (node.kind === 'endEvent' && out > 0) problem(node.id, 'end event must not have outgoing flows');
    if (node.kind === 'startEvent' && incoming(node.id).length > 0) problem(node.id, 'start event must not have incoming flows');
    if (node.kind !== 'endEvent' && out === 0) problem(node.id, `${node.kind === 'startEvent' ? 'start event' : 'user task'} has no outgoing flow`);
    if (out > 1) problem(node.id, `has ${out} outgoing flows; branching needs gateways, which are not supported yet`);
  }

  // A start without a flow was reported above; "unreachable" for every other node would add nothing.
  if (nodes[startId].outgoing.length === 0) return;
  const reached = walk([startId], (id) => nodes[id].outgoing.map((f) => flows[f].target));
  const ends = Object.values(nodes).filter((n) => n.kind === 'endEvent').map((n) => n.id);
  const canEnd = walk(ends, (id) => incoming(id).map((f) => f.source));
  for (const id of Object.keys(nodes)) {
    if (!reached.has(id)) problem(id, `not reachable from the start event "${startId}"`);
    else if (!canEnd.has(id)) problem(id, 'no path from here to an end event');
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
