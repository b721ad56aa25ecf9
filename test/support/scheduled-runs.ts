// The run a schedule starts, for e2e tests against the dev server.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { startedUpdate } from '../../workflows/definitions.js';

/**
 * Calls `trigger` (which makes the schedule take an action: a trigger or a backfill through the
 * API) and returns the run the schedule started, once that run has started its chain and projected
 * it (the `started` Update waits for that inside the workflow). Temporal's scheduler takes the
 * action asynchronously and names no run in its answer, so finding the run is the one wait here:
 * the schedule's recent actions, polled every 50 ms for at most 10 s. No timer is waited for.
 */
export async function runStartedBy(
  temporal: Client,
  scheduleId: string,
  trigger: () => Promise<unknown>,
): Promise<WorkflowHandle> {
  const schedule = temporal.schedule.getHandle(scheduleId);
  const runs = async () => (await schedule.describe()).info.recentActions.map((a) => a.action.workflow.workflowId);
  const before = new Set(await runs());
  await trigger();
  for (let i = 0; i < 200; i++) {
    const started = (await runs()).find((id) => !before.has(id));
    if (started) {
      const handle = temporal.workflow.getHandle(started);
      await handle.executeUpdate(startedUpdate);
      return handle;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${scheduleId} started no run within 10 s`);
}
