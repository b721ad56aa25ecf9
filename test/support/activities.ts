// The workflow tier's setup: the real time-skipping server, and the worker's activities: the real planning, service and
// projection code, with a test directory and calendar, and the projection kept in memory.
import { type PlanningDeps, createPlanningActivities } from '../../activities/planning.js';
import { type ProjectionBatch, createProjectionActivities } from '../../activities/projection.js';
import { createServiceActivities } from '../../activities/services.js';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes.js';
import { loadProcess } from './chains.js';
import { workflowsPath } from './paths.js';
import { quietTemporalRuntime } from './quiet-runtime.js';

export function testActivities(opts: {
  directory: PlanningDeps['directory'];
  calendar?: PlanningDeps['calendar'];
  /** Receives each projection batch the workflow writes. */
  project?: (batch: ProjectionBatch) => void;
}) {
  return {
    ...createPlanningActivities({
      directory: opts.directory,
      calendar: opts.calendar ?? bundledCalendar,
      dayEnd: '18:00',
      // The chains of processes/ as files, version 1: what a topic meeting's requests run (N2).
      definitions: { latest: async (key) => ({ key, version: 1, ir: await loadProcess(key) }) },
    }),
    ...createServiceActivities({ directory: opts.directory }),
    ...createProjectionActivities({ readModel: { apply: async (batch) => opts.project?.(batch) } }),
  };
}

/**
 * The real time-skipping test server with the custom search attributes registered, and a plain
 * client: unlike env.client, its result() does not unlock time skipping, so time moves only where a
 * test says so (env.sleep), never while a test merely waits for a chain to finish.
 */
export async function startTimeSkipping(): Promise<{ env: TestWorkflowEnvironment; client: Client }> {
  quietTemporalRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
  });
  await ensureSearchAttributes(env.connection, 'default');
  return { env, client: new Client({ connection: env.connection }) };
}

/**
 * {@link startTimeSkipping} with one worker polling `taskQueue` for the interpreter; `stop()` drains
 * the worker and tears the server down. `maxCachedWorkflows: 0` replays every workflow task from
 * the start, so nondeterminism shows at once.
 */
export async function startTestWorker(
  taskQueue: string,
  activities: object,
  opts: { maxCachedWorkflows?: number } = {},
): Promise<{ env: TestWorkflowEnvironment; client: Client; stop(): Promise<void> }> {
  const { env, client } = await startTimeSkipping();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities,
    ...opts,
  });
  const running = worker.run();
  return {
    env,
    client,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
