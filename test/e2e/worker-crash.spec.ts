// e2e: the worker running an H3 chain is killed (SIGKILL) between two decisions; a second worker
// process takes the chain over from its Temporal history and finishes it, and nothing is lost or
// written twice — in Postgres (tasks, audit trail and its hash chain) or in Temporal (Updates, completion).
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { attachMissing } from '../support/documents.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { H3_CHAIN } from '../support/h3.js';
import { type WorkerProcess, buildWorker, startWorkerProcess } from '../support/worker-process.js';

let e2e: E2E;
let entry: string;
const workers: WorkerProcess[] = [];
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));

beforeAll(async () => {
  // The API alone in this process: the only workers are the child processes below.
  [e2e, entry] = await Promise.all([startE2E({}, { worker: false }), buildWorker()]);
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await e2e?.stop();
});

async function openTask(username: string, requestId: string) {
  const res = await e2e.http('GET', '/api/tasks?limit=200', { token: await token(username) });
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ id: string; requestId: string; elementId: string }>).find(
    (t) => t.requestId === requestId,
  );
}

async function decide(step: number, id: string) {
  const [elementId, username] = H3_CHAIN[step];
  const task = await openTask(username, id);
  expect(task?.elementId).toBe(elementId);
  await attachMissing(e2e, await token(username), task!.id);
  const decided = await e2e.http('POST', `/api/tasks/${task!.id}/decision`, {
    token: await token(username),
    body: { action: 'approve', comment: '同意' },
  });
  expect(decided.status).toBe(200);
}

it('a worker killed mid-chain: a second worker finishes it, nothing lost or duplicated', async () => {
  const a = await startWorkerProcess(entry, e2e.processEnv);
  workers.push(a);
  const created = await e2e.http('POST', '/api/requests', {
    token: await token('sunli'),
    body: {
      processKey: 'huludao-government-conference',
      title: '全市秋季安全生产工作新闻发布会',
      conferenceDate: bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date,
      materials: ['发布稿', '主持词', '答问口径'],
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  const half = 3;
  for (let step = 0; step < half; step++) await decide(step, id);
  // Right after a decision was accepted and projected, before the next: no drain, no goodbye.
  expect(await a.kill()).toBe('SIGKILL');

  const b = await startWorkerProcess(entry, e2e.processEnv);
  workers.push(b);
  for (let step = half; step < H3_CHAIN.length; step++) await decide(step, id);

  const handle = e2e.temporal.workflow.getHandle(id);
  expect(await handle.result()).toMatchObject({ outcome: 'approved' });
  const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
  expect(view.body).toMatchObject({ status: 'completed', outcome: 'approved' });

  // Postgres: one task per step (and round), each decided once, by its signer.
  const { rows: tasks } = await e2e.db.query(
    'SELECT id, element_id, round, status, decided_by FROM tasks WHERE request_id = $1 ORDER BY opened_at, id',
    [id],
  );
  expect(tasks.map((t) => [t.element_id, t.decided_by])).toEqual(H3_CHAIN);
  expect(new Set(tasks.map((t) => `${t.element_id}/${t.round}`)).size).toBe(tasks.length);
  // The audit trail: contiguous seq, one task.decided per decided task, a hash chain that verifies.
  const { rows: audit } = await e2e.db.query(
    'SELECT seq, type, task_id FROM audit_events WHERE request_id = $1 ORDER BY seq',
    [id],
  );
  expect(audit.map((r) => r.seq)).toEqual(audit.map((_, i) => i + 1));
  const decidedAudit = audit.filter((r) => r.type === 'task.decided').map((r) => r.task_id as string);
  expect(decidedAudit.sort()).toEqual(tasks.map((t) => t.id as string).sort());
  expect(audit.filter((r) => r.type === 'request.completed')).toHaveLength(1);
  const verified = await e2e.http('GET', `/api/requests/${id}/audit/verify`, { token: await token('admin') });
  expect(verified.status).toBe(200);
  expect(verified.body).toMatchObject({ ok: true, length: audit.length });

  // Temporal: completed once, one accepted `decide` Update per decision made, and both workers
  // ran workflow tasks of this chain (the second replayed the first one's history).
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowExecutionCompletedEventAttributes)).toHaveLength(1);
  const accepted = events.filter(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'decide',
  );
  expect(accepted).toHaveLength(H3_CHAIN.length);
  const completedUpdates = events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes);
  expect(completedUpdates.length).toBe(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length);
  const identities = new Set(events.map((e) => e.workflowTaskCompletedEventAttributes?.identity).filter(Boolean));
  expect([...identities].map((i) => i!.split('@')[0]).sort()).toEqual([String(a.pid), String(b.pid)].sort());
}, 180_000);
