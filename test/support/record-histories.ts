// Records replay fixtures into test/fixtures/histories/ on the time-skipping test server, each
// history written with historyToJSON (the format Temporal's CLI and UI download, which
// Worker.runReplayHistory reads back through historyFromJSON). test/workflow/replay.spec.ts replays
// every fixture against the current workflow code.
//
// Fixtures are never re-recorded over: a fixture is a chain that was running under older code, and
// the replay protects it. `npm run record:histories` writes only the files missing: the approve
// path (and a return) of every process in processes/ as it is now, named
// `<key>@<version>+<patch>-<path>.json` after the workflow id it ran under, where the version is a
// hash of the file and the patch the newest one of approvalProcess: a changed file, or code behind
// a new patch, gets fixtures of its own and the older ones stay. Files named without a patch were
// recorded under `projection-as-local-activity`; the three `h3-*.json` files by the first
// interpreter (IR v1, projection as an activity). All stay as they are.
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import prettier from 'prettier';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes.js';
import {
  type Policy,
  approveAll,
  drive,
  everyPositionDirectory,
  loadProcess,
  requestFor,
  startChain,
} from './chains.js';
import { workflowsPath } from './paths.js';
import { testActivities } from './activities.js';

/** The first 8 hex digits of the SHA-256 of a process file: one fixture set per version of the file. */
export async function fileVersion(key: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(join('processes', `${key}.bpmn`)))
    .digest('hex')
    .slice(0, 8);
}

/** The newest patch of approvalProcess (workflows/approval-process.ts): fixtures are named with it. */
export const NEWEST_PATCH = 'batched-planning';

/** The workflow id, and file name, of a fixture: `<key>@<version>+<patch>-<path>`. */
export async function fixtureName(key: string, path: 'approved' | 'returned-then-approved'): Promise<string> {
  return `${key}@${await fileVersion(key)}+${NEWEST_PATCH}-${path}`;
}

/** Variables a chain needs to run its approve path (declared without a default). */
const VARIABLES: Record<string, Record<string, string | string[]>> = {
  'ningbo-release-review': { kind: 'department' },
  // Incidents (O1, H7, N7, U2): one responsible unit; the policy release carries both texts (U2).
  'liuzhou-opinion-response': { units: ['dept'] },
  'huludao-emergency': { units: ['dept'] },
  'ningbo-emergency-release': { units: ['dept'] },
  'huainan-emergency': { units: ['dept'] },
  'huainan-policy-release': { document: '政策文件', interpretation: '政策解读' },
};

/** Records the missing fixtures into `outDir`; returns the files written. */
export async function recordHistories(outDir: string): Promise<string[]> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
  });
  const client = new Client({ connection: env.connection });
  const taskQueue = 'record-histories';
  const written: string[] = [];
  const exists = (file: string) =>
    access(file).then(
      () => true,
      () => false,
    );
  try {
    await ensureSearchAttributes(env.connection, 'default');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath,
      activities: testActivities({ directory: everyPositionDirectory }),
    });
    await mkdir(outDir, { recursive: true });
    const keys = (await readdir('processes')).filter((f) => f.endsWith('.bpmn')).map((f) => f.replace(/\.bpmn$/, ''));

    await worker.runUntil(async () => {
      for (const key of keys.sort()) {
        const ir = await loadProcess(key);
        // The approve path, and a return from the second decided step to the first, then approve.
        let returned = false;
        const returnOnce: Policy = (task, view) => {
          const targets = view.returnTargets[task.taskId] ?? [];
          const node = ir.nodes[task.elementId];
          if (returned || !targets.length || node?.kind !== 'userTask' || !node.actions.includes('return')) {
            return { action: 'approve' };
          }
          returned = true;
          return { action: 'return', returnTo: targets[0]!, comment: '请修改后重新报送' };
        };
        for (const [path, policy] of [
          ['approved', approveAll],
          ['returned-then-approved', returnOnce],
        ] as const) {
          const workflowId = await fixtureName(key, path);
          const file = join(outDir, `${workflowId}.json`);
          if (await exists(file)) continue;
          const now = new Date(await env.currentTimeMs());
          const input = requestFor(ir, { variables: VARIABLES[key] ?? {} }, now);
          const handle = await startChain(client, taskQueue, workflowId, input);
          returned = false;
          const { view } = await drive(env, handle, policy);
          if (view.outcome !== 'approved') throw new Error(`${workflowId} ended ${view.outcome}`);
          // A chain with no step to return to has no return path to keep.
          if (policy === returnOnce && !returned) continue;
          await handle.result();
          // Compacted first, so prettier (which `npm run lint` checks it against) packs short objects on one line.
          const json = JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())));
          const options = await prettier.resolveConfig(file);
          await writeFile(file, await prettier.format(json, { ...options, filepath: file }));
          written.push(file);
        }
      }
    });
  } finally {
    await env.teardown();
  }
  return written;
}
