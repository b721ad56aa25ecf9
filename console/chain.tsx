// What a request looks like from anywhere in the console: its chain on the BPMN diagram, the
// steps ahead with their due dates, and the history timeline (who, on whose behalf, what, when).
import { type AuditEvent, type Plan, type ProcessDetail, type RequestView, api } from './api';
import { Diagram, type StepMark } from './diagram';
import { userName, useUsers } from './directory';
import { fmtFull, fmtInstant } from './format';
import { eventText, t } from './i18n';
import { DueBadge, Loading, useAsync } from './ui';

export function ChainOverview({ request, focusTask }: { request: RequestView; focusTask?: string }) {
  const users = useUsers();
  const process = useAsync(
    (signal) =>
      api<ProcessDetail>(`/processes/${encodeURIComponent(request.processKey)}?version=${request.processVersion}`, {
        signal,
      }),
    [request.processKey, request.processVersion],
  );
  // Steps not opened yet get their forecast due date from the plan (chains dated by the conference).
  const plan = useAsync(
    (signal) =>
      request.conferenceDate && request.status === 'running'
        ? api<Plan>(
            `/processes/${encodeURIComponent(request.processKey)}/plan?conferenceAt=${request.conferenceDate}&submitAt=${encodeURIComponent(request.createdAt)}`,
            { signal },
          ).catch(() => undefined)
        : Promise.resolve(undefined),
    [request.processKey, request.conferenceDate, request.status],
  );
  const marks = chainMarks(request, plan.data, (u) => userName(users, u));
  const nodes = process.data?.ir.nodes ?? {};
  const order = flowOrder(process.data?.ir);
  const open = request.tasks.filter((task) => task.status === 'open' || task.status === 'opening');
  const reachable = forward(
    process.data?.ir,
    open.map((task) => task.elementId),
  );
  const ahead = Object.entries(nodes)
    .filter(([id, n]) => n.kind === 'userTask' && reachable.has(id) && marks[id]?.state !== 'current')
    .map(([id, n]) => ({
      id,
      name: n.name ?? id,
      due: plan.data?.items.find((i) => i.element === id && i.kind === 'due'),
    }))
    // In chain order: how many flows from the start (boundary-timer branches come after their step).
    .sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
  return (
    <>
      <section class="card">
        <h2>{t('task.chain')}</h2>
        <Loading when={process}>{process.data && <Diagram xml={process.data.bpmnXml} marks={marks} />}</Loading>
        {open.length > 0 && (
          <ul class="steps current">
            {open.map((task) => (
              <li key={task.id} class={task.id === focusTask ? 'focus' : ''}>
                <strong>{task.name}</strong>
                <span class="muted">
                  {' '}
                  {t('task.holders')}:{' '}
                  {(task.delegatedTo ? [task.delegatedTo] : task.assignee ? [task.assignee] : task.candidates)
                    .map((u) => userName(users, u))
                    .join('、')}
                </span>{' '}
                <DueBadge task={task} />
              </li>
            ))}
          </ul>
        )}
        {request.status === 'running' && ahead.length > 0 && (
          <>
            <h3>{t('task.remaining')}</h3>
            <ol class="steps ahead">
              {ahead.map((step) => (
                <li key={step.id}>
                  {step.name}
                  {step.due && <span class="muted small"> · {t('due.at', { at: fmtInstant(step.due.at) })}</span>}
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
      <section class="card">
        <h2>{t('task.history')}</h2>
        <Timeline
          events={request.history}
          focusTask={focusTask}
          users={users}
          stepName={(e) => {
            const element = e.taskId
              ? request.tasks.find((task) => task.id === e.taskId)?.elementId
              : e.payload.elementId;
            return typeof element === 'string'
              ? (nodes[element]?.name ?? request.tasks.find((x) => x.elementId === element)?.name)
              : undefined;
          }}
        />
      </section>
    </>
  );
}

/** The elements reachable by flows from `from` (not including them): the steps still ahead. */
function forward(ir: ProcessDetail['ir'] | undefined, from: string[]): Set<string> {
  const seen = new Set<string>();
  if (!ir) return seen;
  const queue = [...from];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const f of Object.values(ir.flows)) {
      if (f.source !== id || seen.has(f.target)) continue;
      seen.add(f.target);
      queue.push(f.target);
    }
  }
  for (const id of from) seen.delete(id);
  return seen;
}

/** Each element's distance in flows from the start event (breadth first). */
function flowOrder(ir: ProcessDetail['ir'] | undefined): Map<string, number> {
  const order = new Map<string, number>();
  if (!ir) return order;
  const out = new Map<string, string[]>();
  for (const f of Object.values(ir.flows)) out.set(f.source, [...(out.get(f.source) ?? []), f.target]);
  const queue = [ir.startNodeId];
  order.set(ir.startNodeId, 0);
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const next of out.get(id) ?? []) {
      if (order.has(next)) continue;
      order.set(next, order.get(id)! + 1);
      queue.push(next);
    }
  }
  return order;
}

/** Each BPMN element's state from the request's tasks (the latest round of each step wins). */
export function chainMarks(
  request: RequestView,
  plan: Plan | undefined,
  name: (username: string) => string,
): Record<string, StepMark> {
  const marks: Record<string, StepMark> = {};
  const latest = new Map<string, RequestView['tasks'][number]>();
  for (const task of request.tasks) latest.set(task.elementId, task);
  for (const [element, task] of latest) {
    if (task.status === 'open' || task.status === 'opening') {
      const holders = task.delegatedTo ? [task.delegatedTo] : task.assignee ? [task.assignee] : task.candidates;
      marks[element] = { state: 'current', note: holders.map(name).join('、') };
    } else if (task.status === 'completed') {
      // Who decided a done step is in the history; notes stay for what is still to come.
      marks[element] = { state: task.decision === 'return' ? 'returned' : 'done' };
    }
  }
  for (const item of plan?.items ?? []) {
    if (item.kind !== 'due' || !item.element || marks[item.element]) continue;
    marks[item.element] = { state: 'pending', note: fmtInstant(item.at) };
  }
  // Elements the chain passed without a task (gateways, service tasks, events) are done when the history says so.
  for (const e of request.history) {
    const element = typeof e.payload.elementId === 'string' ? e.payload.elementId : undefined;
    if (
      element &&
      !marks[element] &&
      (e.type === 'step.completed' || e.type === 'service.completed' || e.type === 'gateway.taken')
    ) {
      marks[element] = { state: 'done' };
    }
  }
  return marks;
}

export function Timeline({
  events,
  focusTask,
  users,
  stepName,
}: {
  events: AuditEvent[];
  focusTask?: string;
  users: Map<string, string>;
  stepName: (event: AuditEvent) => string | undefined;
}) {
  return (
    <ol class="timeline" data-testid="timeline">
      {events
        .filter((e) => e.type !== 'step.completed')
        .map((e) => {
          const comment = typeof e.payload.comment === 'string' ? e.payload.comment : undefined;
          const decision =
            e.type === 'task.decided' && typeof e.payload.action === 'string' ? e.payload.action : undefined;
          const step =
            stepName(e) ??
            (typeof e.payload.label === 'string' ? e.payload.label : undefined) ??
            (typeof e.payload.kind === 'string' ? e.payload.kind : undefined);
          return (
            <li key={e.seq} class={e.taskId && e.taskId === focusTask ? 'focus' : ''}>
              <time dateTime={e.occurredAt} title={fmtFull(e.occurredAt)}>
                {fmtInstant(e.occurredAt)}
              </time>
              <span class="who">
                {userName(users, e.actor) || '—'}
                {e.onBehalfOf && <span class="muted small"> （代 {userName(users, e.onBehalfOf)}）</span>}
              </span>
              <span class="what">
                {eventText(e.type)}
                {decision && <strong> · {t(`decision.${decision}` as 'decision.approve')}</strong>}
                {step && <span class="muted"> · {step}</span>}
              </span>
              {comment && <q class="comment">{comment}</q>}
            </li>
          );
        })}
    </ol>
  );
}
