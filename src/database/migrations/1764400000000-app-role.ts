import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The role the running app works under, `fabu_runtime` (no login; a login role is granted it): it
 * reads and writes the read model, and may only read and append to the audit trail. It owns
 * nothing, so it cannot disable the trail's triggers or drop them, and it cannot mark migrations
 * as applied. Migrations run as the schema's owner (DATABASE_MIGRATION_URL). The role is created
 * here unless it exists already (a DBA may create it beforehand, then no CREATEROLE is needed).
 */
export class AppRole1764400000000 implements MigrationInterface {
  name = 'AppRole1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fabu_runtime') THEN
          CREATE ROLE fabu_runtime NOLOGIN;
        END IF;
      END $$;
      GRANT USAGE ON SCHEMA public TO fabu_runtime;
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fabu_runtime;
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO fabu_runtime;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO fabu_runtime;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO fabu_runtime;
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM fabu_runtime;
      REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON migrations FROM fabu_runtime;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM fabu_runtime;
      ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM fabu_runtime;
      REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM fabu_runtime;
      REVOKE ALL ON ALL TABLES IN SCHEMA public FROM fabu_runtime;
      REVOKE USAGE ON SCHEMA public FROM fabu_runtime;
    `);
  }
}
