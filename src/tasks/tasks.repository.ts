import { Injectable } from '@nestjs/common';
import { DataSource, In, type SelectQueryBuilder } from 'typeorm';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import { RequestEntity } from '../requests/request.entity.js';
import { toTaskView } from '../requests/requests.repository.js';
import { TaskCandidateEntity, TaskEntity } from './task.entity.js';
import type { InboxItem } from './tasks.schemas.js';

export interface InboxFilters {
  processKey?: string;
  orgCode?: string;
  dueBefore?: string;
  overdue?: boolean;
  provisional?: boolean;
}

const FAR_FUTURE = '9999-12-31T00:00:00Z';

// Mine: the open tasks I am a candidate of, in inbox order straight from task_candidates_inbox
// (its task_open and inbox_due are the task's status = 'open' and coalesce(due_at, far future),
// kept so by triggers), and the open ones delegated to me (委派) that I am not a candidate of.
// Each branch is ordered, so the two merge and a page stops after `limit + 1` rows.
const MINE = `(
    (SELECT c.task_id, c.inbox_due FROM task_candidates c
      WHERE c.username = :username AND c.task_open
      ORDER BY c.inbox_due, c.task_id)
    UNION ALL
    (SELECT d.id, coalesce(d.due_at, '${FAR_FUTURE}'::timestamptz) FROM tasks d
      WHERE d.delegated_to = :username AND d.status = 'open'
        AND NOT EXISTS (SELECT 1 FROM task_candidates x WHERE x.task_id = d.id AND x.username = :username)
      ORDER BY 2, 1))`;

@Injectable()
export class TasksRepository {
  constructor(private readonly db: DataSource) {}

  /** A user's open tasks (as a candidate or delegate), soonest due first, keyset-paginated. */
  async inbox(
    username: string,
    limit: number,
    cursor?: string,
    filters: InboxFilters = {},
  ): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const q = this.db
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .innerJoin(MINE, 'm', 'm.task_id = t.id', { username })
      // A task another candidate claimed leaves the others' inboxes until it is unclaimed.
      .where('(t.assignee IS NULL OR t.assignee = :username OR t.delegated_to = :username)', { username })
      // = coalesce(t.due_at, far future), t.id
      .orderBy('m.inbox_due')
      .addOrderBy('m.task_id')
      .limit(limit + 1);
    applyFilters(q, filters);
    if (after) {
      q.andWhere('(m.inbox_due, m.task_id) > (:d::timestamptz, :i)', {
        d: after.d ?? FAR_FUTURE,
        i: after.i,
      });
    }
    const entities = await q.getMany();
    const page = entities.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      entities.length > limit && last ? encodeCursor({ d: last.dueAt?.toISOString() ?? null, i: last.id }) : null;
    return { items: await this.items(page), nextCursor };
  }

  /**
   * The 待办 and 已办 counts, and a digest of the open tasks that changes whenever one arrives,
   * leaves or is claimed: the console polls this cheap query and reloads its list only on a change.
   */
  async summary(username: string): Promise<{ open: number; overdue: number; done: number; digest: string }> {
    const [row] = await this.db.query<Array<{ open: number; overdue: number; done: number; digest: string }>>(
      `SELECT count(*)::int AS open,
              (count(*) FILTER (WHERE t.overdue))::int AS overdue,
              (SELECT count(*) FROM tasks d WHERE d.decided_by = $1)::int AS done,
              coalesce(md5(string_agg(concat_ws(':', t.id, t.assignee, t.delegated_to, t.due_at), ',' ORDER BY t.id)), '') AS digest
         FROM tasks t JOIN ${MINE.replaceAll(':username', '$1')} m ON m.task_id = t.id
        WHERE t.assignee IS NULL OR t.assignee = $1 OR t.delegated_to = $1`,
      [username],
    );
    return row!;
  }

  /** 已办: the tasks a user decided (approved, rejected or returned), the latest first, keyset-paginated. */
  async done(
    username: string,
    limit: number,
    cursor?: string,
    filters: InboxFilters = {},
  ): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const q = this.db
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .where('t.decided_by = :username', { username })
      .orderBy('t.closed_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(limit + 1);
    applyFilters(q, filters);
    if (after?.d) q.andWhere('(t.closed_at, t.id) < (:d::timestamptz, :i)', { d: after.d, i: after.i });
    const entities = await q.getMany();
    const page = entities.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      entities.length > limit && last?.closedAt ? encodeCursor({ d: last.closedAt.toISOString(), i: last.id }) : null;
    return { items: await this.items(page), nextCursor };
  }

  /** Inbox items: the tasks with their candidates and a summary of their request. */
  private async items(page: TaskEntity[]): Promise<InboxItem[]> {
    const candidates = await this.candidatesOf(page.map((t) => t.id));
    const requests = new Map(
      (await this.db.getRepository(RequestEntity).findBy({ id: In([...new Set(page.map((t) => t.requestId))]) })).map(
        (r) => [r.id, r],
      ),
    );
    return page.map((t) => {
      const r = requests.get(t.requestId)!;
      return {
        ...toTaskView(t, candidates.get(t.id) ?? []),
        request: { title: r.title, orgCode: r.orgCode, processKey: r.processKey, conferenceDate: r.conferenceDate },
      };
    });
  }

  /** Running requests with a deadline counted through a year not loaded: an open task's, or a timer's. */
  async requestsWithProvisionalDeadlines(): Promise<string[]> {
    const rows = await this.db.query<Array<{ request_id: string }>>(
      `SELECT request_id FROM tasks WHERE status = 'open' AND due_provisional
       UNION
       SELECT id AS request_id FROM requests WHERE status = 'running' AND timers_provisional
       ORDER BY request_id`,
    );
    return rows.map((r) => r.request_id);
  }

  async find(id: string): Promise<TaskEntity | null> {
    return this.db.getRepository(TaskEntity).findOneBy({ id });
  }

  async candidatesOf(taskIds: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (taskIds.length === 0) return map;
    const rows = await this.db
      .getRepository(TaskCandidateEntity)
      .createQueryBuilder('c')
      .where('c.task_id IN (:...taskIds)', { taskIds })
      .orderBy('c.username')
      .getMany();
    for (const r of rows) map.set(r.taskId, [...(map.get(r.taskId) ?? []), r.username]);
    return map;
  }
}

/** The inbox's filters, on a query of tasks `t`. */
function applyFilters(q: SelectQueryBuilder<TaskEntity>, filters: InboxFilters): void {
  if (filters.processKey || filters.orgCode) {
    q.innerJoin(RequestEntity, 'r', 'r.id = t.request_id');
    if (filters.processKey) q.andWhere('r.process_key = :processKey', { processKey: filters.processKey });
    if (filters.orgCode) q.andWhere('r.org_code = :orgCode', { orgCode: filters.orgCode });
  }
  if (filters.dueBefore) q.andWhere('t.due_at < :dueBefore::timestamptz', { dueBefore: filters.dueBefore });
  if (filters.overdue !== undefined) q.andWhere('t.overdue = :overdue', { overdue: filters.overdue });
  if (filters.provisional !== undefined) {
    q.andWhere('t.due_provisional = :provisional', { provisional: filters.provisional });
  }
}
