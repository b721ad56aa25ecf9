import { type startFabu } from './app.js';
import { createLogger } from './common/logger.js';
import { ConfigError, loadConfig } from './config/config.js';
import type { RuntimeSettings } from './runtime.js';
import { defaultWorkflows, devSigningKey, onShutdownSignal } from './settings.js';

type Start = (settings: Omit<RuntimeSettings, 'roles'>) => ReturnType<typeof startFabu>;

/** Shared start of `npm run start:api` / `start:worker`: config, no embedded servers, signals. */
export async function separateProcess(role: 'api' | 'worker', start: Start): Promise<void> {
  let config;
  try {
    config = loadConfig();
    if (!config.env.TEMPORAL_ADDRESS || !config.env.DATABASE_URL) {
      throw new ConfigError([
        {
          variable: config.env.TEMPORAL_ADDRESS ? 'DATABASE_URL' : 'TEMPORAL_ADDRESS',
          message: `required to run the ${role} alone`,
        },
      ]);
    }
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.env.LOG_LEVEL).child({ role });
  try {
    const app = await start({
      config,
      temporalAddress: config.env.TEMPORAL_ADDRESS!,
      databaseUrl: config.env.DATABASE_URL!,
      migrationUrl: config.env.DATABASE_MIGRATION_URL,
      deployProcesses: role === 'api',
      seedDemo: config.env.SEED_DEMO ?? false,
      signingKey: await devSigningKey(config),
      workflows: defaultWorkflows(),
      logger,
    });
    onShutdownSignal(logger, () => app.close());
    logger.info({ url: app.url }, `fabu ${role} started`);
  } catch (err) {
    logger.fatal({ err }, `fabu ${role} failed to start`);
    process.exit(1);
  }
}
