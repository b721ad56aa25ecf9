// The read model on a real PostgreSQL: migrations are safe to run from several processes at once,
// projections are idempotent and ordered, the audit trail is append-only, deploys are versioned.
import { readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import type { ProjectionBatch } from '../../activities/projection.js';
import { MIGRATIONS, dataSourceOptions, migrate } from '../../src/database/data-source.js';
import type { RunningPostgres } from '../../src/embedded/embedded-postgres.js';
import { compileBpmn } from '../../src/processes/compiler.js';
import { ProcessDefinitionsRepository } from '../../src/processes/process-definitions.repository.js';
import { ReadModelRepository } from '../../src/projection/read-model.repository.js';
import type { TaskState } from '../../workflows/approval-machine.js';
import { startTestPostgres } from '../support/postgres.js';

let postgres: RunningPostgres;
let db: DataSource;
let xml: string;

beforeAll(async () => {
  postgres = await startTestPostgres('read-model');
  db = await new DataSource(dataSourceOptions(postgres.ownerUrl)).initialize();
  xml = await readFile('processes/huludao-government-conference.bpmn', 'utf8');
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  await postgres?.stop();
});

const count = async (sql: string, params: unknown[] = []) =>
  ((await db.query(sql, params)) as Array<{ n: number }>)[0]!.n;

describe('read model', () => {
  it('migrates once when several processes start at the same time', async () => {
    const others = await Promise.all(
      [1, 2].map(() => new DataSource(dataSourceOptions(postgres.ownerUrl)).initialize()),
    );
    const applied = await Promise.all([migrate(db), ...others.map((o) => migrate(o))]);
    await Promise.all(others.map((o) => o.destroy()));
    expect(applied.flat()).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
  });

  it('deploys a chain once per distinct file, as numbered versions', async () => {
    const repo = new ProcessDefinitionsRepository(db);
    const ir = await compileBpmn(xml);
    expect(await repo.deploy(xml, ir, 'a.bpmn')).toEqual({ key: ir.key, version: 1, created: true });
    expect(await repo.deploy(xml, ir, 'a.bpmn')).toEqual({ key: ir.key, version: 1, created: false });
    const changed = xml.replace('fabu:due="P2WD"', 'fabu:due="P3WD"');
    expect(await repo.deploy(changed, await compileBpmn(changed), 'a.bpmn')).toMatchObject({
      version: 2,
      created: true,
    });
    expect((await repo.latest(ir.key))?.version).toBe(2);
  });

  describe(ReadModelRepository.name, () => {
    const requestId = 'H3-2026-0101';
    const task = (elementId: string, patch: Partial<TaskState>): TaskState => ({
      taskId: `${requestId}.${elementId}.1`,
      elementId,
      name: elementId,
      rules: ['H3'],
      round: 1,
      status: 'open',
      candidates: ['sunli'],
      dueProvisional: false,
      overdue: false,
      openedAt: '2026-11-02T01:00:00.000Z',
      ...patch,
    });
    const batch = (
      seq: number,
      stage: string,
      tasks: TaskState[],
      events: ProjectionBatch['events'],
    ): ProjectionBatch => ({
      requestId,
      seq,
      request: {
        processKey: 'huludao-government-conference',
        processVersion: 1,
        title: '发布会',
        orgCode: 'hld-edu',
        conferenceDate: '2026-12-18',
        materials: ['发布稿'],
        major: false,
        initiator: 'sunli',
        status: 'running',
        stage,
        createdAt: '2026-11-02T01:00:00.000Z',
      },
      tasks,
      events,
    });
    const first = batch(
      1,
      'draft',
      [task('draft', {})],
      [
        { seq: 1, at: '2026-11-02T01:00:00.000Z', type: 'request.submitted', actor: 'sunli' },
        { seq: 2, at: '2026-11-02T01:00:00.000Z', type: 'task.opened', taskId: `${requestId}.draft.1` },
      ],
    );
    const second = batch(
      2,
      'guidance',
      [
        task('draft', {
          status: 'completed',
          decision: 'approve',
          decidedBy: 'sunli',
          closedAt: '2026-11-02T02:00:00.000Z',
        }),
        task('guidance', { candidates: ['wangfang'], dueAt: '2026-11-04T10:00:00.000Z' }),
      ],
      [
        {
          seq: 3,
          at: '2026-11-02T02:00:00.000Z',
          type: 'task.decided',
          taskId: `${requestId}.draft.1`,
          actor: 'sunli',
        },
        { seq: 4, at: '2026-11-02T02:00:00.000Z', type: 'task.opened', taskId: `${requestId}.guidance.1` },
      ],
    );

    it('writes nothing twice when the same batch is applied again (a retried activity)', async () => {
      const repo = new ReadModelRepository(db);
      await repo.apply(first);
      await repo.apply(first);
      expect(await count('SELECT count(*)::int AS n FROM requests WHERE id = $1', [requestId])).toBe(1);
      expect(await count('SELECT count(*)::int AS n FROM tasks WHERE request_id = $1', [requestId])).toBe(1);
      expect(await count('SELECT count(*)::int AS n FROM task_candidates')).toBe(1);
      expect(await count('SELECT count(*)::int AS n FROM audit_events WHERE request_id = $1', [requestId])).toBe(2);
    });

    it('never lets an older batch overwrite a newer one when it arrives late', async () => {
      const repo = new ReadModelRepository(db);
      await repo.apply(second);
      await repo.apply(first);
      const [request] = await db.query('SELECT stage, seq FROM requests WHERE id = $1', [requestId]);
      expect(request).toEqual({ stage: 'guidance', seq: 2 });
      const tasks = await db.query('SELECT element_id, status, decided_by FROM tasks ORDER BY element_id');
      expect(tasks).toEqual([
        { element_id: 'draft', status: 'completed', decided_by: 'sunli' },
        { element_id: 'guidance', status: 'open', decided_by: null },
      ]);
      const audit = await db.query('SELECT seq FROM audit_events WHERE request_id = $1 ORDER BY seq', [requestId]);
      expect(audit.map((a: { seq: number }) => a.seq)).toEqual([1, 2, 3, 4]);
    });

    it('follows a task to its newest candidates and chains every audit row to the one before it', async () => {
      const repo = new ReadModelRepository(db);
      const guidanceId = `${requestId}.guidance.1`;
      await repo.apply({
        ...batch(
          3,
          'guidance',
          [task('guidance', { candidates: ['zhaohua', 'chenming'], dueAt: '2026-11-05T10:00:00.000Z' })],
          [
            {
              seq: 5,
              at: '2026-11-02T03:00:00.000Z',
              type: 'task.transferred',
              taskId: guidanceId,
              actor: 'wangfang',
              detail: { to: ['zhaohua', 'chenming'] },
            },
          ],
        ),
      });
      const candidates = await db.query(
        'SELECT username, task_open, inbox_due FROM task_candidates WHERE task_id = $1 ORDER BY username',
        [guidanceId],
      );
      expect(candidates).toEqual([
        { username: 'chenming', task_open: true, inbox_due: new Date('2026-11-05T10:00:00.000Z') },
        { username: 'zhaohua', task_open: true, inbox_due: new Date('2026-11-05T10:00:00.000Z') },
      ]);
      const rows: Array<{ seq: number; payload: unknown; prev_hash: string; hash: string; recomputed: string }> =
        await db.query(
          `SELECT seq, payload, prev_hash, hash,
                  audit_event_hash(prev_hash, request_id, seq, type, task_id, actor, payload, occurred_at) AS recomputed
           FROM audit_events WHERE request_id = $1 ORDER BY seq`,
          [requestId],
        );
      expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      // The payload is the entry without its own columns.
      expect(rows[4]!.payload).toEqual({ detail: { to: ['zhaohua', 'chenming'] } });
      rows.forEach((row, i) => {
        expect(row.hash).toBe(row.recomputed);
        expect(row.prev_hash).toBe(i === 0 ? '' : rows[i - 1]!.hash);
      });
    });

    it('refuses to change or delete an audit event', async () => {
      await expect(db.query(`UPDATE audit_events SET actor = 'someone-else'`)).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
      expect(await count('SELECT count(*)::int AS n FROM audit_events')).toBe(5);
    });
  });
});
