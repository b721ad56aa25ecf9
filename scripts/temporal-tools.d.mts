export declare const PINNED: { cli: string; testServer: string };
export declare function projectRoot(): string;
export declare function ensureTemporalTools(options?: {
  kinds?: Array<'cli' | 'testServer'>;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): { cli?: string; testServer?: string };
