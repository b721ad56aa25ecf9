import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The BPMN engine's additions to the read model: a request's variables (what gateway conditions
 * read, plus what messages and service tasks added), its round (one more after each 退回), and
 * whether a pending timer was counted through a year not loaded (re-planned when it is).
 */
export class Engine1764200000000 implements MigrationInterface {
  name = 'Engine1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE requests ADD COLUMN variables jsonb NOT NULL DEFAULT '{}'::jsonb;
      ALTER TABLE requests ADD COLUMN round int NOT NULL DEFAULT 1;
      ALTER TABLE requests ADD COLUMN timers_provisional boolean NOT NULL DEFAULT false;
      ALTER TABLE requests ADD COLUMN cc text[] NOT NULL DEFAULT '{}';
      ALTER TABLE tasks ADD COLUMN return_to text NULL;
      ALTER TABLE tasks ADD COLUMN delegated_to text NULL;
      ALTER TABLE tasks ADD COLUMN assignee text NULL;
      CREATE INDEX tasks_delegated_to_open ON tasks (delegated_to) WHERE status = 'open' AND delegated_to IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX tasks_delegated_to_open;
      ALTER TABLE tasks DROP COLUMN assignee;
      ALTER TABLE tasks DROP COLUMN delegated_to;
      ALTER TABLE tasks DROP COLUMN return_to;
      ALTER TABLE requests DROP COLUMN cc;
      ALTER TABLE requests DROP COLUMN timers_provisional;
      ALTER TABLE requests DROP COLUMN round;
      ALTER TABLE requests DROP COLUMN variables;
    `);
  }
}
