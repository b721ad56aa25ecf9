export declare const MINIO_MODULE: string;
export declare function ensureMinio(options?: { env?: NodeJS.ProcessEnv; log?: (line: string) => void }): string;
