// What finished workflows' histories say: how many events each kind of Update cost, and, for each
// Update, how long its workflow task waited to be picked up (dispatch) and ran in the worker
// (workflow code and local activities, fabu's projection among them).
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface UpdateCost {
  count: number;
  /** Events from the workflow task that took the Update to its UpdateCompleted event, summed. */
  events: number;
}

export interface HistoryFigures {
  workflows: number;
  events: number;
  /** Events by the Update name that caused them (e.g. decide, documents, started). */
  byUpdate: Record<string, UpdateCost>;
  /** Per Update of `timed` name: workflow task scheduled → started (ms). */
  dispatchMs: number[];
  /** Per Update of `timed` name: workflow task started → completed (ms), the worker's share. */
  workerMs: number[];
}

function millis(e: HistoryEvent): number {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN;
}

/** Reads each workflow's history; `timed` names the Update whose workflow-task timings are kept. */
export async function historyFigures(client: Client, workflowIds: string[], timed: string): Promise<HistoryFigures> {
  const figures: HistoryFigures = { workflows: 0, events: 0, byUpdate: {}, dispatchMs: [], workerMs: [] };
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    figures.workflows++;
    figures.events += events.length;
    let task = { index: 0, scheduled: NaN, started: NaN, completed: NaN };
    const open = new Map<string, { name: string; from: number }>();
    events.forEach((e, index) => {
      if (e.workflowTaskScheduledEventAttributes) task = { index, scheduled: millis(e), started: NaN, completed: NaN };
      else if (e.workflowTaskStartedEventAttributes) task.started = millis(e);
      else if (e.workflowTaskCompletedEventAttributes) task.completed = millis(e);
      const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
      if (accepted) {
        const name = accepted.acceptedRequest?.input?.name ?? 'unknown';
        open.set(accepted.protocolInstanceId ?? '', { name, from: task.index });
        if (name === timed) {
          figures.dispatchMs.push(task.started - task.scheduled);
          figures.workerMs.push(task.completed - task.started);
        }
      }
      const completed = e.workflowExecutionUpdateCompletedEventAttributes;
      if (completed) {
        const update = open.get(completed.meta?.updateId ?? '');
        if (update) {
          const cost = (figures.byUpdate[update.name] ??= { count: 0, events: 0 });
          cost.count++;
          cost.events += index - update.from + 1;
        }
      }
    });
  }
  return figures;
}
