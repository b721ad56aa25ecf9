// `npm start`: the embedded default. Starts the Temporal dev server and an embedded PostgreSQL
// (unless TEMPORAL_ADDRESS / DATABASE_URL point elsewhere), then the API and the worker in this
// process. Ctrl-C stops everything it started.
import { join } from 'node:path';
import { ensureTemporalTools } from '../scripts/temporal-tools.mjs';
import { startFabu } from './app.js';
import { createLogger } from './common/logger.js';
import { loadConfig } from './config/config.js';
import { DEMO_DIRECTORY } from './directory/demo-directory.js';
import { startEmbeddedPostgres } from './embedded/embedded-postgres.js';
import { startTemporalDevServer } from './embedded/temporal-dev-server.js';
import { defaultWorkflows, devSigningKey, onShutdownSignal } from './settings.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const { env } = config;
  const logger = createLogger(env.LOG_LEVEL);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
  };
  onShutdownSignal(logger, stopAll);

  try {
    let temporalAddress = env.TEMPORAL_ADDRESS;
    let uiUrl: string | undefined;
    if (!temporalAddress) {
      const { cli } = ensureTemporalTools({ kinds: ['cli'], log: (line) => logger.info(line) });
      const server = await startTemporalDevServer({
        cliPath: cli!,
        dataDir: config.dataDir,
        port: env.TEMPORAL_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        namespace: env.TEMPORAL_NAMESPACE,
        logger,
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }
    let databaseUrl = env.DATABASE_URL;
    let migrationUrl = env.DATABASE_MIGRATION_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({
        databaseDir: join(config.dataDir, 'postgres'),
        port: env.EMBEDDED_PG_PORT,
        persistent: true,
        logger,
      });
      stops.push(pg.stop);
      databaseUrl = pg.url;
      migrationUrl = pg.ownerUrl;
    }
    const seedDemo = env.SEED_DEMO ?? (config.embedded.temporal || config.embedded.postgres);
    const app = await startFabu({
      config,
      temporalAddress,
      databaseUrl,
      migrationUrl,
      roles: { api: true, worker: true },
      deployProcesses: true,
      seedDemo,
      signingKey: await devSigningKey(config),
      workflows: defaultWorkflows(),
      logger,
    });
    stops.push(() => app.close());
    printWelcome({
      apiUrl: app.url!,
      uiUrl,
      temporalAddress,
      databaseUrl,
      seedDemo,
      devLogin: env.AUTH_MODE === 'dev',
    });
  } catch (err) {
    logger.fatal({ err }, 'fabu failed to start');
    await stopAll();
    process.exit(1);
  }
}

function printWelcome(o: {
  apiUrl: string;
  uiUrl?: string;
  temporalAddress: string;
  databaseUrl: string;
  seedDemo: boolean;
  devLogin: boolean;
}): void {
  const lines = [
    '',
    'fabu (发布) is running',
    `  API           ${o.apiUrl}/api`,
    `  OpenAPI       ${o.apiUrl}/docs`,
    `  Health        ${o.apiUrl}/health`,
    `  Temporal UI   ${o.uiUrl ?? '(external cluster: use its own UI)'}`,
    `  Temporal      ${o.temporalAddress}`,
    `  PostgreSQL    ${o.databaseUrl.replace(/\/\/([^:]+):[^@]+@/, '//$1:***@')}`,
  ];
  if (o.devLogin && o.seedDemo) {
    lines.push(
      '',
      'Log in as a demo user (Huludao):',
      `  curl -s -X POST ${o.apiUrl}/api/auth/dev-login -H 'content-type: application/json' -d '{"username":"sunli"}'`,
      '  then send  Authorization: Bearer <token>',
      '  users: ' + DEMO_DIRECTORY.users.map((u) => `${u.username} ${u.displayName}`).join('\n         '),
    );
  }
  lines.push('', 'Ctrl-C stops everything.', '');
  process.stdout.write(lines.join('\n'));
}

await main();
