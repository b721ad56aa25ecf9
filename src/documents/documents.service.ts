import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { FabuException } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { RequestsService } from '../requests/requests.service.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { TEMPORAL_CLIENT } from '../temporal/temporal.tokens.js';
import { documentsUpdate } from '../../workflows/definitions.js';
import { DOCUMENT_KIND_NAMES, isDocumentKind } from './document-kinds.js';
import { DOCUMENT_STORE, type DocumentStore, sha256Hex } from './document-store.js';
import { type DocumentVersion, DocumentsRepository } from './documents.repository.js';
import type { DocumentVersionView } from './documents.schemas.js';
import { labelOf, versionView } from './materials.js';

/** The part `file` of a multipart upload, as the parser hands it over (kept in memory, size-limited). */
export interface UploadedDocument {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

@Injectable()
export class DocumentsService {
  constructor(
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
    @Inject(DOCUMENT_STORE) private readonly store: DocumentStore,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    private readonly requests: RequestsService,
    private readonly documents: DocumentsRepository,
  ) {}

  /**
   * Stores a new version of a kind of document and tells the chain (the `documents` Update), which
   * keeps it for approvals and, when an approved document changed, re-runs the approval (H6). Who
   * may: the applicant, and whoever an open task of the request asks (the filing officer). Every
   * refusal comes before anything is stored. The same content as the kind's latest version again
   * (a retried upload) is that version, not a new one.
   */
  async upload(
    user: DirectoryUser,
    requestId: string,
    kind: string,
    file: UploadedDocument | undefined,
  ): Promise<{ document: DocumentVersionView; created: boolean }> {
    await this.checkUploader(user, requestId);
    const document = this.checkUpload(kind, file);
    const [stored] = await this.storeAndTell(user, requestId, [{ kind, file: document }]);
    return { document: versionView(stored!.version), created: stored!.created };
  }

  /**
   * Several kinds at once (multipart, each part named by its kind): each is stored as `upload`
   * stores one, and the chain is told of all of them by one Update. Every part is checked before
   * anything is stored; when the chain refuses, every version this upload added is taken back.
   */
  async uploadMany(
    user: DirectoryUser,
    requestId: string,
    files: Array<UploadedDocument & { fieldname: string }>,
  ): Promise<{ documents: Array<DocumentVersionView & { created: boolean }>; created: boolean }> {
    await this.checkUploader(user, requestId);
    if (!files.length) {
      throw new FabuException('VALIDATION_FAILED', 'the upload has no file', [
        {
          path: 'file',
          message: `send each document as a multipart part named by its kind (${DOCUMENT_KIND_NAMES.join(', ')})`,
        },
      ]);
    }
    const seen = new Set<string>();
    for (const file of files) {
      if (seen.has(file.fieldname)) {
        throw new FabuException('VALIDATION_FAILED', `two parts are named ${file.fieldname}`, [
          { path: file.fieldname, message: 'one part per kind' },
        ]);
      }
      seen.add(file.fieldname);
      this.checkUpload(file.fieldname, file, file.fieldname);
    }
    const stored = await this.storeAndTell(
      user,
      requestId,
      files.map((file) => ({ kind: file.fieldname, file })),
    );
    return {
      documents: stored.map((s) => ({ ...versionView(s.version), created: s.created })),
      created: stored.some((s) => s.created),
    };
  }

  /**
   * Stores each part as the next version of its kind (the same content as the kind's latest again
   * is that version), then tells the chain of all of them in one Update.
   */
  private async storeAndTell(
    user: DirectoryUser,
    requestId: string,
    parts: Array<{ kind: string; file: UploadedDocument }>,
  ): Promise<Array<{ version: DocumentVersion; created: boolean }>> {
    const stored: Array<{ version: DocumentVersion; created: boolean }> = [];
    for (const { kind, file } of parts) {
      const sha256 = sha256Hex(file.buffer);
      const latest = await this.documents.latest(requestId, kind);
      if (latest?.sha256 === sha256) {
        stored.push({ version: latest, created: false });
        continue;
      }
      await this.store.put(sha256, file.buffer);
      const version = await this.documents.addVersion({
        requestId,
        kind,
        name: fileName(file.originalname),
        contentType: mediaType(file.mimetype),
        size: file.size,
        sha256,
        uploadedBy: user.username,
      });
      stored.push({ version, created: true });
    }
    try {
      await this.tell(
        stored.map((s) => s.version),
        user.username,
      );
    } catch (err) {
      // The chain refused (it finished meanwhile): the versions this upload added are taken back.
      // The bytes may stay, keyed by their hash, harmless.
      if (err instanceof FabuException) {
        for (const s of stored) if (s.created) await this.documents.remove(s.version.id);
      }
      throw err;
    }
    return stored;
  }

  /** The request is running, and the user applied for it or is asked by one of its open tasks. */
  private async checkUploader(user: DirectoryUser, requestId: string): Promise<void> {
    const request = await this.requests.get(user, requestId);
    if (request.status !== 'running') {
      throw new FabuException(
        'PROCESS_COMPLETED',
        `request ${requestId} is ${request.outcome}: its documents are final`,
      );
    }
    if (request.initiator !== user.username && !(await this.documents.askedByOpenTask(requestId, user.username))) {
      throw new FabuException(
        'UPLOAD_NOT_ALLOWED',
        `only ${request.initiator}, who applied, or someone an open task of ${requestId} asks may attach documents`,
      );
    }
  }

  /** The kind, then the file: present, not too large (DOCUMENTS_MAX_BYTES), of an allowed type (DOCUMENTS_TYPES). */
  /**
   * `part` names the field at fault in a refusal: `kind` and `file` for a single upload, the part
   * itself (named by its kind) for several.
   */
  private checkUpload(kind: string, file: UploadedDocument | undefined, part?: string): UploadedDocument {
    if (!isDocumentKind(kind)) {
      throw new FabuException('DOCUMENT_KIND_INVALID', `"${kind}" is not a document kind`, [
        { path: part ?? 'kind', message: `one of ${DOCUMENT_KIND_NAMES.join(', ')}` },
      ]);
    }
    if (!file) {
      throw new FabuException('VALIDATION_FAILED', 'the upload has no file', [
        { path: 'file', message: 'send the document as the multipart part "file"' },
      ]);
    }
    const { DOCUMENTS_MAX_BYTES: max, DOCUMENTS_TYPES: types } = this.runtime.config.env;
    if (file.size > max) throw tooLarge(max, part);
    if (file.size === 0) {
      throw new FabuException('VALIDATION_FAILED', 'the file is empty', [
        { path: part ?? 'file', message: 'no content' },
      ]);
    }
    const type = mediaType(file.mimetype);
    if (!types.includes(type)) {
      throw new FabuException('DOCUMENT_TYPE_NOT_ALLOWED', `documents of type ${type || '(none)'} are not accepted`, [
        { path: part ?? 'file', message: `the type must be one of ${types.join(', ')}` },
      ]);
    }
    return file;
  }

  /** The documents Update: one version as itself, several as one batch (one Update, one projection). */
  private async tell(versions: DocumentVersion[], actor: string): Promise<void> {
    const [first, ...rest] = versions;
    if (!first) return;
    const input = (v: DocumentVersion) => ({ kind: v.kind, version: v.version, sha256: v.sha256, name: v.name });
    await this.requests.chainUpdate(first.requestId, () =>
      this.temporal.workflow.getHandle(first.requestId).executeUpdate(documentsUpdate, {
        args: [rest.length ? { actor, documents: [first, ...rest].map(input) } : { ...input(first), actor }],
      }),
    );
  }

  /** Each kind's latest version with its history (whoever may see the request may read them). */
  async list(user: DirectoryUser, requestId: string) {
    await this.requests.get(user, requestId);
    const versions = await this.documents.list(requestId);
    const kinds = [...new Set(versions.map((v) => v.kind))];
    return {
      items: kinds.map((kind) => {
        const ofKind = versions.filter((v) => v.kind === kind).map(versionView);
        return { kind, label: labelOf(kind), latest: ofKind.at(-1)!, versions: ofKind };
      }),
    };
  }

  /**
   * One version's bytes, checked against the hash recorded at upload: content that no longer
   * matches (or is gone from the store) is refused as DOCUMENT_CORRUPT rather than served.
   */
  async download(user: DirectoryUser, requestId: string, kind: string, version: number) {
    await this.requests.get(user, requestId);
    const document = Number.isSafeInteger(version) ? await this.documents.find(requestId, kind, version) : null;
    if (!document) {
      throw new FabuException('DOCUMENT_NOT_FOUND', `request ${requestId} has no version ${version} of ${kind}`);
    }
    const bytes = await this.store.get(document.sha256);
    if (!bytes || sha256Hex(bytes) !== document.sha256) {
      throw new FabuException(
        'DOCUMENT_CORRUPT',
        `the stored content of ${kind} v${version} ${bytes ? 'no longer matches' : 'is missing for'} its SHA-256 ${document.sha256}`,
      );
    }
    return { document, bytes };
  }
}

export function tooLarge(max: number, part = 'file'): FabuException {
  return new FabuException('DOCUMENT_TOO_LARGE', `documents are accepted up to ${max} bytes`, [
    { path: part, message: `larger than ${max} bytes (DOCUMENTS_MAX_BYTES)` },
  ]);
}

/** `Application/PDF; charset=…` → `application/pdf`. */
function mediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** The file's own name, without a client's path or control characters. */
function fileName(value: string): string {
  // eslint-disable-next-line no-control-regex
  const name = (value.split(/[\\/]/).at(-1) ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return name.slice(0, 255) || 'document';
}
