import { z } from 'zod';
import { DOCUMENT_KIND_NAMES } from './document-kinds.js';

const Sha256Schema = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('SHA-256 of the content, hex');

/** One stored version of a document. */
export const DocumentVersionSchema = z.object({
  kind: z.string().describe(`Document kind: ${DOCUMENT_KIND_NAMES.join(', ')}`),
  label: z.string().describe('What the kind is called, e.g. 发布稿'),
  version: z.number().int().describe('1, then one more for each new upload of the kind; earlier ones are kept'),
  name: z.string().describe('File name as uploaded'),
  contentType: z.string(),
  size: z.number().int().describe('Bytes'),
  sha256: Sha256Schema,
  uploadedBy: z.string(),
  uploadedAt: z.string(),
  href: z.string().describe('Where to download it'),
});
export type DocumentVersionView = z.infer<typeof DocumentVersionSchema>;

/** POST /api/requests/:id/documents/batch: the version each part became, in the order sent. */
export const DocumentBatchSchema = z.object({
  items: z.array(
    DocumentVersionSchema.extend({
      created: z.boolean().describe("A new version; false when the part had the same content as the kind's latest"),
    }),
  ),
});

/** GET /api/requests/:id/documents: each kind's latest version and its history. */
export const DocumentListSchema = z.object({
  items: z.array(
    z.object({
      kind: z.string(),
      label: z.string(),
      latest: DocumentVersionSchema,
      versions: z.array(DocumentVersionSchema).describe('Every version, oldest first'),
    }),
  ),
});

/** The text fields of POST /api/requests/:id/documents (multipart/form-data, with the part `file`). */
export const UploadFieldsSchema = z.object({
  kind: z
    .string()
    .trim()
    .min(1)
    .describe(`Document kind: ${DOCUMENT_KIND_NAMES.join(', ')}`),
});
export type UploadFields = z.infer<typeof UploadFieldsSchema>;

/** What a task shows of the documents (GET /api/tasks/:id): what its step needs and what was approved. */
export const TaskMaterialsSchema = z.object({
  required: z
    .array(z.string())
    .describe("Kinds the step needs attached before it is approved (the BPMN's fabu:materials)"),
  missing: z.array(z.string()).describe('Required kinds not attached yet: approving is refused (MATERIALS_MISSING)'),
  documents: z.array(
    z.object({
      kind: z.string(),
      label: z.string(),
      required: z.boolean(),
      latest: DocumentVersionSchema.nullable(),
      approved: z
        .object({ taskId: z.string(), version: z.number().int().nullable(), sha256: Sha256Schema })
        .nullable()
        .describe(
          "The version this task approved; for a task not approved by now, the request's latest approval of the kind",
        ),
      changedSinceApproval: z
        .boolean()
        .describe('A newer version replaced the one approved (H6: with fabu:restartAt the approval re-runs)'),
    }),
  ),
});
export type TaskMaterials = z.infer<typeof TaskMaterialsSchema>;

/** A dossier's documents: every version with its hash, and the approvals that covered it. */
export const DossierDocumentSchema = DocumentVersionSchema.extend({
  approvedBy: z.array(z.string()).describe('Tasks whose approval covered this version'),
});
