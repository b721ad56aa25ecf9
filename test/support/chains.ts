// Drives any chain in processes/ on the time-skipping server: a directory where every position
// is held by one synthetic user, request inputs, and a loop that decides open tasks by a policy.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Client, WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addDays, businessDate } from '../../src/calendar/working-days.js';
import { compileBpmn } from '../../src/processes/compiler.js';
import { type CandidateExpr, type ProcessIR, orgCodeOf, scheduleOf } from '../../src/processes/ir.js';
import type { TaskState } from '../../workflows/approval-machine.js';
import { approvalProcess } from '../../workflows/approval-process.js';
import {
  type ApprovalProcessInput,
  type ProcessView,
  decideUpdate,
  documentsUpdate,
  startedUpdate,
  stateQuery,
  SCHEDULER,
} from '../../workflows/definitions.js';

export const APPLICANT = 'applicant';
export const APPLICANT_ORG = 'dept';

/** Every position in every org is held by `<position>@<org>`; the initiator is themselves. */
export const everyPositionDirectory = {
  async resolve(expr: CandidateExpr, ctx: { orgCode: string; initiator: string; item?: string }): Promise<string[]> {
    if (expr.kind === 'initiator') return [ctx.initiator];
    return [`${expr.position}@${orgCodeOf(expr.org, ctx)}`];
  },
};

export async function loadProcess(key: string): Promise<ProcessIR> {
  return compileBpmn(await readFile(join('processes', `${key}.bpmn`), 'utf8'), { fileName: `${key}.bpmn` });
}

/** A request 60 days ahead, far enough for every lead time (H1: 7 WD, N6: one week). */
export function requestFor(
  ir: ProcessIR,
  overrides: Partial<ApprovalProcessInput['request']> = {},
  now = new Date(),
): ApprovalProcessInput {
  // A recurring process runs as its schedule would start it: for its org, by no one, dated by its rule.
  const schedule = scheduleOf(ir);
  return {
    definition: { key: ir.key, version: 1, ir },
    request: {
      title: schedule ? ir.name : `${ir.name} test`,
      orgCode: schedule?.orgCode ?? APPLICANT_ORG,
      conferenceDate: addDays(businessDate(now), 60),
      materials: ['发布稿'],
      major: false,
      initiator: schedule ? SCHEDULER : APPLICANT,
      ...overrides,
    },
    submittedAt: now.toISOString(),
    ...(schedule ? { scheduled: { ...(schedule.recurrence ? { recurrence: schedule.recurrence } : {}) } } : {}),
  };
}

/**
 * What a driven chain's outputs hold: one accepted topic, a department conference 40 days on (N2);
 * a unit's draft and the agreed release (O4); closing an incident after its first release (O2).
 * Outputs not listed here (an assessment's severity) keep their declared defaults.
 */
const OUTPUTS: Record<string, (view: ProcessView) => unknown> = {
  draft: () => '经核查，情况如下。',
  release: () => '关于有关情况的通报',
  next: () => 'close',
  topics: (view) => [
    {
      orgCode: 'nb-transport',
      title: '交通运输工作新闻发布会',
      conferenceDate: addDays(String(view.variables.conferenceDate ?? '2026-12-31'), 40),
    },
  ],
};

export type Policy = (
  task: TaskState,
  view: ProcessView,
) => { action: 'approve' | 'reject' | 'return'; returnTo?: string; comment?: string };
export const approveAll: Policy = () => ({ action: 'approve' });

export interface Driven {
  view: ProcessView;
  /** Element ids of the tasks decided, in order, with the action when it was not an approval. */
  decided: string[];
  /** The most open tasks of one element and instance seen at once (1 unless something duplicated). */
  maxDuplicates: number;
}

/**
 * Starts a chain (update-with-start, as the API does) and decides its open tasks, first by task id,
 * until it completes or `until` says to stop.
 */
export async function startChain(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: ApprovalProcessInput,
): Promise<WorkflowHandle<typeof approvalProcess>> {
  const startWorkflowOperation = new WithStartWorkflowOperation(approvalProcess, {
    taskQueue,
    workflowId,
    workflowIdConflictPolicy: 'FAIL',
    args: [input],
  });
  await client.workflow.executeUpdateWithStart(startedUpdate, { startWorkflowOperation });
  return client.workflow.getHandle(workflowId);
}

/**
 * Queries the chain until `ok` holds, letting the test server's time move 10 ms between tries (the
 * work a skipped timer started finishes), so a test never waits on the wall clock.
 */
export async function waitForView(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof approvalProcess>,
  ok: (view: ProcessView) => boolean,
): Promise<ProcessView> {
  for (let i = 0; i < 100; i++) {
    const view = await handle.query(stateQuery);
    if (ok(view)) return view;
    await env.sleep(10);
  }
  throw new Error(`${handle.workflowId}: condition never met`);
}

export async function drive(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof approvalProcess>,
  policy: Policy = approveAll,
  until: (view: ProcessView) => boolean = () => false,
  limit = 40,
): Promise<Driven> {
  const decided: string[] = [];
  let maxDuplicates = 0;
  for (let i = 0; i < limit; i++) {
    const view = await handle.query(stateQuery);
    const open = view.tasks.filter((t) => t.status === 'open').sort((a, b) => a.taskId.localeCompare(b.taskId));
    const perInstance = new Map<string, number>();
    for (const t of view.tasks.filter((t) => t.status === 'open' || t.status === 'opening')) {
      const key = `${t.elementId}/${t.instance}`;
      perInstance.set(key, (perInstance.get(key) ?? 0) + 1);
    }
    maxDuplicates = Math.max(maxDuplicates, ...perInstance.values(), 0);
    if (view.status === 'completed' || until(view)) return { view, decided, maxDuplicates };
    const task = open[0];
    if (!task) {
      await env.sleep(10);
      continue;
    }
    const decision = policy(task, view);
    // A step with fabu:output (the topic meeting, N2) is approved with its data.
    const output = view.outputs?.[task.taskId];
    const data =
      decision.action === 'approve' && output
        ? Object.fromEntries(
            output
              .split(',')
              .filter((name) => OUTPUTS[name])
              .map((name) => [name, OUTPUTS[name]!(view)]),
          )
        : undefined;
    // A filing step (fabu:materials, H6 art. 34, L3) is approved once its documents are attached.
    if (decision.action === 'approve') await attachMaterials(handle, task, view);
    await handle.executeUpdate(decideUpdate, {
      args: [{ taskId: task.taskId, actor: task.candidates[0]!, ...decision, ...(data ? { data } : {}) }],
    });
    decided.push(decision.action === 'approve' ? task.elementId : `${task.elementId}:${decision.action}`);
  }
  throw new Error(`${handle.workflowId} did not finish in ${limit} steps`);
}

/**
 * Attaches, as the task's first candidate, version 1 of each document its step needs and the chain
 * lacks, as the API does after storing one (the `documents` Update); returns the kinds attached.
 */
export async function attachMaterials(
  handle: WorkflowHandle<typeof approvalProcess>,
  task: TaskState,
  view: ProcessView,
): Promise<string[]> {
  const missing = (view.materials?.[task.taskId] ?? []).filter((kind) => !view.documents?.[kind]);
  for (const kind of missing) {
    const sha256 = createHash('sha256').update(`${handle.workflowId} ${kind}`).digest('hex');
    await handle.executeUpdate(documentsUpdate, {
      args: [{ kind, version: 1, sha256, name: `${kind}.pdf`, actor: task.candidates[0]! }],
    });
  }
  return missing;
}
