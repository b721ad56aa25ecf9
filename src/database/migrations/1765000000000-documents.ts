import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Documents on a request (H6 art. 34, L3: the materials a filing contains): one row per version of
 * each kind (`documents`: name, type, size, SHA-256, who uploaded it and when), in PostgreSQL
 * whichever store keeps the bytes; and the PostgreSQL store itself (`document_blobs`, content
 * addressed by SHA-256), used unless DOCUMENTS_STORE=s3. A version is never changed: a new upload
 * is a new version, so what an approval saw stays readable.
 */
export class Documents1765000000000 implements MigrationInterface {
  name = 'Documents1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE documents (
        id bigserial PRIMARY KEY,
        request_id text NOT NULL REFERENCES requests (id),
        kind text NOT NULL,
        version int NOT NULL CHECK (version > 0),
        name text NOT NULL,
        content_type text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        uploaded_by text NOT NULL,
        uploaded_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (request_id, kind, version)
      );

      CREATE TABLE document_blobs (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        content bytea NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      );

      -- Granted here too, not only by AppRole1764400000000's default privileges: those cover tables
      -- created by the role that ran it, and a DBA may run later migrations as another owner. No
      -- UPDATE: a version, once stored, is what it is; DELETE only takes back a version the chain
      -- refused in the same upload.
      GRANT SELECT, INSERT, DELETE ON documents TO fabu_runtime;
      REVOKE UPDATE, TRUNCATE ON documents FROM fabu_runtime;
      GRANT USAGE, SELECT ON SEQUENCE documents_id_seq TO fabu_runtime;
      GRANT SELECT, INSERT ON document_blobs TO fabu_runtime;
      REVOKE UPDATE, DELETE, TRUNCATE ON document_blobs FROM fabu_runtime;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE document_blobs, documents');
  }
}
