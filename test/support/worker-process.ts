// fabu's worker as its own OS process, as `npm run start:worker` runs it in production, so a test
// can kill it with SIGKILL. The worker runs compiled: the production build (tsc with
// tsconfig.build.json, then the prebuilt workflow bundle) into .tools/e2e-build, incrementally.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Inside the repository so the compiled files find node_modules and package.json's "type". */
const OUT = '.tools/e2e-build';

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')}: ${code ?? signal}\n${output.slice(-3000)}`)),
    );
  });
}

/** Builds the worker as `npm run build` does (only what changed since the last run); returns its entry point. */
export async function buildWorker(): Promise<string> {
  await run([
    'node_modules/typescript/bin/tsc',
    '-p',
    'tsconfig.build.json',
    '--outDir',
    OUT,
    '--incremental',
    '--tsBuildInfoFile',
    `${OUT}/tsconfig.tsbuildinfo`,
  ]);
  await run([`${OUT}/scripts/bundle-workflows.js`]);
  return `${ROOT}${OUT}/src/worker.js`;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code or signal once the process has exited. */
  exited: Promise<number | NodeJS.Signals>;
  /** SIGKILL, then wait for the exit: no shutdown, no drain, as a crashed machine. */
  kill(): Promise<number | NodeJS.Signals>;
}

/**
 * Starts `node <entry>` with only the given environment (plus PATH, HOME, TZ) and resolves once
 * the worker logs that it polls; rejects, with its last output, if it exits before.
 */
export async function startWorkerProcess(entry: string, env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: {
      ...Object.fromEntries(
        ['PATH', 'HOME', 'TZ'].flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k]]] : [])),
      ),
      ...env,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal!)),
  );
  let tail = '';
  const keep = (line: string) => (tail = `${tail}\n${line}`.slice(-4000));
  createInterface({ input: child.stderr! }).on('line', keep);
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      keep(line);
      try {
        if ((JSON.parse(line) as { msg?: string }).msg === 'worker polling') resolve();
      } catch {
        // not a log line
      }
    });
    child.once('error', reject);
    void exited.then((how) => reject(new Error(`worker exited (${how}) before polling:${tail}`)));
  });
  return {
    child,
    pid: child.pid!,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}
