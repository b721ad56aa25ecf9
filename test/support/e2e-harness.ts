// e2e tier: the real thing on loopback. The Temporal dev server (the same launcher `npm start`
// uses), an embedded PostgreSQL, and fabu's API + worker, driven over HTTP.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { type FabuApp, startFabu } from '../../src/app.js';
import { createLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config/config.js';
import { startEmbeddedPostgres } from '../../src/embedded/embedded-postgres.js';
import { workflowsPath } from './paths.js';
import { freePort, startDevServerOnFreePorts } from './ports.js';

export interface E2E {
  url: string;
  /** As the schema owner (a superuser here): what someone with full rights could do. */
  db: pg.Pool;
  /** As the app's own login (fabu_app): what the running service could do. */
  appDb: pg.Pool;
  /** The running app's Nest context, for what only an operator's restart does (deploying a folder). */
  app: FabuApp;
  temporal: Client;
  /**
   * What a separate fabu process needs to join this stack (as `npm run start:worker` reads it):
   * the configuration the app was started with, the app's login and the schema owner's URL.
   */
  processEnv: Record<string, string>;
  /** Calls the API; returns status, headers and parsed body. */
  http(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Headers;
    body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  }>;
  login(username: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the stack; `env` adds configuration (e.g. { CALENDAR_MISSING_YEAR: 'strict' }).
 * `worker: false` starts the API alone: the chains then wait for a worker the test runs itself.
 */
export async function startE2E(env: Record<string, string> = {}, opts: { worker?: boolean } = {}): Promise<E2E> {
  const logger = createLogger(process.env.E2E_LOG_LEVEL ?? 'warn');
  const dataDir = await mkdtemp(join(tmpdir(), 'fabu-e2e-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  await chmod(dataDir, 0o755);
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const temporalServer = await startDevServerOnFreePorts(process.env.TEMPORAL_CLI_PATH!, dataDir, logger);
    stops.push(temporalServer.stop);
    const postgres = await startEmbeddedPostgres({
      databaseDir: join(dataDir, 'postgres'),
      port: await freePort(),
      persistent: false,
      logger,
    });
    stops.push(postgres.stop);

    const configEnv: Record<string, string> = {
      TEMPORAL_ADDRESS: temporalServer.address,
      DATABASE_URL: postgres.url,
      PORT: '0',
      FABU_DATA_DIR: dataDir,
      AUTH_MODE: 'dev',
      AUTH_SIGNING_KEY: randomBytes(32).toString('hex'),
      ...(process.env.CONSOLE_DIR ? { CONSOLE_DIR: process.env.CONSOLE_DIR } : {}),
      ...env,
    };
    const config = loadConfig(configEnv);
    const app: FabuApp = await startFabu({
      config,
      temporalAddress: temporalServer.address,
      databaseUrl: postgres.url,
      migrationUrl: postgres.ownerUrl,
      roles: { api: true, worker: opts.worker ?? true },
      deployProcesses: true,
      seedDemo: true,
      signingKey: config.env.AUTH_SIGNING_KEY,
      workflows: { workflowsPath },
      logger,
    });
    stops.push(() => app.close());

    const db = new pg.Pool({ connectionString: postgres.ownerUrl, max: 2 });
    stops.push(() => db.end());
    const appDb = new pg.Pool({ connectionString: postgres.url, max: 2 });
    stops.push(() => appDb.end());
    const connection = await Connection.connect({ address: temporalServer.address });
    stops.push(() => connection.close());
    const temporal = new Client({ connection, namespace: 'default' });

    const url = app.url!;
    const http: E2E['http'] = async (method, path, opts = {}) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body };
    };
    return {
      url,
      db,
      appDb,
      app,
      temporal,
      processEnv: { ...configEnv, DATABASE_MIGRATION_URL: postgres.ownerUrl },
      http,
      async login(username) {
        const res = await http('POST', '/api/auth/dev-login', { body: { username } });
        if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.token as string;
      },
      async stop() {
        for (const stop of stops.reverse()) await stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}
