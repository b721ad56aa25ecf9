// Documents through the REST API, for the e2e tier: a multipart upload, and the driver's step that
// attaches whatever a task's step still needs (fabu:materials) before it is approved.
import type { E2E } from './e2e-harness.js';

export interface UploadFile {
  name: string;
  type: string;
  bytes: Buffer;
}

/** POST /api/requests/:id/documents as multipart/form-data; status, headers and parsed body. */
export async function upload(e2e: E2E, token: string, requestId: string, kind: string, file?: UploadFile) {
  const form = new FormData();
  form.set('kind', kind);
  if (file) form.set('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const res = await fetch(`${e2e.url}/api/requests/${requestId}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** POST /api/requests/:id/documents/batch: one part per kind, named by it; status, headers and parsed body. */
export async function uploadMany(e2e: E2E, token: string, requestId: string, parts: Array<[string, UploadFile]>) {
  const form = new FormData();
  for (const [kind, file] of parts) {
    form.append(kind, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  }
  const res = await fetch(`${e2e.url}/api/requests/${requestId}/documents/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A small PDF-like document of a kind, its content unique to the request (so each has its own hash). */
export function pdf(requestId: string, kind: string, version = 1): UploadFile {
  return {
    name: `${kind}-v${version}.pdf`,
    type: 'application/pdf',
    bytes: Buffer.from(`%PDF-1.7\n% ${requestId} ${kind} v${version}\n%%EOF\n`),
  };
}

/**
 * Uploads, as the holder of `token` (a candidate of the open task), each document the task's step
 * needs and the request lacks (GET /api/tasks/:id → materials.missing); returns the kinds uploaded.
 */
export async function attachMissing(e2e: E2E, token: string, taskId: string): Promise<string[]> {
  const task = await e2e.http('GET', `/api/tasks/${taskId}`, { token });
  if (task.status !== 200) throw new Error(`GET task ${taskId}: ${task.status} ${JSON.stringify(task.body)}`);
  const missing = task.body.materials.missing as string[];
  for (const kind of missing) {
    const res = await upload(e2e, token, task.body.requestId, kind, pdf(task.body.requestId, kind));
    if (res.status !== 201)
      throw new Error(`upload ${kind} to ${task.body.requestId}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return missing;
}
