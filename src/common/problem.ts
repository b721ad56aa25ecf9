import { z } from 'zod';

/** One field or BPMN element at fault. */
export interface ProblemItem {
  path?: string;
  element?: string;
  line?: number;
  column?: number;
  message: string;
}

/** Stable error codes of the REST API; each maps to one HTTP status in {@link statusOf}. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'REQUEST_NOT_FOUND'
  | 'TASK_NOT_FOUND'
  | 'PROCESS_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'ORG_NOT_FOUND'
  | 'NOT_A_CANDIDATE'
  | 'TASK_NOT_OPEN'
  | 'PROCESS_COMPLETED'
  | 'ACTION_NOT_ALLOWED'
  | 'RETURN_TARGET_INVALID'
  | 'WITHDRAW_NOT_ALLOWED'
  | 'MESSAGE_NOT_EXPECTED'
  | 'VARIABLES_INVALID'
  | 'TRANSFER_INVALID'
  | 'CC_NOT_ALLOWED'
  | 'TASK_DELEGATED'
  | 'TASK_CLAIMED'
  | 'COMMENT_REQUIRED'
  | 'URGE_NOT_ALLOWED'
  | 'URGED_RECENTLY'
  | 'SIGNER_INVALID'
  | 'PROXY_LOOP'
  | 'PROXY_CONFLICT'
  | 'PROXY_NOT_FOUND'
  | 'SCHEDULE_NOT_FOUND'
  | 'CHANNEL_NOT_FOUND'
  | 'PROCESS_RECURRING'
  | 'OUTPUT_INVALID'
  | 'TASK_BLOCKED'
  | 'SEVERITY_UNCHANGED'
  | 'HANDOVER_INVALID'
  | 'APPLICATION_TOO_LATE'
  | 'BPMN_INVALID'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'CALENDAR_YEAR_NOT_LOADED'
  | 'CALENDAR_YEAR_MISSING'
  | 'NOTICE_INVALID'
  | 'CALENDAR_INVALID'
  | 'DIRECTORY_INVALID'
  | 'INCIDENT_NOT_FOUND'
  | 'INCIDENT_INVALID'
  | 'NO_INTAKE_PROCESS'
  | 'ROUTE_NOT_FOUND'
  | 'ROUTES_INVALID'
  | 'ORG_IN_USE'
  | 'USER_IN_USE'
  | 'LAST_ADMIN'
  | 'MATERIALS_MISSING'
  | 'UPLOAD_NOT_ALLOWED'
  | 'DOCUMENT_NOT_FOUND'
  | 'DOCUMENT_KIND_INVALID'
  | 'DOCUMENT_TOO_LARGE'
  | 'DOCUMENT_TYPE_NOT_ALLOWED'
  | 'DOCUMENT_CORRUPT'
  | 'DRY_RUN_BUSY'
  | 'DRY_RUN_UNAVAILABLE'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'INTERNAL';

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
    case 'NOT_A_CANDIDATE':
    case 'URGE_NOT_ALLOWED':
    case 'CC_NOT_ALLOWED':
    case 'UPLOAD_NOT_ALLOWED':
      return 403;
    case 'NOT_FOUND':
    case 'REQUEST_NOT_FOUND':
    case 'TASK_NOT_FOUND':
    case 'PROXY_NOT_FOUND':
    case 'INCIDENT_NOT_FOUND':
    case 'SCHEDULE_NOT_FOUND':
    case 'CHANNEL_NOT_FOUND':
    case 'PROCESS_NOT_FOUND':
    case 'USER_NOT_FOUND':
    case 'ORG_NOT_FOUND':
    case 'CALENDAR_YEAR_NOT_LOADED':
    case 'DOCUMENT_NOT_FOUND':
      return 404;
    case 'TASK_NOT_OPEN':
    case 'PROCESS_COMPLETED':
    case 'WITHDRAW_NOT_ALLOWED':
    case 'MESSAGE_NOT_EXPECTED':
    case 'TASK_DELEGATED':
    case 'TASK_CLAIMED':
    case 'TASK_BLOCKED':
    case 'SEVERITY_UNCHANGED':
    case 'PROXY_LOOP':
    case 'PROXY_CONFLICT':
    case 'ORG_IN_USE':
    case 'USER_IN_USE':
    case 'LAST_ADMIN':
    case 'MATERIALS_MISSING':
      return 409;
    case 'DOCUMENT_TOO_LARGE':
      return 413;
    case 'DOCUMENT_TYPE_NOT_ALLOWED':
      return 415;
    case 'ACTION_NOT_ALLOWED':
    case 'RETURN_TARGET_INVALID':
    case 'VARIABLES_INVALID':
    case 'TRANSFER_INVALID':
    case 'SIGNER_INVALID':
    case 'HANDOVER_INVALID':
    case 'PROCESS_RECURRING':
    case 'OUTPUT_INVALID':
    case 'COMMENT_REQUIRED':
    case 'APPLICATION_TOO_LATE':
    case 'BPMN_INVALID':
    case 'IDEMPOTENCY_KEY_REUSED':
    case 'NOTICE_INVALID':
    case 'CALENDAR_YEAR_MISSING':
    case 'CALENDAR_INVALID':
    case 'DIRECTORY_INVALID':
    case 'INCIDENT_INVALID':
    case 'NO_INTAKE_PROCESS':
    case 'ROUTE_NOT_FOUND':
    case 'ROUTES_INVALID':
    case 'DOCUMENT_KIND_INVALID':
      return 422;
    case 'URGED_RECENTLY':
    case 'DRY_RUN_BUSY':
      return 429;
    case 'DEPENDENCY_UNAVAILABLE':
    case 'DRY_RUN_UNAVAILABLE':
      return 503;
    case 'INTERNAL':
    case 'DOCUMENT_CORRUPT':
      return 500;
    default: {
      const unknown: never = code;
      throw new Error(`unmapped error code ${String(unknown)}`);
    }
  }
}

/** The one exception type features throw; the filter renders it as application/problem+json. */
export class FabuException extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors: ProblemItem[] = [],
    /** Extension members of the problem document, e.g. { earliestConferenceDate } (RFC 9457 §3.2). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'FabuException';
  }
}

export const ProblemSchema = z
  .looseObject({
    type: z.string().describe('URI naming the problem type: urn:fabu:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable machine-readable code, e.g. TASK_NOT_OPEN'),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string().optional(),
          element: z.string().optional(),
          line: z.number().optional(),
          column: z.number().optional(),
          message: z.string(),
        }),
      )
      .optional(),
  })
  .describe('RFC 9457 problem details');
export type Problem = z.infer<typeof ProblemSchema>;

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemOf(
  code: ErrorCode,
  detail: string,
  errors: ProblemItem[] = [],
  instance?: string,
  extensions: Record<string, unknown> = {},
): Problem {
  const status = statusOf(code);
  return {
    ...extensions,
    type: `urn:fabu:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(errors.length ? { errors } : {}),
  };
}
