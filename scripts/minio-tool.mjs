#!/usr/bin/env node
// Finds or builds the S3-compatible server the document-store tests run against (MinIO, an AGPL
// server used as a separate process in tests only), with nothing downloaded beyond the Go module
// proxy. In this order:
//   1. the path in MINIO_PATH;
//   2. `minio` on PATH;
//   3. a copy already built into the project-local, git-ignored .tools/bin/;
//   4. `go install` of the pinned module into .tools/bin (about 2–5 minutes cold, then cached there).
// `npm run tools` runs it after the Temporal binaries; CI keeps .tools/ between runs like them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable, onPath, projectRoot } from './temporal-tools.mjs';

/** What `@latest` resolved to when this was written (../shared/docs/toolchain.md); pinned so every build is the same. */
export const MINIO_MODULE = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';

function findExisting(env, toolsDir) {
  if (env.MINIO_PATH) {
    if (!isExecutable(env.MINIO_PATH)) throw new Error(`fabu: MINIO_PATH=${env.MINIO_PATH} is not an executable file.`);
    return { path: env.MINIO_PATH, route: 'env MINIO_PATH' };
  }
  const fromPath = onPath('minio', env);
  if (fromPath) return { path: fromPath, route: 'PATH' };
  const local = join(toolsDir, 'bin', 'minio');
  if (isExecutable(local)) return { path: local, route: 'project tools folder' };
  return undefined;
}

/**
 * Returns the absolute path of a `minio` binary, building it into .tools/bin when no other route has one.
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void }} [options]
 * @returns {string}
 */
export function ensureMinio(options = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const toolsDir = env.FABU_TOOLS_DIR ?? join(projectRoot(), '.tools');
  let hit = findExisting(env, toolsDir);
  if (!hit) {
    const bin = join(toolsDir, 'bin');
    log(`fabu tools: building ${MINIO_MODULE} into ${bin} from the Go module proxy (a few minutes, once)`);
    const started = Date.now();
    const result = spawnSync('go', ['install', MINIO_MODULE], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOBIN: bin },
    });
    if (result.error || result.status !== 0) {
      throw new Error(
        `fabu: could not build minio (go install ${MINIO_MODULE}: ${result.error?.message ?? `exited ${result.status ?? result.signal}`}): ` +
          'install Go (it builds minio from the Go module proxy), or put a minio binary on PATH, or set MINIO_PATH.',
      );
    }
    log(`fabu tools: minio built in ${Math.round((Date.now() - started) / 1000)} s`);
    hit = findExisting(env, toolsDir);
    if (!hit)
      throw new Error(`fabu: minio still missing after go install: build ${MINIO_MODULE} yourself and set MINIO_PATH.`);
  }
  log(`fabu tools: minio → ${hit.path} (${hit.route})`);
  return hit.path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureMinio();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
