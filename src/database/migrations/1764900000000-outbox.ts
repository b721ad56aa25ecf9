import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Release channels and a transactional outbox (N7, H7, U2). A `publish` service task writes one
 * `releases` row per channel and its `outbox` row in one transaction; the worker's dispatcher
 * delivers the outbox rows (at least once, each with its idempotency key) to a local channel
 * (`channel_posts`: what the government's own account published) or to a signed webhook.
 * `position` orders a release's channels: N7 publishes on the government's own channel first.
 */
export class Outbox1764900000000 implements MigrationInterface {
  name = 'Outbox1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE channels (
        key text PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
        name text NOT NULL,
        city text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('local', 'webhook')),
        url text,
        secret text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- coalesce: a CHECK that comes out NULL passes, and a webhook without url or secret must not.
        CHECK (kind = 'local' OR (coalesce(url ~ '^https?://', false) AND coalesce(length(secret), 0) >= 16))
      );
      INSERT INTO channels (key, name, city, kind) VALUES
        ('ningbo-fabu', '宁波发布（政务微博、微信）', 'ningbo', 'local'),
        ('ningbo-gov-site', '宁波市人民政府网站', 'ningbo', 'local'),
        ('huludao-gov-weibo', '葫芦岛发布（政务微博）', 'huludao', 'local'),
        ('huludao-gov-site', '葫芦岛市人民政府网站', 'huludao', 'local'),
        ('huainan-gov-site', '淮南市人民政府网站', 'huainan', 'local'),
        ('huainan-gov-weibo', '淮南发布（政务微博）', 'huainan', 'local'),
        ('liuzhou-gov-weibo', '柳州发布（政务微博）', 'liuzhou', 'local'),
        ('liuzhou-gov-site', '柳州市人民政府网站', 'liuzhou', 'local');

      CREATE TABLE releases (
        id bigserial PRIMARY KEY,
        release_key text NOT NULL,
        request_id text NOT NULL,
        element_id text NOT NULL,
        channel text NOT NULL REFERENCES channels (key),
        position int NOT NULL CHECK (position >= 0),
        title text NOT NULL,
        body text NOT NULL,
        attachments jsonb NOT NULL DEFAULT '{}',
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (release_key, position)
      );
      CREATE INDEX releases_request ON releases (request_id, id);

      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        release_key text NOT NULL,
        position int NOT NULL,
        channel text NOT NULL REFERENCES channels (key),
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      );
      -- What the dispatcher claims: due pending rows, soonest first; a partial index stays small.
      CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
      -- A row waits for its release's earlier channels (N7): looked up by release and position.
      CREATE INDEX outbox_release ON outbox (release_key, position);

      CREATE TABLE channel_posts (
        id bigserial PRIMARY KEY,
        channel text NOT NULL REFERENCES channels (key),
        idempotency_key text NOT NULL UNIQUE,
        payload jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX channel_posts_channel ON channel_posts (channel, id);

      -- Granted here, not only by AppRole1764400000000's default privileges: those cover tables
      -- created by the role that ran it, and a DBA may run later migrations as another owner.
      -- A release and a post are records of what was published: the app adds them, never rewrites them.
      GRANT SELECT, INSERT, UPDATE ON channels, outbox TO fabu_runtime;
      GRANT SELECT, INSERT ON releases, channel_posts TO fabu_runtime;
      REVOKE UPDATE, DELETE, TRUNCATE ON releases, channel_posts FROM fabu_runtime;
      REVOKE DELETE, TRUNCATE ON channels, outbox FROM fabu_runtime;
      GRANT USAGE, SELECT ON SEQUENCE releases_id_seq, outbox_id_seq, channel_posts_id_seq TO fabu_runtime;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE channel_posts, outbox, releases, channels');
  }
}
