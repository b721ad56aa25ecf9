import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first schema: directory, deployed processes, the request/task read model and the audit trail. */
export class Init1764000000000 implements MigrationInterface {
  name = 'Init1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orgs (
        code text PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL,
        city text NOT NULL,
        parent_code text NULL REFERENCES orgs(code)
      );
      CREATE TABLE users (
        username text PRIMARY KEY,
        display_name text NOT NULL,
        org_code text NOT NULL REFERENCES orgs(code),
        is_admin boolean NOT NULL DEFAULT false
      );
      CREATE TABLE user_positions (
        username text NOT NULL REFERENCES users(username) ON DELETE CASCADE,
        position text NOT NULL,
        org_code text NOT NULL REFERENCES orgs(code),
        PRIMARY KEY (username, position, org_code)
      );
      CREATE INDEX user_positions_position_org ON user_positions (position, org_code);

      CREATE TABLE process_definitions (
        key text NOT NULL,
        version int NOT NULL,
        name text NOT NULL,
        code text NOT NULL,
        hash text NOT NULL,
        bpmn_xml text NOT NULL,
        ir jsonb NOT NULL,
        source text NULL,
        deployed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (key, version),
        UNIQUE (key, hash)
      );

      CREATE TABLE request_counters (
        prefix text NOT NULL,
        year int NOT NULL,
        last int NOT NULL,
        PRIMARY KEY (prefix, year)
      );

      CREATE TABLE requests (
        id text PRIMARY KEY,
        process_key text NOT NULL,
        process_version int NOT NULL,
        title text NOT NULL,
        org_code text NOT NULL,
        conference_date date NULL,
        materials jsonb NOT NULL,
        major boolean NOT NULL,
        initiator text NOT NULL,
        status text NOT NULL,
        stage text NOT NULL,
        outcome text NULL,
        seq int NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        completed_at timestamptz NULL,
        FOREIGN KEY (process_key, process_version) REFERENCES process_definitions(key, version)
      );
      CREATE INDEX requests_org_created ON requests (org_code, created_at);

      CREATE TABLE idempotency_keys (
        principal text NOT NULL,
        key text NOT NULL,
        body_hash text NOT NULL,
        request_id text NOT NULL,
        -- What was started, so a repeat after a crash can finish the start with the same workflow id.
        start_input jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (principal, key)
      );

      CREATE TABLE tasks (
        id text PRIMARY KEY,
        request_id text NOT NULL REFERENCES requests(id),
        element_id text NOT NULL,
        name text NOT NULL,
        round int NOT NULL,
        rules jsonb NOT NULL,
        status text NOT NULL,
        due_at timestamptz NULL,
        due_provisional boolean NOT NULL,
        due_basis text NULL,
        overdue boolean NOT NULL,
        decision text NULL,
        decided_by text NULL,
        comment text NULL,
        opened_at timestamptz NULL,
        closed_at timestamptz NULL,
        seq int NOT NULL
      );
      CREATE INDEX tasks_request ON tasks (request_id);
      CREATE TABLE task_candidates (
        task_id text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        username text NOT NULL,
        PRIMARY KEY (task_id, username)
      );
      -- The inbox: a user's candidate tasks, then open ones by due time.
      CREATE INDEX task_candidates_username ON task_candidates (username, task_id);
      CREATE INDEX tasks_open_due ON tasks (due_at, id) WHERE status = 'open';

      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        event_key text NOT NULL UNIQUE,
        request_id text NOT NULL,
        seq int NOT NULL,
        type text NOT NULL,
        task_id text NULL,
        actor text NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_events_request_seq ON audit_events (request_id, seq);
      -- Append-only: rows are never rewritten (a tamper-evident chain comes with the audit issue).
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
      CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_events;
      DROP FUNCTION audit_events_append_only();
      DROP TABLE task_candidates;
      DROP TABLE tasks;
      DROP TABLE idempotency_keys;
      DROP TABLE requests;
      DROP TABLE request_counters;
      DROP TABLE process_definitions;
      DROP TABLE user_positions;
      DROP TABLE users;
      DROP TABLE orgs;
    `);
  }
}
