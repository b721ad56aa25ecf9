// The embedded default as `npm start` runs it (Temporal dev server, embedded PostgreSQL, API and
// worker in one node process), started by the bench and the soak on free ports in a data dir of
// their own, so they never meet a developer's running stack or each other.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../scripts/temporal-tools.mjs';
import { freePort } from '../../test/support/ports.js';

export const ROOT = projectRoot();
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

/**
 * The built app must be there (the bench runs it as `npm start` does). `npm run bench` builds it
 * first; building from here would delete dist/bench, the running benchmark included.
 */
export function ensureBuilt(log: (line: string) => void): void {
  if (existsSync(MAIN) && existsSync(join(ROOT, 'dist', 'workflow-bundle.js'))) return;
  log('dist/ is missing');
  throw new Error('the app is not built: run the benchmark with npm run bench / npm run soak, which build it first');
}

/** A fresh folder for FABU_DATA_DIR (PostgreSQL, running as `postgres` under root, must enter it). */
export async function tempDataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export interface FabuProcess {
  url: string;
  temporalAddress: string;
  /** The embedded PostgreSQL as the app's own login (see src/embedded/embedded-postgres.ts). */
  databaseUrl: string;
  /** Spawn → GET /health answered 200 with status ok (ms). */
  startMs: number;
  /** performance.now() of this process when the child was spawned. */
  spawnedAt: number;
  logFile: string;
  child: ChildProcess;
  /** SIGINT (what Ctrl-C sends), as `npm start` is stopped; SIGKILL after 60 s. */
  stop(): Promise<void>;
}

/**
 * Spawns `node dist/src/main.js` with the given data dir and free ports and waits until GET /health
 * is ok. The dev server also binds ports it picks itself: if the process exits before it is
 * healthy, the start is tried again on other ports (twice at most).
 */
export async function startEmbeddedDefault(o: {
  dataDir: string;
  env?: Record<string, string>;
  /** Options for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<FabuProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o, attempt);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof EarlyExit)) throw err;
    }
  }
}

class EarlyExit extends Error {}

async function startOnce(
  o: { dataDir: string; env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number },
  attempt: number,
): Promise<FabuProcess> {
  const [port, temporalPort, uiPort, pgPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  await mkdir(o.dataDir, { recursive: true });
  // Beside the data dir, not in it: the data dir stays as the app left it.
  const logFile = `${o.dataDir}.fabu-${attempt}.log`;
  const log = createWriteStream(logFile, { flags: 'a' });
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The embedded default: nothing pointing elsewhere.
  for (const key of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'DATABASE_MIGRATION_URL', 'SEED_DEMO']) delete env[key];
  Object.assign(env, {
    FABU_DATA_DIR: o.dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    EMBEDDED_PG_PORT: String(pgPort),
    AUTH_MODE: 'dev',
    LOG_LEVEL: 'warn',
    ...o.env,
  });
  const started = performance.now();
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), MAIN], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // If the bench dies, its stack goes too (main.js stops its servers on SIGINT).
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = started + (o.timeoutMs ?? 180_000);
  for (;;) {
    const early = await Promise.race([exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 50))]);
    if (early !== 'alive') {
      process.off('exit', killOnExit);
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).slice(-3000);
      throw new EarlyExit(`fabu (${MAIN}) exited with ${early} before it was healthy:\n${tail}`);
    }
    if (await healthy(url)) break;
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`fabu was not healthy on ${url} within ${o.timeoutMs ?? 180_000} ms; log: ${logFile}`);
    }
  }
  return {
    url,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    databaseUrl: `postgres://fabu_app:fabu_app@127.0.0.1:${pgPort}/fabu`,
    startMs: performance.now() - started,
    spawnedAt: started,
    logFile,
    child,
    stop,
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    if (res.status !== 200) return false;
    return ((await res.json()) as { status?: string }).status === 'ok';
  } catch {
    return false;
  }
}
