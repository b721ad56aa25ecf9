// Records the replay fixtures in test/fixtures/histories/: three H3 chains driven to their end on
// the time-skipping test server, each history written with historyToJSON (the format Temporal's
// CLI and UI download, which Worker.runReplayHistory reads back through historyFromJSON).
// test/workflow/replay.spec.ts replays every fixture against the current workflow code.
//
// Re-record only when a change is meant to break running chains (it then ships behind patched()):
// the old fixtures are what the CI replay protects. `npm run record:histories` runs this. Each file
// is named after the workflow id it was recorded under, which the replay passes back to the worker.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import prettier from 'prettier';
import { createPlanningActivities } from '../../activities/planning.js';
import { createProjectionActivities } from '../../activities/projection.js';
import { createServiceActivities } from '../../activities/services.js';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes.js';
import { approvalProcess } from '../../workflows/approval-process.js';
import { decideUpdate, stateQuery } from '../../workflows/definitions.js';
import { H3_CHAIN, h3Directory, h3Input, loadH3 } from './h3.js';
import { workflowsPath } from './paths.js';

/** Records the three fixture histories into `outDir`; returns the files written. */
export async function recordHistories(outDir: string): Promise<string[]> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
  });
  const taskQueue = 'record-histories';
  const written: string[] = [];
  try {
    await ensureSearchAttributes(env.connection, 'default');
    const ir = await loadH3();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath,
      activities: {
        ...createPlanningActivities({ directory: h3Directory, calendar: bundledCalendar, dayEnd: '18:00' }),
        ...createServiceActivities({ directory: h3Directory }),
        ...createProjectionActivities({ readModel: { apply: async () => undefined } }),
      },
    });

    const start = (workflowId: string) => {
      const input = h3Input(ir);
      return env.client.workflow.start(approvalProcess, { taskQueue, workflowId, args: [input] });
    };
    type Handle = Awaited<ReturnType<typeof start>>;

    const openTask = async (handle: Handle) => {
      for (let i = 0; i < 50; i++) {
        const state = await handle.query(stateQuery);
        const open = state.tasks.find((t) => t.status === 'open');
        if (open) return open;
        await env.sleep(10);
      }
      throw new Error(`no open task in ${handle.workflowId}`);
    };
    const decide = async (handle: Handle, actor: string, action: 'approve' | 'reject', expectStep?: string) => {
      const open = await openTask(handle);
      if (expectStep && open.elementId !== expectStep) {
        throw new Error(`${handle.workflowId}: expected ${expectStep} open, found ${open.elementId}`);
      }
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: open.taskId, action, actor }] });
    };
    const save = async (handle: Handle, outcome: 'approved' | 'rejected') => {
      const result = await handle.result();
      if (result.outcome !== outcome) throw new Error(`${handle.workflowId} ended ${result.outcome}, not ${outcome}`);
      // Compacted first, so prettier (which `npm run lint` checks it against) packs short objects on one line.
      const json = JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())));
      const file = join(outDir, `${handle.workflowId}.json`);
      const options = await prettier.resolveConfig(file);
      await writeFile(file, await prettier.format(json, { ...options, filepath: file }));
      written.push(file);
    };

    await mkdir(outDir, { recursive: true });
    await worker.runUntil(async () => {
      // (a) every signer approves in order.
      const approved = await start('h3-approved');
      for (const [, actor] of H3_CHAIN) await decide(approved, actor, 'approve');
      await save(approved, 'approved');

      // (b) the main leader rejects.
      const rejected = await start('h3-rejected');
      await decide(rejected, 'sunli', 'approve', 'draft');
      await decide(rejected, 'wangfang', 'approve', 'guidance');
      await decide(rejected, 'chenming', 'reject', 'sign-main-leader');
      await save(rejected, 'rejected');

      // (c) guidance passes its due time, is marked overdue (the deadline timer fires and the
      // escalation is resolved), then the office replies and every later signer approves.
      const overdue = await start('h3-overdue-then-approved');
      await decide(overdue, 'sunli', 'approve', 'draft');
      const guidance = await openTask(overdue);
      if (guidance.elementId !== 'guidance' || !guidance.dueAt) throw new Error('guidance has no due time');
      await env.sleep(Date.parse(guidance.dueAt) - (await env.currentTimeMs()) + 60_000);
      for (let i = 0; ; i++) {
        const state = await overdue.query(stateQuery);
        if (state.tasks.find((t) => t.taskId === guidance.taskId)?.overdue) break;
        if (i >= 50) throw new Error('guidance was never marked overdue');
        await env.sleep(10);
      }
      for (const [, actor] of H3_CHAIN.slice(1)) await decide(overdue, actor, 'approve');
      await save(overdue, 'approved');
    });
  } finally {
    await env.teardown();
  }
  return written;
}
