import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A hash chain over each request's audit trail: every row stores the hash of the row before it
 * (`prev_hash`) and its own (`hash`, SHA-256 over prev_hash and the row's content, computed by
 * `audit_event_hash` so the insert and the verification use one definition). A changed, removed
 * or inserted row breaks the chain at that point. Rows written before the chain are hashed here.
 * Beside the row trigger (UPDATE, DELETE), TRUNCATE is refused too, and the privileges to change
 * rows are revoked: a role that is not a superuser cannot alter the trail at all.
 */
export class AuditChain1764300000000 implements MigrationInterface {
  name = 'AuditChain1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_event_hash(prev text, request_id text, seq int, type text, task_id text, actor text,
                                       payload jsonb, occurred_at timestamptz) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
          SELECT encode(sha256(convert_to(concat_ws(E'\\x1f', prev, request_id, seq::text, type, coalesce(task_id, ''),
            coalesce(actor, ''), payload::text, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
            'UTF8')), 'hex') $$;
      ALTER TABLE audit_events ADD COLUMN prev_hash text NOT NULL DEFAULT '';
      ALTER TABLE audit_events ADD COLUMN hash text NOT NULL DEFAULT '';
      ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change;
      DO $$
        DECLARE r record; last_request text := NULL; prev text := '';
        BEGIN
          FOR r IN SELECT id, request_id, seq, type, task_id, actor, payload, occurred_at
                   FROM audit_events ORDER BY request_id, seq LOOP
            IF last_request IS DISTINCT FROM r.request_id THEN prev := ''; last_request := r.request_id; END IF;
            UPDATE audit_events SET prev_hash = prev,
              hash = audit_event_hash(prev, r.request_id, r.seq, r.type, r.task_id, r.actor, r.payload, r.occurred_at)
              WHERE id = r.id RETURNING hash INTO prev;
          END LOOP;
        END $$;
      ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change;
      ALTER TABLE audit_events ALTER COLUMN prev_hash DROP DEFAULT;
      ALTER TABLE audit_events ALTER COLUMN hash DROP DEFAULT;
      CREATE UNIQUE INDEX audit_events_request_seq_unique ON audit_events (request_id, seq);
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC;
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM CURRENT_USER;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO CURRENT_USER;
      DROP TRIGGER audit_events_no_truncate ON audit_events;
      DROP INDEX audit_events_request_seq_unique;
      ALTER TABLE audit_events DROP COLUMN hash;
      ALTER TABLE audit_events DROP COLUMN prev_hash;
      DROP FUNCTION audit_event_hash(text, text, int, text, text, text, jsonb, timestamptz);
    `);
  }
}
