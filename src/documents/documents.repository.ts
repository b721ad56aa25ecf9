import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One stored version of one kind of document on a request. */
export interface DocumentVersion {
  id: string;
  requestId: string;
  kind: string;
  version: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
}

interface DocumentRow {
  id: string;
  request_id: string;
  kind: string;
  version: number;
  name: string;
  content_type: string;
  size: string;
  sha256: string;
  uploaded_by: string;
  uploaded_at: Date;
}

const COLUMNS = 'id, request_id, kind, version, name, content_type, size, sha256, uploaded_by, uploaded_at';

/** The metadata of documents (`documents`): every version of every kind, whichever store keeps the bytes. */
@Injectable()
export class DocumentsRepository {
  constructor(private readonly db: DataSource) {}

  /** Every version on a request, by kind, oldest first. */
  async list(requestId: string): Promise<DocumentVersion[]> {
    const rows: DocumentRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM documents WHERE request_id = $1 ORDER BY kind, version`,
      [requestId],
    );
    return rows.map(toVersion);
  }

  async find(requestId: string, kind: string, version: number): Promise<DocumentVersion | null> {
    const rows: DocumentRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM documents WHERE request_id = $1 AND kind = $2 AND version = $3`,
      [requestId, kind, version],
    );
    return rows[0] ? toVersion(rows[0]) : null;
  }

  async latest(requestId: string, kind: string): Promise<DocumentVersion | null> {
    const rows: DocumentRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM documents WHERE request_id = $1 AND kind = $2 ORDER BY version DESC LIMIT 1`,
      [requestId, kind],
    );
    return rows[0] ? toVersion(rows[0]) : null;
  }

  /**
   * Adds the next version of a kind. Uploads of the same kind are numbered one at a time (a
   * transaction-scoped lock on request and kind), so two at once get two versions, never one twice.
   */
  async addVersion(
    v: Pick<DocumentVersion, 'requestId' | 'kind' | 'name' | 'contentType' | 'size' | 'sha256' | 'uploadedBy'>,
  ): Promise<DocumentVersion> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`documents:${v.requestId}:${v.kind}`]);
      const rows: DocumentRow[] = await m.query(
        `INSERT INTO documents (request_id, kind, version, name, content_type, size, sha256, uploaded_by)
         SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7
         FROM documents WHERE request_id = $1 AND kind = $2
         RETURNING ${COLUMNS}`,
        [v.requestId, v.kind, v.name, v.contentType, v.size, v.sha256, v.uploadedBy],
      );
      return toVersion(rows[0]!);
    });
  }

  /** Takes back a version the chain refused in the same upload (nothing else deletes one). */
  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM documents WHERE id = $1', [id]);
  }

  /** Whether an open task of the request asks this user (a candidate or its delegate): who files materials. */
  async askedByOpenTask(requestId: string, username: string): Promise<boolean> {
    const [{ ok }] = await this.db.query<Array<{ ok: boolean }>>(
      `SELECT EXISTS (
         SELECT 1 FROM tasks t WHERE t.request_id = $1 AND t.status = 'open'
           AND (t.delegated_to = $2 OR EXISTS (SELECT 1 FROM task_candidates c WHERE c.task_id = t.id AND c.username = $2))
       ) AS ok`,
      [requestId, username],
    );
    return ok;
  }
}

function toVersion(r: DocumentRow): DocumentVersion {
  return {
    id: r.id,
    requestId: r.request_id,
    kind: r.kind,
    version: r.version,
    name: r.name,
    contentType: r.content_type,
    size: Number(r.size),
    sha256: r.sha256,
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at.toISOString(),
  };
}
