// The document store port's contract, run alike against both adapters: PostgreSQL (the embedded
// default, as the app's own login) and S3-compatible object storage (a real MinIO this file starts).
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '../../src/database/data-source.js';
import { type DocumentStore, sha256Hex } from '../../src/documents/document-store.js';
import { PostgresDocumentStore } from '../../src/documents/postgres-document-store.js';
import { S3DocumentStore } from '../../src/documents/s3-document-store.js';
import type { RunningPostgres } from '../../src/embedded/embedded-postgres.js';
import { type RunningMinio, startMinio } from '../support/minio.js';
import { startTestPostgres } from '../support/postgres.js';

let postgres: RunningPostgres;
let owner: DataSource;
let app: DataSource;
let minio: RunningMinio;
const stores: Record<string, DocumentStore> = {};
/** Counts what the store keeps, asked of the server itself rather than of the store. */
const kept: Record<string, () => Promise<number>> = {};
/** Replaces stored content behind the store's back (a disk or an operator gone wrong). */
const tamper: Record<string, (sha256: string, bytes: Buffer) => Promise<void>> = {};

beforeAll(async () => {
  [postgres, minio] = await Promise.all([startTestPostgres('document-stores'), startMinio()]);
  owner = await new DataSource(dataSourceOptions(postgres.ownerUrl)).initialize();
  await migrate(owner);
  app = await new DataSource(dataSourceOptions(postgres.url)).initialize();
  stores.postgres = new PostgresDocumentStore(app);
  kept.postgres = async () => Number((await owner.query('SELECT count(*) AS n FROM document_blobs'))[0].n);
  tamper.postgres = async (sha256, bytes) =>
    void (await owner.query('UPDATE document_blobs SET content = $2 WHERE sha256 = $1', [sha256, bytes]));
  const s3 = new S3DocumentStore({
    bucket: minio.bucket,
    region: minio.region,
    endpoint: minio.endpoint,
    credentials: minio.credentials,
  });
  stores.s3 = s3;
  kept.s3 = async () => (await minio.client.send(new ListObjectsV2Command({ Bucket: minio.bucket }))).KeyCount ?? 0;
  tamper.s3 = async (sha256, bytes) =>
    void (await minio.client.send(
      new PutObjectCommand({ Bucket: minio.bucket, Key: `sha256/${sha256}`, Body: bytes }),
    ));
}, 120_000);

afterAll(async () => {
  (stores.s3 as S3DocumentStore | undefined)?.onApplicationShutdown();
  await app?.destroy();
  await owner?.destroy();
  await Promise.all([postgres?.stop(), minio?.stop()]);
});

describe.each(['postgres', 's3'])('%s document store', (name) => {
  const store = () => stores[name]!;

  it('gives back exactly the bytes it was given, under their SHA-256', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7 发布稿\n'), randomBytes(3 * 1024 * 1024)]);
    const sha256 = sha256Hex(bytes);
    expect(await store().has(sha256)).toBe(false);

    await store().put(sha256, bytes);

    expect(await store().has(sha256)).toBe(true);
    const back = await store().get(sha256);
    expect(back?.equals(bytes)).toBe(true);
    expect(sha256Hex(back!)).toBe(sha256);
  });

  it('keeps the same content once, however often it is put', async () => {
    const bytes = Buffer.from(`主持词 ${name} ${randomBytes(8).toString('hex')}`);
    const sha256 = sha256Hex(bytes);
    const before = await kept[name]!();

    await store().put(sha256, bytes);
    await store().put(sha256, Buffer.from(bytes));

    expect(await kept[name]!()).toBe(before + 1);
    expect((await store().get(sha256))?.toString()).toBe(bytes.toString());
  });

  it('refuses bytes that do not hash to the key, keeping nothing', async () => {
    const bytes = Buffer.from('答问口径');
    const other = sha256Hex(Buffer.from('背景材料'));
    const before = await kept[name]!();

    await expect(store().put(other, bytes)).rejects.toThrow(/content hashes to/);
    await expect(store().put('not-a-hash', bytes)).rejects.toThrow(/not a SHA-256/);

    expect(await kept[name]!()).toBe(before);
    expect(await store().has(other)).toBe(false);
  });

  it('answers null, not an error, for content it never had', async () => {
    const unknown = sha256Hex(randomBytes(32));
    expect(await store().get(unknown)).toBeNull();
    expect(await store().has(unknown)).toBe(false);
  });

  it('returns what it holds even when that no longer matches the hash, so the caller can check', async () => {
    const bytes = Buffer.from(`场地方案 ${name}`);
    const sha256 = sha256Hex(bytes);
    await store().put(sha256, bytes);

    await tamper[name]!(sha256, Buffer.from('改过的场地方案'));

    const back = await store().get(sha256);
    expect(back?.toString()).toBe('改过的场地方案');
    expect(sha256Hex(back!)).not.toBe(sha256);
  });
});
