import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { TaskCandidateEntity, TaskEntity } from '../tasks/task.entity.js';
import { IdempotencyKeyEntity, RequestEntity } from './request.entity.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import type { ListRequestsQuery, RequestSummary, RequestView, TaskView } from './requests.schemas.js';

export interface Reservation {
  requestId: string;
  /** A repeat of an earlier POST with the same Idempotency-Key. */
  repeated: boolean;
  startInput: object;
  bodyHash: string;
}

@Injectable()
export class RequestsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Allocates the next business id (`H3-2026-0001`, per chain code and year) and records the
   * Idempotency-Key with what will be started, in one transaction, together with what `alongside`
   * writes (an incident's intake record); if it throws, nothing is kept. A repeated key returns the
   * first reservation instead.
   */
  async reserve<T extends object>(args: {
    prefix: string;
    year: number;
    idempotency?: { principal: string; key: string; bodyHash: string };
    makeStartInput: (requestId: string) => T;
    alongside?: (m: EntityManager, requestId: string, startInput: T) => Promise<void>;
  }): Promise<Reservation> {
    return this.db.transaction(async (m) => {
      const idem = args.idempotency;
      if (idem) {
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`idem:${idem.principal}:${idem.key}`]);
        const seen = await m
          .getRepository(IdempotencyKeyEntity)
          .findOneBy({ principal: idem.principal, key: idem.key });
        if (seen)
          return { requestId: seen.requestId, repeated: true, startInput: seen.startInput, bodyHash: seen.bodyHash };
      }
      const [row] = (await m.query(
        `INSERT INTO request_counters (prefix, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (prefix, year) DO UPDATE SET last = request_counters.last + 1 RETURNING last`,
        [args.prefix, args.year],
      )) as Array<{ last: number }>;
      const requestId = `${args.prefix}-${args.year}-${String(row!.last).padStart(4, '0')}`;
      const startInput = args.makeStartInput(requestId);
      await args.alongside?.(m, requestId, startInput);
      if (idem) {
        await m.getRepository(IdempotencyKeyEntity).insert({
          principal: idem.principal,
          key: idem.key,
          bodyHash: idem.bodyHash,
          requestId,
          startInput,
          createdAt: new Date(),
        });
      }
      return { requestId, repeated: false, startInput, bodyHash: idem?.bodyHash ?? '' };
    });
  }

  async findReservation(principal: string, key: string): Promise<Reservation | null> {
    const seen = await this.db.getRepository(IdempotencyKeyEntity).findOneBy({ principal, key });
    return seen && { requestId: seen.requestId, repeated: true, startInput: seen.startInput, bodyHash: seen.bodyHash };
  }

  async find(id: string): Promise<RequestEntity | null> {
    return this.db.getRepository(RequestEntity).findOneBy({ id });
  }

  /** Asked by the chain (a candidate of any of its tasks, their delegate, or the one a proxy covered), or copied in (抄送). */
  async isParticipant(requestId: string, username: string): Promise<boolean> {
    const [{ ok }] = await this.db.query<Array<{ ok: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM requests WHERE id = $1 AND $2 = ANY(cc))
           OR EXISTS (SELECT 1 FROM tasks WHERE request_id = $1 AND delegated_to = $2)
           OR EXISTS (SELECT 1 FROM tasks t, jsonb_each_text(t.on_behalf_of) covered
                      WHERE t.request_id = $1 AND covered.value = $2)
           OR EXISTS (SELECT 1 FROM task_candidates c JOIN tasks t ON t.id = c.task_id
                      WHERE t.request_id = $1 AND c.username = $2) AS ok`,
      [requestId, username],
    );
    return ok;
  }

  /** A request's audit trail with its chain: each row's hash and the hash it links to. */
  async audit(id: string) {
    const events = await this.db
      .getRepository(AuditEventEntity)
      .find({ where: { requestId: id }, order: { seq: 'ASC' } });
    return events.map((e) => ({
      seq: e.seq,
      type: e.type,
      taskId: e.taskId,
      actor: e.actor,
      onBehalfOf: onBehalfOf(e.payload),
      payload: e.payload,
      occurredAt: e.occurredAt.toISOString(),
      prevHash: e.prevHash,
      hash: e.hash,
    }));
  }

  verify(id: string): Promise<ChainVerification> {
    return verifyAuditChain(this.db, id);
  }

  /** The counts of the console's 抄送我 and 我发起的 tabs (running ones). */
  async counts(username: string): Promise<{ cc: number; started: number }> {
    const [row] = await this.db.query<Array<{ cc: number; started: number }>>(
      `SELECT (SELECT count(*) FROM requests WHERE cc @> ARRAY[$1]::text[] AND status = 'running')::int AS cc,
              (SELECT count(*) FROM requests WHERE initiator = $1 AND status = 'running')::int AS started`,
      [username],
    );
    return row!;
  }

  /** 我发起的 / 抄送我 / every request, the newest first, keyset-paginated on (created_at, id). */
  async page(
    username: string,
    query: ListRequestsQuery,
  ): Promise<{ items: RequestSummary[]; nextCursor: string | null }> {
    const { scope, status, processKey, limit, cursor } = query;
    const q = this.db
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1);
    if (scope === 'started') q.where('r.initiator = :username', { username });
    else if (scope === 'cc') q.where('r.cc @> ARRAY[:username]::text[]', { username });
    else q.where('TRUE');
    if (status) q.andWhere('r.status = :status', { status });
    if (processKey) q.andWhere('r.process_key = :processKey', { processKey });
    if (cursor) {
      const after = decodeCursor(cursor);
      q.andWhere('(r.created_at, r.id) < (:d::timestamptz, :i)', { d: after.d, i: after.i });
    }
    const rows = await q.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        id: r.id,
        processKey: r.processKey,
        title: r.title,
        orgCode: r.orgCode,
        conferenceDate: r.conferenceDate,
        initiator: r.initiator,
        status: r.status as RequestSummary['status'],
        stage: r.stage,
        outcome: r.outcome as RequestSummary['outcome'],
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      })),
      nextCursor: rows.length > limit && last ? encodeCursor({ d: last.createdAt.toISOString(), i: last.id }) : null,
    };
  }

  async view(id: string): Promise<RequestView | null> {
    const request = await this.find(id);
    if (!request) return null;
    const tasks = await this.db
      .getRepository(TaskEntity)
      .find({ where: { requestId: id }, order: { openedAt: 'ASC', id: 'ASC' } });
    const candidates = await this.db
      .getRepository(TaskCandidateEntity)
      .createQueryBuilder('c')
      .innerJoin(TaskEntity, 't', 't.id = c.task_id')
      .where('t.request_id = :id', { id })
      .orderBy('c.username')
      .getMany();
    const events = await this.db
      .getRepository(AuditEventEntity)
      .find({ where: { requestId: id }, order: { seq: 'ASC' } });
    const { seq: _seq, ...fields } = request;
    return {
      ...fields,
      status: request.status as RequestView['status'],
      outcome: request.outcome as RequestView['outcome'],
      createdAt: request.createdAt.toISOString(),
      updatedAt: request.updatedAt.toISOString(),
      completedAt: request.completedAt?.toISOString() ?? null,
      tasks: tasks.map((t) =>
        toTaskView(
          t,
          candidates.filter((c) => c.taskId === t.id).map((c) => c.username),
        ),
      ),
      history: events.map((e) => ({
        seq: e.seq,
        type: e.type,
        taskId: e.taskId,
        actor: e.actor,
        onBehalfOf: onBehalfOf(e.payload),
        payload: e.payload,
        occurredAt: e.occurredAt.toISOString(),
      })),
    };
  }
}

export interface ChainVerification {
  requestId: string;
  /** Rows checked. */
  length: number;
  /** The last row's hash: what a dossier export is signed off against. */
  head: string | null;
  ok: boolean;
  /** The first link that does not hold, and why. */
  broken?: { seq: number; reason: 'content changed' | 'link broken' | 'sequence gap' };
}

/**
 * Recomputes a request's audit chain in the database with the same function the inserts use, and
 * reports the first row whose content no longer matches its hash, whose link to the row before is
 * wrong, or that follows a missing row.
 */
export async function verifyAuditChain(db: DataSource, requestId: string): Promise<ChainVerification> {
  const rows = await db.query<
    Array<{ seq: number; hash: string; prev_hash: string; expected: string; expected_prev: string }>
  >(
    `SELECT seq, hash, prev_hash,
            audit_event_hash(prev_hash, request_id, seq, type, task_id, actor, payload, occurred_at) AS expected,
            coalesce(lag(hash) OVER (ORDER BY seq), '') AS expected_prev
     FROM audit_events WHERE request_id = $1 ORDER BY seq`,
    [requestId],
  );
  const result: ChainVerification = { requestId, length: rows.length, head: rows.at(-1)?.hash ?? null, ok: true };
  for (const [i, row] of rows.entries()) {
    const reason =
      row.seq !== i + 1
        ? 'sequence gap'
        : row.prev_hash !== row.expected_prev
          ? 'link broken'
          : row.hash !== row.expected
            ? 'content changed'
            : undefined;
    if (reason) return { ...result, ok: false, broken: { seq: row.seq, reason } };
  }
  return result;
}

export function toTaskView(t: TaskEntity, candidates: string[]): TaskView {
  return {
    id: t.id,
    requestId: t.requestId,
    elementId: t.elementId,
    name: t.name,
    round: t.round,
    rules: t.rules,
    status: t.status as TaskView['status'],
    candidates,
    dueAt: t.dueAt?.toISOString() ?? null,
    dueProvisional: t.dueProvisional,
    dueBasis: t.dueBasis,
    overdue: t.overdue,
    slackWorkingDays: null,
    decision: t.decision,
    decidedBy: t.decidedBy,
    comment: t.comment,
    returnTo: t.returnTo,
    delegatedTo: t.delegatedTo,
    assignee: t.assignee,
    onBehalfOf: t.onBehalfOf ?? {},
    addedFor: t.addedFor,
    addMode: t.addMode as TaskView['addMode'],
    addedBy: t.addedBy,
    blockedBy: t.blockedBy,
    skipped: t.skipped as TaskView['skipped'],
    openedAt: t.openedAt?.toISOString() ?? null,
    closedAt: t.closedAt?.toISOString() ?? null,
  };
}

/** "B for A": whom the actor acted for (a proxy, or a delegate resolving), as the trail recorded it. */
function onBehalfOf(payload: Record<string, unknown>): string | null {
  const detail = payload.detail as { onBehalfOf?: unknown } | undefined;
  return typeof detail?.onBehalfOf === 'string' ? detail.onBehalfOf : null;
}
