import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(1).max(65535);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

/**
 * Every environment variable fabu reads, with its default and meaning. The README's configuration
 * table is this list; `loadConfig` parses it once at start and fails naming the bad variable.
 */
export const EnvSchema = z.object({
  FABU_DATA_DIR: z.string().default('.data').describe('Where the embedded default keeps Temporal and Postgres data'),
  HOST: z.string().default('127.0.0.1').describe('Interface the HTTP API listens on'),
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(3000)
    .describe('HTTP port of the API (OpenAPI at /docs); 0 = any free port'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info').describe('pino log level'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'expected host:port')
    .optional()
    .describe('Temporal frontend host:port; unset = start the embedded dev server'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default').describe('Temporal namespace'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('fabu-approvals').describe('Task queue of the approval worker'),
  TEMPORAL_API_KEY: z.string().optional().describe('API key for Temporal Cloud (implies TLS)'),
  TEMPORAL_TLS: bool.default(false).describe('Connect to Temporal over TLS'),
  TEMPORAL_TLS_CERT_PATH: z.string().optional().describe('Client certificate for mTLS'),
  TEMPORAL_TLS_KEY_PATH: z.string().optional().describe('Client key for mTLS'),
  TEMPORAL_PORT: port.default(7233).describe('Embedded dev server: frontend port'),
  TEMPORAL_UI_PORT: port.default(8233).describe('Embedded dev server: Web UI port'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional()
    .describe('PostgreSQL URL; unset = start the embedded PostgreSQL'),
  DATABASE_MIGRATION_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional()
    .describe(
      "The schema owner's URL, for migrations; unset = DATABASE_URL. The app's own login needs only the fabu_runtime role",
    ),
  EMBEDDED_PG_PORT: port.default(54329).describe('Embedded PostgreSQL port'),
  AUTH_MODE: z
    .enum(['dev', 'oidc'])
    .default('dev')
    .describe('dev: local signing key and POST /api/auth/dev-login; oidc: tokens verified against AUTH_JWKS_URL'),
  AUTH_SIGNING_KEY: z
    .string()
    .min(32, 'needs at least 32 characters')
    .optional()
    .describe('dev mode: HMAC key for tokens; unset = generated once into the data dir'),
  AUTH_JWKS_URL: z.url().optional().describe('oidc mode: the provider JWKS URL'),
  AUTH_OIDC_AUTHORIZE_URL: z
    .url()
    .optional()
    .describe("oidc mode: the provider's authorization endpoint, where the web console signs people in (code + PKCE)"),
  AUTH_OIDC_TOKEN_URL: z
    .url()
    .optional()
    .describe("oidc mode: the provider's token endpoint (the console's code exchange)"),
  AUTH_OIDC_CLIENT_ID: z.string().optional().describe("oidc mode: the web console's public client id at the provider"),
  AUTH_OIDC_SCOPE: z.string().default('openid profile').describe('oidc mode: the scopes the console asks for'),
  AUTH_OIDC_TOKEN: z
    .enum(['access_token', 'id_token'])
    .default('access_token')
    .describe('oidc mode: which token of the exchange the console sends as its bearer token'),
  AUTH_ISSUER: z.string().default('fabu').describe('Expected token issuer'),
  AUTH_AUDIENCE: z.string().default('fabu').describe('Expected token audience'),
  AUTH_USERNAME_CLAIM: z.string().default('sub').describe('Token claim holding the fabu username'),
  BUSINESS_DAY_END: clock.default('18:00').describe('A working-day deadline falls due at this time (Asia/Shanghai)'),
  CALENDAR_MISSING_YEAR: z
    .enum(['provisional', 'strict'])
    .default('provisional')
    .describe(
      'A request whose deadlines fall in a year without holiday data: provisional = counted on weekdays and marked so; strict = refused',
    ),
  CONSOLE_DIR: z
    .string()
    .optional()
    .describe('Where the built web console is served from; unset = dist/console (npm run build puts it there)'),
  PROCESSES_DIR: z.string().default('processes').describe('BPMN files deployed at start'),
  SEED_DEMO: bool.optional().describe('Seed the demo directory (default: on in the embedded default)'),
  OUTBOX_POLL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(1000)
    .describe('Release outbox: how often the worker looks for due deliveries when no NOTIFY wakes it (ms)'),
  OUTBOX_RETRY_BASE_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe('Release outbox: wait before the first retry of a failed delivery, doubled after each (ms, at most 1 h)'),
  OUTBOX_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Release outbox: attempts before a delivery is marked dead'),
  OUTBOX_DELIVERY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('Release outbox: a webhook that has not answered by then has failed this attempt (ms)'),
  DOCUMENTS_STORE: z
    .enum(['postgres', 's3'])
    .default('postgres')
    .describe(
      "Where documents' bytes are kept: postgres (the database, embedded default) or s3 (S3-compatible object storage)",
    ),
  DOCUMENTS_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(20 * 1024 * 1024)
    .describe(
      'Largest document accepted (bytes); a larger upload is refused (DOCUMENT_TOO_LARGE) and nothing is stored',
    ),
  DOCUMENTS_TYPES: z
    .string()
    .default(
      [
        'application/pdf',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/msword',
        'application/vnd.ms-excel',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/ofd',
        'text/plain',
        'image/png',
        'image/jpeg',
      ].join(','),
    )
    .transform((v) =>
      v
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.string().regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, 'expected media types such as application/pdf')).min(1),
    )
    .describe(
      'Media types a document may have, comma-separated (default: PDF, Word, Excel, OFD, plain text, PNG, JPEG)',
    ),
  S3_ENDPOINT: z
    .url()
    .optional()
    .describe('DOCUMENTS_STORE=s3: the S3-compatible endpoint (unset = AWS S3 of S3_REGION)'),
  S3_BUCKET: z
    .string()
    .min(3)
    .optional()
    .describe('DOCUMENTS_STORE=s3: the bucket documents are kept in (it must exist)'),
  S3_REGION: z.string().default('us-east-1').describe("DOCUMENTS_STORE=s3: the bucket's region"),
  S3_ACCESS_KEY_ID: z
    .string()
    .optional()
    .describe('DOCUMENTS_STORE=s3: access key (unset = the AWS default credential chain)'),
  S3_SECRET_ACCESS_KEY: z.string().optional().describe('DOCUMENTS_STORE=s3: secret key, with S3_ACCESS_KEY_ID'),
});
export type Env = z.infer<typeof EnvSchema>;

export interface FabuConfig {
  env: Env;
  dataDir: string;
  processesDir: string;
  /** Whether this process starts the embedded servers (no address given for them). */
  embedded: { temporal: boolean; postgres: boolean };
}

export class ConfigError extends Error {
  constructor(readonly issues: Array<{ variable: string; message: string }>) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): FabuConfig {
  // An empty variable means unset: `FOO= npm start` should not fail validation.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })));
  }
  const env = parsed.data;
  const issues: Array<{ variable: string; message: string }> = [];
  if (env.AUTH_MODE === 'oidc' && !env.AUTH_JWKS_URL) {
    issues.push({ variable: 'AUTH_JWKS_URL', message: 'required when AUTH_MODE=oidc' });
  }
  if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
    issues.push({
      variable: 'TEMPORAL_TLS_CERT_PATH',
      message: 'set both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH',
    });
  }
  if (env.DOCUMENTS_STORE === 's3' && !env.S3_BUCKET) {
    issues.push({ variable: 'S3_BUCKET', message: 'required when DOCUMENTS_STORE=s3' });
  }
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
    issues.push({ variable: 'S3_ACCESS_KEY_ID', message: 'set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY' });
  }
  if (issues.length) throw new ConfigError(issues);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  return {
    env,
    dataDir: abs(env.FABU_DATA_DIR),
    processesDir: abs(env.PROCESSES_DIR),
    embedded: { temporal: !env.TEMPORAL_ADDRESS, postgres: !env.DATABASE_URL },
  };
}
