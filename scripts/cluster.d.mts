export type TemporalService = 'frontend' | 'history' | 'matching' | 'worker';

export interface ClusterOptions {
  /** Where PostgreSQL, Temporal's config, ports.json, the signing key and logs/ live; default `.data/cluster` (kept between runs). */
  dataDir?: string;
  /** fabu API processes (default 2) and worker processes (default 2). */
  apis?: number;
  workers?: number;
  /** Temporal namespace (default `default`) and fabu's task queue (default `fabu-approvals`). */
  namespace?: string;
  taskQueue?: string;
  /** dev-mode token key shared by every API; default AUTH_SIGNING_KEY, else one kept in the data folder. */
  signingKey?: string;
  /** Extra environment for the fabu processes (e.g. `{ OUTBOX_POLL_MS: '200' }`). */
  env?: Record<string, string>;
  /** fabu's LOG_LEVEL (default LOG_LEVEL or info) and the Temporal services' (default TEMPORAL_LOG_LEVEL or warn). */
  logLevel?: string;
  temporalLogLevel?: string;
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
}

export interface Cluster {
  /** Base URLs of the fabu APIs (`http://127.0.0.1:<port>`; REST under /api, health at /health). */
  apiUrls: string[];
  /** The Temporal frontend, host:port. */
  temporalAddress: string;
  /** fabu's database as the app's own login (fabu_app). */
  databaseUrl: string;
  /** The same database as the schema owner (a superuser here): for counting what the app cannot see. */
  ownerDatabaseUrl: string;
  namespace: string;
  taskQueue: string;
  /** The dev-mode HMAC key every API signs and checks tokens with. */
  signingKey: string;
  dataDir: string;
  /** What runs where now (the table `npm run cluster` prints). */
  describe(): Array<{ what: string; pid: number | undefined; where: string }>;
  /** kill -9 fabu worker `i` (0-based), then start it again; resolves once the new one polls. */
  killWorker(i: number): Promise<void>;
  /** Stops a Temporal service (SIGTERM) and starts it again; resolves once it has rejoined the cluster. */
  restartTemporalService(name: TemporalService): Promise<void>;
  /** Stops PostgreSQL (fast shutdown) and starts it again on the same port and data. */
  restartPostgres(): Promise<void>;
  /** Stops everything it started, children included: APIs, fabu workers (drained), Temporal, PostgreSQL. */
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL, the four Temporal services and the fabu APIs and workers, each its own
 * process; resolves once every API answers /health and every worker polls. Needs `npm run build`.
 */
export declare function startCluster(options?: ClusterOptions): Promise<Cluster>;
