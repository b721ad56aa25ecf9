// A real S3-compatible server for the tests (MinIO, built by scripts/minio-tool.mjs): its own data
// folder, a free port, one bucket; stop() ends the process and removes its files.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { stopChild } from '../../src/embedded/temporal-dev-server.js';
import { freePort } from './ports.js';

export interface RunningMinio {
  endpoint: string;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** A client of the server, for what a test does behind the store's back. */
  client: S3Client;
  /** The DOCUMENTS_STORE=s3 configuration of an app using it. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startMinio(bucket = 'fabu-documents'): Promise<RunningMinio> {
  const dir = await mkdtemp(join(tmpdir(), 'fabu-minio-'));
  const port = await freePort();
  const credentials = { accessKeyId: 'fabu-test', secretAccessKey: randomBytes(16).toString('hex') };
  const child = spawn(process.env.MINIO_PATH!, ['server', join(dir, 'data'), '--address', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      MINIO_ROOT_USER: credentials.accessKeyId,
      MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
      // No web console: nothing else to bind.
      MINIO_BROWSER: 'off',
    },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let stderr = '';
  // Ready once it prints the address it serves the API on (it does so after binding it); an exit
  // first says why.
  const listening = new Promise<void>((resolve) =>
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      if (stderr.includes(`API: ${endpoint}`)) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async () => {
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const exit = await Promise.race([listening.then(() => 'listening' as const), exited]);
    if (exit !== 'listening') throw new Error(`minio exited with ${exit} before it was ready:\n${stderr}`);
    const live = await fetch(`${endpoint}/minio/health/live`).then(
      (res) => res.ok,
      () => false,
    );
    if (!live) throw new Error(`minio printed its address but ${endpoint} is not live:\n${stderr}`);
    const region = 'us-east-1';
    const client = new S3Client({ endpoint, region, credentials, forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return {
      endpoint,
      bucket,
      region,
      credentials,
      client,
      env: {
        DOCUMENTS_STORE: 's3',
        S3_ENDPOINT: endpoint,
        S3_BUCKET: bucket,
        S3_REGION: region,
        S3_ACCESS_KEY_ID: credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
      async stop() {
        client.destroy();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
