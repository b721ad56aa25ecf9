// What the chaos run counts once every chain has finished: for each chain, what it should hold
// (one task per step, each decided once) against what PostgreSQL's read model, its audit trail and
// outbox, and Temporal's histories hold. The same checks test/e2e/worker-crash.spec.ts makes for
// one chain, over every chain of a run, added up as lost and duplicated per kind of record.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type pg from 'pg';

/** A chain as driven: its request id, the steps it must have decided, and whether it publishes. */
export interface ExpectedChain {
  id: string;
  processKey: string;
  /** The BPMN user tasks an approval walks through, in order, each decided once. */
  steps: readonly string[];
  /** Releases its publish steps write (one outbox delivery and one channel post each). */
  releases: number;
}

export interface Count {
  what: string;
  expected: number;
  postgres?: number;
  temporal?: number;
  lost: number;
  duplicated: number;
}

export interface ChainCounts {
  rows: Count[];
  /** One line per chain and record that is not as expected. */
  problems: string[];
  /** Decisions the read model holds for these chains. */
  decided: number;
}

interface TaskRow {
  id: string;
  request_id: string;
  element_id: string;
  round: number;
  status: string;
  decided_by: string | null;
}

interface AuditRow {
  request_id: string;
  seq: number;
  type: string;
  task_id: string | null;
}

interface ReleaseRow {
  request_id: string;
  release_key: string;
  position: number;
  outbox_rows: number;
  delivered: number;
  posts: number;
}

/** Counts of each key: how often each occurs. */
function tally<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * Reads every chain's records from PostgreSQL (as the schema owner) and its history from Temporal,
 * and returns one row per kind of record. `verify(id)` is GET /api/requests/:id/audit/verify.
 */
export async function countChains(o: {
  chains: ExpectedChain[];
  db: pg.Pool;
  temporal: Client;
  verify: (requestId: string) => Promise<{ ok: boolean; length: number }>;
}): Promise<ChainCounts> {
  const ids = o.chains.map((c) => c.id);
  const problems: string[] = [];
  const { rows: requests } = await o.db.query<{ id: string; status: string; outcome: string | null }>(
    'SELECT id, status, outcome FROM requests WHERE id = ANY($1)',
    [ids],
  );
  const { rows: tasks } = await o.db.query<TaskRow>(
    'SELECT id, request_id, element_id, round, status, decided_by FROM tasks WHERE request_id = ANY($1)',
    [ids],
  );
  const { rows: audit } = await o.db.query<AuditRow>(
    'SELECT request_id, seq, type, task_id FROM audit_events WHERE request_id = ANY($1) ORDER BY request_id, seq',
    [ids],
  );
  // Each release's outbox rows and the posts its deliveries made (a post is keyed by the delivery's idempotency key).
  const { rows: releases } = await o.db.query<ReleaseRow>(
    `SELECT r.request_id, r.release_key, r.position,
            (SELECT count(*)::int FROM outbox x WHERE x.release_key = r.release_key AND x.position = r.position) AS outbox_rows,
            (SELECT count(*)::int FROM outbox x WHERE x.release_key = r.release_key AND x.position = r.position
                                                 AND x.status = 'delivered') AS delivered,
            (SELECT count(*)::int FROM outbox x JOIN channel_posts p ON p.idempotency_key = x.idempotency_key
              WHERE x.release_key = r.release_key AND x.position = r.position) AS posts
       FROM releases r WHERE r.request_id = ANY($1)`,
    [ids],
  );
  const byRequest = <T extends { request_id: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) map.set(row.request_id, [...(map.get(row.request_id) ?? []), row]);
    return map;
  };
  const tasksOf = byRequest(tasks);
  const auditOf = byRequest(audit);
  const releasesOf = byRequest(releases);
  const requestOf = new Map(requests.map((r) => [r.id, r]));

  const row = (what: string): Count => ({ what, expected: 0, postgres: 0, temporal: 0, lost: 0, duplicated: 0 });
  const chainsRow = row('chains completed, approved');
  const tasksRow = { ...row('tasks (one per step)'), temporal: undefined };
  const decisionsRow = row('decisions (decide Updates)');
  const auditRow = { ...row('task.decided audit rows'), temporal: undefined };
  const completedAudit = { ...row('request.completed audit rows'), temporal: undefined };
  const seqRow = { ...row('audit seq gaps'), temporal: undefined };
  const verifiedRow = { ...row('audit hash chains verified'), temporal: undefined };
  const outboxRow = { ...row('outbox deliveries'), temporal: undefined };
  const postsRow = { ...row('channel posts (published)'), temporal: undefined };
  let decided = 0;

  for (const chain of o.chains) {
    const say = (line: string) => problems.push(`${chain.id}: ${line}`);
    // --- PostgreSQL: the request, its tasks, their decisions.
    chainsRow.expected++;
    const request = requestOf.get(chain.id);
    if (request?.status === 'completed' && request.outcome === 'approved') chainsRow.postgres!++;
    else say(`read model says ${request ? `${request.status}/${request.outcome}` : 'no such request'}`);

    const mine = tasksOf.get(chain.id) ?? [];
    const perStep = tally(mine, (t) => t.element_id);
    tasksRow.expected += chain.steps.length;
    tasksRow.postgres! += mine.length;
    decisionsRow.expected += chain.steps.length;
    for (const step of chain.steps) {
      const n = perStep.get(step) ?? 0;
      if (n === 0) {
        tasksRow.lost++;
        say(`no task for step ${step}`);
      }
      if (n > 1) {
        tasksRow.duplicated += n - 1;
        say(`${n} tasks for step ${step}`);
      }
    }
    for (const [step] of perStep) if (!chain.steps.includes(step)) say(`unexpected task for step ${step}`);
    const decidedTasks = mine.filter((t) => t.decided_by !== null);
    decided += decidedTasks.length;
    decisionsRow.postgres! += decidedTasks.length;
    const decidedPerStep = tally(decidedTasks, (t) => t.element_id);
    for (const step of chain.steps) {
      const n = decidedPerStep.get(step) ?? 0;
      if (n === 0) {
        decisionsRow.lost++;
        say(`step ${step} not decided in the read model`);
      }
      if (n > 1) {
        decisionsRow.duplicated += n - 1;
        say(`step ${step} decided ${n} times in the read model`);
      }
    }

    // --- The audit trail: one task.decided per decided task, contiguous seq, one completion, a chain that verifies.
    const trail = auditOf.get(chain.id) ?? [];
    const decidedAudit = tally(
      trail.filter((a) => a.type === 'task.decided'),
      (a) => a.task_id ?? '',
    );
    auditRow.expected += decidedTasks.length;
    auditRow.postgres! += [...decidedAudit.values()].reduce((a, b) => a + b, 0);
    for (const task of decidedTasks) {
      const n = decidedAudit.get(task.id) ?? 0;
      if (n === 0) {
        auditRow.lost++;
        say(`no task.decided audit row for ${task.id}`);
      }
      if (n > 1) {
        auditRow.duplicated += n - 1;
        say(`${n} task.decided audit rows for ${task.id}`);
      }
    }
    for (const [taskId] of decidedAudit) {
      if (!decidedTasks.some((t) => t.id === taskId)) {
        auditRow.duplicated++;
        say(`task.decided audit row for ${taskId}, which the read model has not decided`);
      }
    }
    const completions = trail.filter((a) => a.type === 'request.completed').length;
    completedAudit.expected++;
    completedAudit.postgres! += completions;
    if (completions === 0) completedAudit.lost++;
    if (completions > 1) completedAudit.duplicated += completions - 1;
    const seqs = tally(trail, (a) => String(a.seq));
    const top = trail.length ? Math.max(...trail.map((a) => a.seq)) : 0;
    let gaps = 0;
    for (let seq = 1; seq <= top; seq++) if (!seqs.has(String(seq))) gaps++;
    const repeated = [...seqs.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
    seqRow.postgres! += gaps;
    seqRow.lost += gaps;
    seqRow.duplicated += repeated;
    if (gaps || repeated) say(`audit seq: ${gaps} missing, ${repeated} repeated (max ${top})`);
    verifiedRow.expected++;
    const verified = await o.verify(chain.id);
    if (verified.ok && verified.length === trail.length) verifiedRow.postgres!++;
    else {
      verifiedRow.lost++;
      say(`audit chain does not verify: ${JSON.stringify(verified)} (${trail.length} rows)`);
    }

    // --- The outbox: each release delivered once, published once.
    const published = releasesOf.get(chain.id) ?? [];
    outboxRow.expected += chain.releases;
    postsRow.expected += chain.releases;
    outboxRow.postgres! += published.reduce((a, r) => a + r.delivered, 0);
    postsRow.postgres! += published.reduce((a, r) => a + r.posts, 0);
    if (published.length < chain.releases) {
      outboxRow.lost += chain.releases - published.length;
      postsRow.lost += chain.releases - published.length;
      say(`${published.length} of ${chain.releases} releases written`);
    }
    if (published.length > chain.releases) say(`${published.length} releases written, ${chain.releases} expected`);
    for (const r of published) {
      if (r.delivered === 0) {
        outboxRow.lost++;
        say(`release ${r.release_key}#${r.position} not delivered (${r.outbox_rows} outbox rows)`);
      }
      if (r.outbox_rows > 1) {
        outboxRow.duplicated += r.outbox_rows - 1;
        say(`release ${r.release_key}#${r.position} has ${r.outbox_rows} outbox rows`);
      }
      if (r.posts === 0) postsRow.lost++;
      if (r.posts > 1) {
        postsRow.duplicated += r.posts - 1;
        say(`release ${r.release_key}#${r.position} published ${r.posts} times`);
      }
    }

    // --- Temporal: completed once; one accepted `decide` Update per decided task, each completed.
    const events = (await o.temporal.workflow.getHandle(chain.id).fetchHistory()).events ?? [];
    const completed = events.filter((e) => e.workflowExecutionCompletedEventAttributes).length;
    if (completed === 1) chainsRow.temporal!++;
    else say(`${completed} completion events in Temporal`);
    if (completed > 1) chainsRow.duplicated += completed - 1;
    const accepted = events
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
      .filter((a) => a?.acceptedRequest?.input?.name === 'decide');
    const decidedIn = tally(accepted, (a) => {
      const input = defaultPayloadConverter.fromPayload<{ taskId?: string }>(
        a!.acceptedRequest!.input!.args!.payloads![0]!,
      );
      return input.taskId ?? '';
    });
    decisionsRow.temporal! += accepted.length;
    for (const task of decidedTasks) {
      const n = decidedIn.get(task.id) ?? 0;
      if (n === 0) {
        decisionsRow.lost++;
        say(`no accepted decide Update for ${task.id} in Temporal`);
      }
      if (n > 1) {
        decisionsRow.duplicated += n - 1;
        say(`${n} accepted decide Updates for ${task.id} in Temporal`);
      }
    }
    for (const [taskId] of decidedIn) {
      if (!decidedTasks.some((t) => t.id === taskId)) {
        decisionsRow.lost++;
        say(`decide Update for ${taskId} accepted in Temporal, not in the read model`);
      }
    }
    const acceptedAll = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    const completedAll = events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length;
    if (acceptedAll !== completedAll) say(`${acceptedAll} Updates accepted, ${completedAll} completed`);
  }
  chainsRow.lost = o.chains.length - Math.min(chainsRow.postgres!, chainsRow.temporal!);
  return {
    rows: [chainsRow, tasksRow, decisionsRow, auditRow, completedAudit, seqRow, verifiedRow, outboxRow, postsRow],
    problems,
    decided,
  };
}
