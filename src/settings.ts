import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { FabuConfig } from './config/config.js';
import type { RuntimeSettings } from './runtime.js';

/** The prebuilt workflow bundle when running from dist/, else the workflows barrel to bundle at start. */
export function defaultWorkflows(): RuntimeSettings['workflows'] {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundlePath = join(here, '..', 'workflow-bundle.js');
  if (existsSync(bundlePath)) return { bundlePath };
  return { workflowsPath: join(here, '..', 'workflows', 'index.js') };
}

/** dev mode: the configured key, else one generated once and kept in the data dir (tokens survive restarts). */
export async function devSigningKey(config: FabuConfig): Promise<string | undefined> {
  if (config.env.AUTH_MODE !== 'dev') return undefined;
  if (config.env.AUTH_SIGNING_KEY) return config.env.AUTH_SIGNING_KEY;
  const file = join(config.dataDir, 'auth-signing-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits; a second signal exits at once. */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(process.exitCode ?? 0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
