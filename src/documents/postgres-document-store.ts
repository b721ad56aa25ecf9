import type { DataSource } from 'typeorm';
import { type DocumentStore, checkContent } from './document-store.js';

/** The embedded default: bytes in `document_blobs`, in the same database as everything else. */
export class PostgresDocumentStore implements DocumentStore {
  constructor(private readonly db: DataSource) {}

  async put(sha256: string, bytes: Buffer): Promise<void> {
    checkContent(sha256, bytes);
    await this.db.query(
      'INSERT INTO document_blobs (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING',
      [sha256, bytes],
    );
  }

  async get(sha256: string): Promise<Buffer | null> {
    const rows: Array<{ content: Buffer }> = await this.db.query(
      'SELECT content FROM document_blobs WHERE sha256 = $1',
      [sha256],
    );
    return rows[0]?.content ?? null;
  }

  async has(sha256: string): Promise<boolean> {
    const [{ ok }] = await this.db.query<Array<{ ok: boolean }>>(
      'SELECT EXISTS (SELECT 1 FROM document_blobs WHERE sha256 = $1) AS ok',
      [sha256],
    );
    return ok;
  }
}
