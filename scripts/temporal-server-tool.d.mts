export declare const TEMPORAL_SERVER_VERSION: string;
export declare function ensureTemporalServer(options?: { env?: NodeJS.ProcessEnv; log?: (line: string) => void }): {
  server: string;
  sql: string;
  /** TEMPORAL_SCHEMA_DIR when set; unset = the schema compiled into the SQL tool. */
  schemaDir?: string;
};
