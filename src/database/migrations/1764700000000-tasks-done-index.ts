import type { MigrationInterface, QueryRunner } from 'typeorm';

/** 已办: the tasks a user decided, latest first (GET /api/tasks?status=done). */
export class TasksDoneIndex1764700000000 implements MigrationInterface {
  name = 'TasksDoneIndex1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX tasks_decided_by_closed ON tasks (decided_by, closed_at DESC, id DESC) WHERE decided_by IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tasks_decided_by_closed');
  }
}
