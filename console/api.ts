// The console's only way to the server: fetch under /api with the session's bearer token. A
// problem+json answer becomes an ApiError carrying its stable code and the fields at fault.
import { session } from './session';

export interface FieldError {
  path?: string;
  element?: string;
  line?: number;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** A POST that starts or decides something carries one, so a retried click is applied once. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { method: options.method ?? 'GET', headers, body, signal: options.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
  }
  if (res.status === 401 && token) session.expire();
  if (!res.ok) throw await problemOf(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** The bytes of a document, fetched with the token (a plain link cannot carry it). */
export async function download(href: string): Promise<Blob> {
  const res = await fetch(href, { headers: { Authorization: `Bearer ${session.token() ?? ''}` } });
  if (!res.ok) throw await problemOf(res);
  return res.blob();
}

async function problemOf(res: Response): Promise<ApiError> {
  try {
    const p = (await res.json()) as { code?: string; detail?: string; title?: string; errors?: FieldError[] };
    return new ApiError(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? p.title ?? res.statusText, p.errors);
  } catch {
    return new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
  }
}

export const newKey = (): string => crypto.randomUUID();

// The shapes the console reads (a subset of the OpenAPI at /docs).
export interface User {
  username: string;
  displayName: string;
  orgCode: string;
  isAdmin: boolean;
  positions: Array<{ position: string; orgCode: string }>;
}

export interface TaskView {
  id: string;
  requestId: string;
  elementId: string;
  name: string;
  round: number;
  rules: string[];
  status: 'opening' | 'open' | 'completed' | 'cancelled';
  candidates: string[];
  dueAt: string | null;
  dueProvisional: boolean;
  dueBasis: string | null;
  overdue: boolean;
  slackWorkingDays: number | null;
  decision: string | null;
  decidedBy: string | null;
  comment: string | null;
  returnTo: string | null;
  delegatedTo: string | null;
  assignee: string | null;
  addedFor: string | null;
  skipped: string | null;
  openedAt?: string;
  closedAt?: string | null;
}

export interface InboxItem extends TaskView {
  request: { title: string; orgCode: string; processKey: string; conferenceDate: string | null };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AuditEvent {
  seq: number;
  type: string;
  taskId: string | null;
  actor: string | null;
  onBehalfOf: string | null;
  payload: Record<string, unknown>;
  occurredAt: string;
}

export interface DocumentVersion {
  kind: string;
  label: string;
  version: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
  href: string;
}

export interface TaskDetail extends TaskView {
  returnTargets: string[];
  output: string | null;
  allowedActions: string[];
  materials: {
    required: string[];
    missing: string[];
    documents: Array<{
      kind: string;
      label: string;
      required: boolean;
      latest: DocumentVersion | null;
      approved: { taskId: string; version: number | null; sha256: string } | null;
      changedSinceApproval: boolean;
    }>;
  };
  request: Pick<
    RequestSummary,
    'id' | 'processKey' | 'title' | 'orgCode' | 'conferenceDate' | 'initiator' | 'status' | 'stage'
  > | null;
  history: AuditEvent[];
}

export interface RequestSummary {
  id: string;
  processKey: string;
  title: string;
  orgCode: string;
  conferenceDate: string | null;
  initiator: string;
  status: 'running' | 'completed';
  stage: string;
  outcome: 'approved' | 'rejected' | 'withdrawn' | 'cancelled' | null;
  createdAt: string;
  updatedAt: string;
}

export interface RequestView extends RequestSummary {
  processVersion: number;
  materials: string[];
  major: boolean;
  variables: Record<string, unknown>;
  round: number;
  cc: string[];
  completedAt: string | null;
  tasks: TaskView[];
  history: AuditEvent[];
}

export interface Variable {
  name: string;
  type: 'boolean' | 'string' | 'number' | 'enum' | 'list';
  values?: string[];
  default?: boolean | string | number;
  label?: string;
}

export interface ProcessSummary {
  key: string;
  version: number;
  name: string;
  code: string;
  rules: string[];
  deployedAt: string;
}

export interface ProcessDetail extends ProcessSummary {
  checksum: string;
  variables: Variable[];
  bpmnXml: string;
  ir: {
    startNodeId: string;
    nodes: Record<string, { kind: string; name?: string; rules?: string[] }>;
    flows: Record<string, { id: string; source: string; target: string }>;
  };
  versions: Array<{ version: number; checksum: string; source: string | null; deployedAt: string }>;
}

export interface PlanItem {
  kind: string;
  element: string | null;
  name: string;
  rules: string[];
  source: string | null;
  at: string;
  date: string;
  provisional: boolean;
  workingDaysFromPrevious: number | null;
  workingDaysToConference: number;
  crossed: Array<{ date: string; kind: 'holiday' | 'workday'; name: string }>;
  note?: string;
}

export interface Plan {
  processKey: string;
  name: string;
  conferenceDate: string;
  submitAt: string;
  items: PlanItem[];
  provisional: boolean;
  tooLate: boolean;
  latestSubmission: string | null;
  earliestConference: string | null;
}

export interface Summary {
  open: number;
  overdue: number;
  done: number;
  cc: number;
  started: number;
  digest: string;
}
