import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox, "open tasks of mine by due", answered from one index whatever the number of tasks:
 * each candidate row carries whether its task is open (`task_open`) and, for an open task, its
 * sort key (`inbox_due` = coalesce(due_at, far future)); `task_candidates_inbox` orders a user's
 * open rows by it. Triggers keep both columns equal to the task's, in the same transaction: a
 * candidate row takes them from its task whenever it is written, and a task's change of status or
 * due time is copied to its candidate rows. Before, a user's open tasks had to be picked out of all
 * their tasks (open or not) or out of all open tasks (anyone's), and then sorted.
 */
export class InboxIndexes1764500000000 implements MigrationInterface {
  name = 'InboxIndexes1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE task_candidates ADD COLUMN task_open boolean NOT NULL DEFAULT false;
      ALTER TABLE task_candidates ADD COLUMN inbox_due timestamptz NOT NULL DEFAULT '9999-12-31T00:00:00Z';
      UPDATE task_candidates c SET task_open = true, inbox_due = coalesce(t.due_at, '9999-12-31T00:00:00Z')
        FROM tasks t WHERE t.id = c.task_id AND t.status = 'open';
      CREATE INDEX task_candidates_inbox ON task_candidates (username, inbox_due, task_id) WHERE task_open;

      CREATE FUNCTION task_candidates_inbox_fill() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE task_status text; task_due timestamptz;
        BEGIN
          SELECT status, due_at INTO task_status, task_due FROM tasks WHERE id = NEW.task_id;
          NEW.task_open := coalesce(task_status = 'open', false);
          NEW.inbox_due := coalesce(task_due, '9999-12-31T00:00:00Z');
          RETURN NEW;
        END $$;
      CREATE TRIGGER task_candidates_inbox_fill BEFORE INSERT OR UPDATE ON task_candidates
        FOR EACH ROW EXECUTE FUNCTION task_candidates_inbox_fill();

      CREATE FUNCTION tasks_inbox_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE task_candidates
            SET task_open = NEW.status = 'open', inbox_due = coalesce(NEW.due_at, '9999-12-31T00:00:00Z')
            WHERE task_id = NEW.id;
          RETURN NULL;
        END $$;
      CREATE TRIGGER tasks_inbox_sync AFTER UPDATE OF status, due_at ON tasks
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.due_at IS DISTINCT FROM NEW.due_at)
        EXECUTE FUNCTION tasks_inbox_sync();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER tasks_inbox_sync ON tasks;
      DROP FUNCTION tasks_inbox_sync();
      DROP TRIGGER task_candidates_inbox_fill ON task_candidates;
      DROP FUNCTION task_candidates_inbox_fill();
      DROP INDEX task_candidates_inbox;
      ALTER TABLE task_candidates DROP COLUMN inbox_due;
      ALTER TABLE task_candidates DROP COLUMN task_open;
    `);
  }
}
