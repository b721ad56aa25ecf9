import type { Logger } from 'pino';
import type { FabuConfig } from './config/config.js';

/** What one fabu process is: its config, where its servers are, and which roles it plays. */
export interface RuntimeSettings {
  config: FabuConfig;
  temporalAddress: string;
  databaseUrl: string;
  /** The schema owner's URL for migrations; unset = migrate with databaseUrl. */
  migrationUrl?: string;
  roles: { api: boolean; worker: boolean };
  /** Compile and deploy every file in processes/ at start (refusing to start on an invalid one). */
  deployProcesses: boolean;
  seedDemo: boolean;
  /** HMAC key for dev-mode tokens. */
  signingKey?: string;
  /** Prebuilt workflow bundle (production) or the workflows barrel to bundle at start (tests). */
  workflows: { bundlePath: string } | { workflowsPath: string };
  logger: Logger;
}

export const RUNTIME = Symbol('RUNTIME');
