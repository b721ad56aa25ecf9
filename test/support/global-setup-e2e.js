// The e2e tier needs what the workflow tier needs, the S3-compatible server the document store
// tests start (built once into .tools/bin when no other route has it), and the web console, built
// (about a second) into a folder of the tests' own that the apps they start serve (CONSOLE_DIR).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureMinio } from '../../scripts/minio-tool.mjs';
import temporalSetup from './global-setup.js';

export function buildConsole() {
  const out = join(process.cwd(), '.tools', 'e2e-console');
  execFileSync(process.execPath, ['scripts/build-console.mjs', '--out', out], { stdio: 'ignore' });
  process.env.CONSOLE_DIR = out;
}

export default function globalSetup() {
  temporalSetup();
  buildConsole();
  process.env.MINIO_PATH = ensureMinio({ log: () => undefined });
}
