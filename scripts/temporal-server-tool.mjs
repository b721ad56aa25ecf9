#!/usr/bin/env node
// Finds or builds the self-hosted Temporal server that cluster mode runs (`npm run cluster`): the
// server binary, its SQL schema tool and the PostgreSQL schema they belong to, with nothing
// downloaded beyond the Go module proxy. For the binaries, in this order:
//   1. the paths in TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH (operators' own builds);
//   2. `temporal-server` and `temporal-sql-tool` on PATH (the names of the upstream release);
//   3. copies already built into the project-local, git-ignored .tools/bin/;
//   4. `go install` of the pinned modules into .tools/bin (about 3–6 minutes cold on 2 cores, then cached).
// The PostgreSQL schema is the one compiled into the SQL tool (`--schema-name postgresql/v12/…`),
// so it always matches the tool's release; TEMPORAL_SCHEMA_DIR points at a schema folder instead
// (a release's schema/postgresql/v12, holding temporal/versioned and visibility/versioned).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable, onPath, projectRoot } from './temporal-tools.mjs';

/** The server release the schema, the config template and the binaries belong to (../shared/docs/toolchain.md). */
export const TEMPORAL_SERVER_VERSION = '1.31.2';
const MODULE = 'go.temporal.io/server';
const PACKAGES = { server: 'cmd/server', sql: 'cmd/tools/sql' };
/** Installed names: the upstream release's, rather than go install's bare `server` and `sql`. */
const NAMES = { server: 'temporal-server', sql: 'temporal-sql-tool' };
const ENV_VARS = { server: 'TEMPORAL_SERVER_PATH', sql: 'TEMPORAL_SQL_TOOL_PATH' };

function findExisting(kind, env, toolsDir) {
  const fromEnv = env[ENV_VARS[kind]];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`fabu: ${ENV_VARS[kind]}=${fromEnv} is not an executable file.`);
    return { path: fromEnv, route: `env ${ENV_VARS[kind]}` };
  }
  const fromPath = onPath(NAMES[kind], env);
  if (fromPath) return { path: fromPath, route: 'PATH' };
  const local = join(toolsDir, 'bin', NAMES[kind]);
  if (isExecutable(local)) return { path: local, route: 'project tools folder' };
  return undefined;
}

function goInstall(kinds, env, toolsDir, log) {
  // A scratch GOBIN, so the bare names go install gives never land beside other tools.
  const scratch = join(toolsDir, 'go-install-temporal');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(join(toolsDir, 'bin'), { recursive: true });
  const modules = kinds.map((k) => `${MODULE}/${PACKAGES[k]}@v${TEMPORAL_SERVER_VERSION}`);
  log(`fabu tools: building ${modules.join(' ')} into ${join(toolsDir, 'bin')} (a few minutes, once)`);
  const started = Date.now();
  const result = spawnSync('go', ['install', ...modules], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOBIN: scratch },
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `fabu: could not build the Temporal server (go install: ${result.error?.message ?? `exited ${result.status ?? result.signal}`}): ` +
        'install Go (it builds the server from the Go module proxy), or put temporal-server and temporal-sql-tool ' +
        'on PATH, or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH.',
    );
  }
  for (const kind of kinds) {
    renameSync(join(scratch, PACKAGES[kind].split('/').at(-1)), join(toolsDir, 'bin', NAMES[kind]));
  }
  rmSync(scratch, { recursive: true, force: true });
  log(`fabu tools: Temporal server built in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * Returns the absolute paths of the Temporal server and its SQL tool, building them into
 * .tools/bin when no other route has them, and TEMPORAL_SCHEMA_DIR when set (checked).
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void }} [options]
 * @returns {{ server: string, sql: string, schemaDir?: string }}
 */
export function ensureTemporalServer(options = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const toolsDir = env.FABU_TOOLS_DIR ?? join(projectRoot(), '.tools');
  const missing = ['server', 'sql'].filter((kind) => !findExisting(kind, env, toolsDir));
  if (missing.length) goInstall(missing, env, toolsDir, log);
  const found = {};
  for (const kind of ['server', 'sql']) {
    const hit = findExisting(kind, env, toolsDir);
    if (!hit)
      throw new Error(`fabu: ${NAMES[kind]} still missing after go install: set ${ENV_VARS[kind]} to your own build.`);
    log(`fabu tools: ${NAMES[kind]} → ${hit.path} (${hit.route})`);
    found[kind] = hit.path;
  }
  const schemaDir = env.TEMPORAL_SCHEMA_DIR || undefined;
  if (schemaDir && !existsSync(join(schemaDir, 'temporal', 'versioned')))
    throw new Error(`fabu: TEMPORAL_SCHEMA_DIR=${schemaDir} has no temporal/versioned folder.`);
  return { server: found.server, sql: found.sql, schemaDir };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureTemporalServer();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
