import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a task closed without anyone's decision: a role policy passed it, or its due time was missed (L2). */
export class TaskSkipped1764600000000 implements MigrationInterface {
  name = 'TaskSkipped1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN skipped text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN skipped`);
  }
}
