// For every outgoing flow of every exclusive gateway of a chain, a dry-run scenario whose variables
// (request variables, and outputs its steps give) take that flow, found by walking the IR with each
// combination of the boolean and enum variables the conditions read. The walk also says which
// steps the chain should open and how it should end, so the real interpreter is checked against it.
import type { Scenario } from '../../src/dry-run/dry-run.schemas.js';
import { DRY_RUN_ORG } from '../../src/dry-run/runner.js';
import { conditionHolds } from '../../src/processes/feel.js';
import type { Outcome, ProcessIR, UserTaskNode, Variable } from '../../src/processes/ir.js';
import { outputNames } from '../../workflows/approval-machine.js';

export interface BranchCase {
  /** Absent for the plain approve path. */
  gateway?: string;
  flow?: string;
  scenario: Scenario;
  /** The user tasks the walk opens, in order (parallel branches: in no particular order). */
  opens: string[];
  outcome: Outcome;
}

export interface Unreachable {
  gateway: string;
  flow: string;
}

type Values = Record<string, unknown>;

/** How often the walk may enter one node before the combination counts as looping. */
const MAX_VISITS = 5;

export function branchCases(ir: ProcessIR): { cases: BranchCase[]; unreachable: Unreachable[] } {
  const declared = new Map((ir.variables ?? []).map((v) => [v.name, v]));
  const outputs = outputOwners(ir);
  const conditions = Object.values(ir.flows).flatMap((f) => (f.condition ? [f.condition] : []));
  const reads = (name: string) => conditions.some((c) => new RegExp(`\\b${name}\\b`).test(c));
  // The variables a condition reads, with their values (the declared default first: the plainest case).
  const dims: Array<[string, unknown[]]> = [];
  if (reads('major')) dims.push(['major', [false, true]]);
  for (const v of declared.values()) if (reads(v.name) && domain(v)) dims.push([v.name, domain(v)!]);
  const combinations = dims.reduce((n, [, d]) => n * d.length, 1);

  const later = laterOutputs(ir, declared);
  const walks: Array<{ values: Values; walk: Walk }> = [];
  for (let i = 0; i < combinations; i++) {
    const values: Values = {};
    let rest = i;
    for (const [name, d] of dims) {
      values[name] = d[rest % d.length];
      rest = Math.floor(rest / d.length);
    }
    const walk = walkChain(ir, declared, requestPart(values, outputs), firstOutputs(values, outputs, later), later);
    if (walk) walks.push({ values, walk });
  }

  const scenario = (name: string, values: Values): Scenario => {
    const request = requestPart(values, outputs);
    const first = firstOutputs(values, outputs, later);
    return {
      name,
      request: {
        ...(request.major !== undefined ? { major: request.major as boolean } : {}),
        variables: {
          ...requiredVariables(declared, outputs),
          ...withoutMajor(request),
        } as Scenario['request']['variables'],
      },
      decisions: Object.entries(first).map(([element, data]) => ({ element, action: 'approve' as const, data })),
      outputs: later,
      messages: [],
    };
  };

  const cases: BranchCase[] = [];
  const unreachable: Unreachable[] = [];
  const plain = walks[0];
  if (plain) {
    cases.push({
      scenario: scenario('approve path', plain.values),
      opens: plain.walk.opens,
      outcome: plain.walk.outcome,
    });
  }
  for (const node of Object.values(ir.nodes)) {
    if (node.kind !== 'exclusiveGateway' || node.outgoing.length < 2) continue;
    for (const flow of node.outgoing) {
      const hit = walks.find((w) => w.walk.taken.some((t) => t.gateway === node.id && t.flow === flow));
      if (!hit) unreachable.push({ gateway: node.id, flow });
      else {
        cases.push({
          gateway: node.id,
          flow,
          scenario: scenario(`${node.id} → ${flow}`, hit.values),
          opens: hit.walk.opens,
          outcome: hit.walk.outcome,
        });
      }
    }
  }
  return { cases, unreachable };
}

interface Walk {
  opens: string[];
  taken: Array<{ gateway: string; flow: string }>;
  outcome: Outcome;
}

/**
 * Walks the chain as an approve-all run would: every task approved (its first approval giving
 * `first[element]`, later ones `later`), gateways choosing as the interpreter does (first
 * condition that holds, in order, else the default). Null when it loops or never ends.
 */
function walkChain(
  ir: ProcessIR,
  declared: Map<string, Variable>,
  request: Values,
  first: Record<string, Values>,
  later: Values,
): Walk | null {
  const defaults = Object.fromEntries(
    [...declared.values()].flatMap((v) => (v.default !== undefined ? [[v.name, v.default]] : [])),
  );
  const state: Values = { ...defaults, major: false, orgCode: DRY_RUN_ORG, ...request };
  const visits = new Map<string, number>();
  const arrivals = new Map<string, number>();
  const queue = [ir.startNodeId];
  const walk: Walk = { opens: [], taken: [], outcome: 'approved' };
  const targets = (flows: string[]) => flows.map((f) => ir.flows[f]!.target);
  while (queue.length) {
    const id = queue.shift()!;
    const node = ir.nodes[id]!;
    visits.set(id, (visits.get(id) ?? 0) + 1);
    if (visits.get(id)! > MAX_VISITS) return null;
    switch (node.kind) {
      case 'userTask': {
        walk.opens.push(id);
        const given = visits.get(id) === 1 ? first[id] : undefined;
        for (const name of outputNames(node)) state[name] = given?.[name] ?? later[name];
        queue.push(...targets(node.outgoing));
        break;
      }
      case 'exclusiveGateway': {
        if (node.outgoing.length === 1) {
          queue.push(...targets(node.outgoing));
          break;
        }
        const chosen =
          node.outgoing.find((f) => f !== node.default && conditionHolds(ir.flows[f]!.condition ?? 'false', state)) ??
          node.default;
        if (!chosen) return null;
        walk.taken.push({ gateway: id, flow: chosen });
        queue.push(ir.flows[chosen]!.target);
        break;
      }
      case 'parallelGateway': {
        const arrived = (arrivals.get(id) ?? 0) + 1;
        if (arrived < node.incoming.length) {
          arrivals.set(id, arrived);
          break;
        }
        arrivals.set(id, 0);
        queue.push(...targets(node.outgoing));
        break;
      }
      case 'endEvent':
        if (node.outcome) {
          walk.outcome = node.outcome;
          return walk;
        }
        break;
      default:
        queue.push(...targets(node.outgoing));
    }
  }
  return null;
}

/** Values a condition may compare a variable with; undefined for free text and lists. */
function domain(v: Variable): unknown[] | undefined {
  const first = <T>(values: T[]) =>
    v.default === undefined ? values : [v.default as T, ...values.filter((x) => x !== v.default)];
  if (v.type === 'boolean') return first([false, true]);
  if (v.type === 'enum') return first(v.values!);
  return undefined;
}

/** The user task each output variable comes from (the first in the file that gives it). */
function outputOwners(ir: ProcessIR): Map<string, string> {
  const owners = new Map<string, string>();
  for (const node of Object.values(ir.nodes)) {
    if (node.kind !== 'userTask') continue;
    for (const name of outputNames(node as UserTaskNode)) if (!owners.has(name)) owners.set(name, node.id);
  }
  return owners;
}

/** The values the request carries: those no step gives. */
function requestPart(values: Values, owners: Map<string, string>): Values {
  return Object.fromEntries(Object.entries(values).filter(([name]) => !owners.has(name)));
}

/** The data of each output step's first approval: the combination's values, the rest as later. */
function firstOutputs(values: Values, owners: Map<string, string>, later: Values): Record<string, Values> {
  const first: Record<string, Values> = {};
  for (const [name, element] of owners) {
    if (!(name in values)) continue;
    first[element] = { ...(first[element] ?? {}), [name]: values[name] };
  }
  for (const element of Object.keys(first)) {
    for (const [name, owner] of owners)
      if (owner === element && !(name in first[element]!)) first[element]![name] = later[name];
  }
  return first;
}

/** What later approvals of output steps give: a declared default, else a sample of the declared type. */
function laterOutputs(ir: ProcessIR, declared: Map<string, Variable>): Values {
  const topics = new Set(
    Object.values(ir.nodes).flatMap((n) => (n.kind === 'serviceTask' && n.topics ? [n.topics] : [])),
  );
  const later: Values = {};
  for (const name of outputOwners(ir).keys()) {
    const v = declared.get(name);
    later[name] = topics.has(name) ? [] : v ? (v.default ?? sample(v)) : '演练文本';
  }
  return later;
}

/** Request variables a chain requires (declared without a default and given by no step). */
function requiredVariables(declared: Map<string, Variable>, owners: Map<string, string>): Values {
  return Object.fromEntries(
    [...declared.values()]
      .filter((v) => v.default === undefined && !owners.has(v.name))
      .map((v) => [v.name, sample(v)]),
  );
}

function sample(v: Variable): unknown {
  switch (v.type) {
    case 'boolean':
      return false;
    case 'number':
      return 0;
    case 'enum':
      return v.values![0];
    case 'list':
      // O4: the units a collection step asks; one, the applicant's org.
      return [DRY_RUN_ORG];
    default:
      return '演练文本';
  }
}

function withoutMajor(values: Values): Values {
  return Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'major'));
}
