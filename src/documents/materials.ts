// What the documents of a request mean for its approvals, read from the audit trail: each
// approval's `task.decided` entry names the hash of every document version it saw. Pure, so the
// task view and the dossier read it alike.
import { DOCUMENT_KINDS, isDocumentKind } from './document-kinds.js';
import type { DocumentVersion } from './documents.repository.js';
import type { DocumentVersionView, TaskMaterials } from './documents.schemas.js';

/** An audit entry as the read model keeps it (its payload holds the machine's detail). */
export interface TrailEntry {
  type: string;
  taskId: string | null;
  payload: Record<string, unknown>;
}

/** An approval that saw documents: its task and `{ kind: sha256 }`, in the order they were given. */
export interface CoveredApproval {
  taskId: string;
  documents: Record<string, string>;
}

export function coveredApprovals(history: TrailEntry[]): CoveredApproval[] {
  return history.flatMap((h) => {
    const detail = h.payload.detail as { documents?: Record<string, string> } | undefined;
    return h.type === 'task.decided' && h.payload.action === 'approve' && h.taskId && detail?.documents
      ? [{ taskId: h.taskId, documents: detail.documents }]
      : [];
  });
}

export function labelOf(kind: string): string {
  return isDocumentKind(kind) ? DOCUMENT_KINDS[kind] : kind;
}

export function versionView(d: DocumentVersion): DocumentVersionView {
  return {
    kind: d.kind,
    label: labelOf(d.kind),
    version: d.version,
    name: d.name,
    contentType: d.contentType,
    size: d.size,
    sha256: d.sha256,
    uploadedBy: d.uploadedBy,
    uploadedAt: d.uploadedAt,
    href: `/api/requests/${encodeURIComponent(d.requestId)}/documents/${d.kind}/versions/${d.version}`,
  };
}

/** The latest version of each kind, from every version (oldest first). */
function latestByKind(versions: DocumentVersion[]): Map<string, DocumentVersion> {
  const latest = new Map<string, DocumentVersion>();
  for (const v of versions) if ((latest.get(v.kind)?.version ?? 0) < v.version) latest.set(v.kind, v);
  return latest;
}

/**
 * A task's documents: what its step requires (missing ones first to see), each kind's latest
 * version, and the version approved — by this task if it approved, else by the request's latest
 * approval that saw the kind — so a change after approval shows (H6).
 */
export function taskMaterials(
  taskId: string,
  required: string[],
  versions: DocumentVersion[],
  history: TrailEntry[],
): TaskMaterials {
  const latest = latestByKind(versions);
  const approvals = coveredApprovals(history);
  const own = approvals.findLast((a) => a.taskId === taskId);
  const kinds = [...new Set([...required, ...latest.keys()])];
  return {
    required,
    missing: required.filter((k) => !latest.has(k)),
    documents: kinds.map((kind) => {
      const current = latest.get(kind);
      const by = own?.documents[kind] ? own : approvals.findLast((a) => a.documents[kind]);
      const sha256 = by?.documents[kind];
      const approvedVersion = versions.findLast((v) => v.kind === kind && v.sha256 === sha256)?.version ?? null;
      return {
        kind,
        label: labelOf(kind),
        required: required.includes(kind),
        latest: current ? versionView(current) : null,
        approved: by && sha256 ? { taskId: by.taskId, version: approvedVersion, sha256 } : null,
        changedSinceApproval: Boolean(sha256 && current && current.sha256 !== sha256),
      };
    }),
  };
}

/** Every version with the approvals that covered it (the dossier's list of documents). */
export function dossierDocuments(versions: DocumentVersion[], history: TrailEntry[]) {
  const approvals = coveredApprovals(history);
  return versions.map((v) => ({
    ...versionView(v),
    approvedBy: approvals.filter((a) => a.documents[v.kind] === v.sha256).map((a) => a.taskId),
  }));
}
