import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cover while away: a user's tasks opening in a period go to their proxy (optionally per chain),
 * and the task remembers whom the proxy stands in for. 加签: a task added to another one's sign-off.
 */
export class ProxiesSigners1764410000000 implements MigrationInterface {
  name = 'ProxiesSigners1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE proxies (
        id bigserial PRIMARY KEY,
        principal text NOT NULL REFERENCES users (username),
        proxy text NOT NULL REFERENCES users (username),
        process_key text,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        reason text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK (principal <> proxy),
        CHECK (ends_at > starts_at)
      );
      CREATE INDEX proxies_principal_period ON proxies (principal, starts_at, ends_at) WHERE revoked_at IS NULL;
      CREATE INDEX proxies_proxy ON proxies (proxy) WHERE revoked_at IS NULL;
      ALTER TABLE tasks ADD COLUMN on_behalf_of jsonb, ADD COLUMN added_for text, ADD COLUMN add_mode text,
        ADD COLUMN added_by text, ADD COLUMN blocked_by text;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tasks DROP COLUMN on_behalf_of, DROP COLUMN added_for, DROP COLUMN add_mode, DROP COLUMN added_by,
        DROP COLUMN blocked_by;
      DROP TABLE proxies;
    `);
  }
}
