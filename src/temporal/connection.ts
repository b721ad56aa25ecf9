import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Env } from '../config/config.js';

async function tlsOptions(env: Env): Promise<ConnectionOptions['tls']> {
  if (env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH) {
    return {
      clientCertPair: {
        crt: await readFile(env.TEMPORAL_TLS_CERT_PATH),
        key: await readFile(env.TEMPORAL_TLS_KEY_PATH),
      },
    };
  }
  return env.TEMPORAL_TLS || env.TEMPORAL_API_KEY ? true : undefined;
}

/**
 * Client connection (API process): TLS and API key from config, so Temporal Cloud works unchanged.
 * A native connection, as the worker's: its gRPC runs in the SDK's Rust core, off the event loop
 * that serves HTTP (the bench measured the JavaScript gRPC stack among the API's largest costs).
 */
export async function connectClient(env: Env, address: string): Promise<NativeConnection> {
  return connectWorker(env, address);
}

/** Native connection (worker process). */
export async function connectWorker(env: Env, address: string): Promise<NativeConnection> {
  const options: NativeConnectionOptions = { address, tls: await tlsOptions(env), apiKey: env.TEMPORAL_API_KEY };
  return NativeConnection.connect(options);
}
