import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Env } from '../config/config.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { DOCUMENT_STORE, type DocumentStore } from './document-store.js';
import { PostgresDocumentStore } from './postgres-document-store.js';
import { S3DocumentStore } from './s3-document-store.js';

/** The store DOCUMENTS_STORE names: the database (the embedded default) or S3-compatible object storage. */
export function createDocumentStore(env: Env, db: DataSource): DocumentStore {
  if (env.DOCUMENTS_STORE === 'postgres') return new PostgresDocumentStore(db);
  return new S3DocumentStore({
    bucket: env.S3_BUCKET!,
    region: env.S3_REGION,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    ...(env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } }
      : {}),
  });
}

export const documentStoreProvider: Provider = {
  provide: DOCUMENT_STORE,
  inject: [RUNTIME, DataSource],
  useFactory: (runtime: RuntimeSettings, db: DataSource) => createDocumentStore(runtime.config.env, db),
};
