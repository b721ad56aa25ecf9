import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type DocumentStore, checkContent } from './document-store.js';

export interface S3StoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, Ceph, OSS…); unset: AWS S3. Such servers are addressed path-style. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Production: bytes as objects `sha256/<hex>` in one bucket of S3-compatible object storage. */
export class S3DocumentStore implements DocumentStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    const config: S3ClientConfig = {
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // The store sends its own SHA-256 with each object (the server checks it); no extra checksums
      // that S3-compatible servers may not know.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    this.client = new S3Client(config);
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    checkContent(sha256, bytes);
    if (await this.has(sha256)) return;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key(sha256),
        Body: bytes,
        ContentLength: bytes.length,
        ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      }),
    );
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key(sha256) }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key(sha256) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Closes the client's connections (Nest calls it at shutdown). */
  onApplicationShutdown(): void {
    this.client.destroy();
  }
}

const key = (sha256: string) => `sha256/${sha256}`;

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey');
}
