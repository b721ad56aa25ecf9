// The e2e tier needs what the workflow tier needs, and the S3-compatible server the document
// store tests start (built once into .tools/bin when no other route has it).
import { ensureMinio } from '../../scripts/minio-tool.mjs';
import temporalSetup from './global-setup.js';

export default function globalSetup() {
  temporalSetup();
  process.env.MINIO_PATH = ensureMinio({ log: () => undefined });
}
