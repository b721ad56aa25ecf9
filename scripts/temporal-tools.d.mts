export declare const PINNED: { cli: string; testServer: string };
export declare function projectRoot(): string;
export declare function ensureTemporalTools(options?: {
  kinds?: Array<'cli' | 'testServer'>;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** false: only look (PATH, env var, .tools/), never install from PyPI. */
  install?: boolean;
}): { cli?: string; testServer?: string };
export declare function isExecutable(path: string): boolean;
export declare function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined;
