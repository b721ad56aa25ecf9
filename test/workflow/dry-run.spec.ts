// The dry run (POST /api/processes/dry-run) on the real interpreter and the real time-skipping test
// server: every chain in processes/ with one scenario per outgoing flow of each exclusive gateway,
// chosen by walking the chain with each combination of its variables, and checked against that
// walk (steps opened, gateway taken, outcome); waits that fire reminders and escalations, a
// refused decision, and `until`. One server and one (caching) worker for the whole file.
import { readdir, readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { type Scenario, ScenarioSchema, type ScenarioResult } from '../../src/dry-run/dry-run.schemas.js';
import { type DryRunContext, createDryRunActivities, runScenario } from '../../src/dry-run/runner.js';
import { compileBpmn } from '../../src/processes/compiler.js';
import { FABU_NS } from '../../src/processes/fabu-moddle.js';
import type { ProcessIR } from '../../src/processes/ir.js';
import { startTestWorker } from '../support/activities.js';
import { branchCases } from '../support/branch-scenarios.js';
import { H3_CHAIN } from '../support/h3.js';

const taskQueue = 'dry-run-test';
const H3_STEPS = H3_CHAIN.map(([step]) => step);
const files = (await readdir('processes')).filter((f) => f.endsWith('.bpmn')).sort();
const chains = await Promise.all(
  files.map(async (file) => {
    const ir = await compileBpmn(await readFile(`processes/${file}`, 'utf8'), { fileName: file });
    return { key: ir.key, ir, ...branchCases(ir) };
  }),
);
const h3 = chains.find((c) => c.key === 'huludao-government-conference')!.ir;
const emergency = chains.find((c) => c.key === 'huludao-emergency')!.ir;

let env: TestWorkflowEnvironment;
let client: Client;
let stop: () => Promise<void>;
let ctx: DryRunContext;
const projections = new Map<string, number>();

beforeAll(async () => {
  ({ env, client, stop } = await startTestWorker(
    taskQueue,
    createDryRunActivities({
      calendar: bundledCalendar,
      dayEnd: '18:00',
      projected: (id) => projections.set(id, (projections.get(id) ?? 0) + 1),
    }),
  ));
  ctx = {
    env,
    client,
    taskQueue,
    calendar: bundledCalendar(),
    dayEnd: '18:00',
    maxSteps: 100,
    projections,
    seq: { next: 1 },
  };
}, 60_000);

afterAll(async () => {
  await stop?.();
});

/** The steps a run opened, in order, each once per visit (a multi-instance step's instances as one). */
function opened(result: ScenarioResult): string[] {
  const tasks = [...result.tasks].sort(
    (a, b) => (a.openedAt ?? '').localeCompare(b.openedAt ?? '') || a.taskId.localeCompare(b.taskId),
  );
  return tasks.map((t) => t.element).filter((e, i, all) => e !== all[i - 1]);
}

const hasParallel = (ir: ProcessIR) => Object.values(ir.nodes).some((n) => n.kind === 'parallelGateway');
/** Runs a scenario given as the REST body would give it (defaults filled in by its schema). */
const run = (ir: ProcessIR, s: Partial<Scenario> & { name: string }) => runScenario(ctx, ir, ScenarioSchema.parse(s));

describe('dry run of every chain in processes/', () => {
  it('reaches every outgoing flow of every exclusive gateway', () => {
    const unreachable = chains.flatMap((c) => c.unreachable.map((u) => `${c.key}: ${u.gateway} → ${u.flow}`));
    expect(unreachable).toEqual([]);
    expect(chains.map((c) => c.key)).toHaveLength(files.length);
  });

  describe.each(chains)('$key', (chain) => {
    it.each(chain.cases)('$scenario.name', async (c) => {
      const result = await runScenario(ctx, chain.ir, c.scenario);
      expect({ status: result.status, error: result.error, outcome: result.outcome }).toEqual({
        status: 'completed',
        error: null,
        outcome: c.outcome,
      });
      if (hasParallel(chain.ir)) expect([...opened(result)].sort()).toEqual([...c.opens].sort());
      else expect(opened(result)).toEqual(c.opens);
      if (c.gateway) {
        expect(result.gateways).toContainEqual(expect.objectContaining({ element: c.gateway, flow: c.flow }));
      }
      // Every step opened was decided (a 或签 step by one of its instances, a 会签 step by each).
      expect(result.path.length).toBeGreaterThanOrEqual(c.opens.length);
      expect(result.history.events).toBeGreaterThan(0);
      expect(result.history.projections).toBeGreaterThan(0);
    });
  });
});

describe('dry run scenarios', () => {
  it('fires the H1 reminder, overdue notice and escalation while a step waits, in skipped time', async () => {
    const result = await run(h3, {
      name: 'the press office answers late',
      request: { orgCode: 'hld-edu', conferenceDate: '2027-06-30' },
      // H1: the reply is due in 2 WD and escalated a working day later; the office waits 4 WD.
      decisions: [
        { element: 'guidance', action: 'approve', after: 'P4WD' },
        { element: 'file-materials', action: 'approve', after: 'P2WD' },
      ],
    });
    expect(result).toMatchObject({ status: 'completed', outcome: 'approved' });
    expect(result.overdue).toEqual([
      expect.objectContaining({ element: 'guidance', notified: ['press-office-head@hld-gov-press-office'] }),
    ]);
    expect(result.timers).toContainEqual(expect.objectContaining({ element: 'guidance-overdue', kind: 'escalation' }));
    expect(result.timers.filter((t) => t.element === 'file-materials-reminder' && t.kind === 'reminder')).toHaveLength(
      2,
    );
    // The escalation closed guidance: its decision could not be made, and the office head decided instead.
    expect(result.path.map((p) => p.element)).toEqual(
      H3_STEPS.map((s) => (s === 'guidance' ? 'escalate-guidance' : s)),
    );
    expect(result.notes).toContainEqual(expect.stringMatching(/guidance\.1 closed while waiting P4WD/));
    expect(result.path.find((p) => p.element === 'escalate-guidance')?.actor).toBe(
      'press-office-head@hld-gov-press-office',
    );
    const guidance = result.tasks.find((t) => t.element === 'guidance')!;
    expect(guidance).toMatchObject({ dueProvisional: expect.any(Boolean), overdue: true, status: 'cancelled' });
    // At least 3 working days passed in simulated time: more than 3 days of 24 hours.
    expect(result.elapsedMs).toBeGreaterThan(3 * 86_400_000);
  });

  it('stops where `until` says, with the path so far', async () => {
    const result = await run(h3, { name: 'to the propaganda sign-off', until: 'sign-propaganda' });
    expect(result).toMatchObject({ status: 'stopped', outcome: null });
    expect(result.path.map((p) => p.element)).toEqual(H3_STEPS.slice(0, 4));
  });

  it('ends rejected on a rejection, and refuses a decision the chain would refuse', async () => {
    const rejected = await run(h3, {
      name: 'mayor rejects',
      request: { major: true },
      decisions: [{ element: 'approve-mayor', action: 'reject' }],
    });
    expect(rejected).toMatchObject({ status: 'completed', outcome: 'rejected' });
    expect(rejected.gateways).toContainEqual(
      expect.objectContaining({ element: 'major-check', flow: 'major-check-to-approve-mayor', condition: 'major' }),
    );
    // H7: a unit's draft is an output of its step; without it the approval is refused, as over REST.
    const refused = await run(emergency, { name: 'no draft', request: { variables: { units: ['hld-edu'] } } });
    expect(refused).toMatchObject({ status: 'refused', error: { code: 'OUTPUT_INVALID', element: 'respond' } });
    expect(refused.error?.message).toMatch(/draft/);
  });

  it('refuses a conference too close for the lead time, naming the earliest date (H1)', async () => {
    const result = await run(h3, {
      name: 'too late',
      request: { conferenceDate: new Date(await env.currentTimeMs()).toISOString().slice(0, 10) },
    });
    expect(result).toMatchObject({ status: 'refused', error: { code: 'APPLICATION_TOO_LATE' }, path: [] });
    expect(result.error?.message).toMatch(/earliest conferenceDate still possible is \d{4}-\d{2}-\d{2}/);
  });
});

describe(branchCases.name, () => {
  it('notices a branch that no combination of variables reaches', async () => {
    // kind = "b" is asked only where kind = "a" already holds.
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:fabu="${FABU_NS}" id="defs" targetNamespace="urn:test">
  <bpmn:process id="dead-branch" name="Dead branch" fabu:code="T1">
    <bpmn:extensionElements><fabu:variable name="kind" type="enum" values="a,b,c" default="c"/></bpmn:extensionElements>
    <bpmn:startEvent id="start"/>
    <bpmn:exclusiveGateway id="g1" default="g1-end"/>
    <bpmn:userTask id="t1" name="t1"><bpmn:extensionElements><fabu:candidate initiator="true"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:exclusiveGateway id="g2" default="g2-end"/>
    <bpmn:userTask id="t2" name="t2"><bpmn:extensionElements><fabu:candidate initiator="true"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end" fabu:outcome="approved"/>
    <bpmn:sequenceFlow id="s" sourceRef="start" targetRef="g1"/>
    <bpmn:sequenceFlow id="g1-t1" sourceRef="g1" targetRef="t1"><bpmn:conditionExpression>kind = "a"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="g1-end" sourceRef="g1" targetRef="end"/>
    <bpmn:sequenceFlow id="t1-g2" sourceRef="t1" targetRef="g2"/>
    <bpmn:sequenceFlow id="g2-t2" sourceRef="g2" targetRef="t2"><bpmn:conditionExpression>kind = "b"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="g2-end" sourceRef="g2" targetRef="end"/>
    <bpmn:sequenceFlow id="t2-end" sourceRef="t2" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`;
    const { cases, unreachable } = branchCases(await compileBpmn(xml));
    expect(unreachable).toEqual([{ gateway: 'g2', flow: 'g2-t2' }]);
    expect(cases.map((c) => c.flow)).toEqual([undefined, 'g1-t1', 'g1-end', 'g2-end']);
  });
});
