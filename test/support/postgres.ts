// A PostgreSQL of a test's own (embedded, in a temp dir, on a free port): the tier that needs only
// the database, not Temporal or the app.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/common/logger.js';
import { type RunningPostgres, startEmbeddedPostgres } from '../../src/embedded/embedded-postgres.js';
import { freePort } from './ports.js';

/** Starts it (owner and app logins as the embedded default has them); `stop` also removes its files. */
export async function startTestPostgres(name: string): Promise<RunningPostgres> {
  const dir = await mkdtemp(join(tmpdir(), `fabu-${name}-`));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  await chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
    logger: createLogger('warn'),
  });
  return {
    ...postgres,
    async stop() {
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
