import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  logger: Logger;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with a SQLite file in the data dir (state survives a restart)
 * and waits until its frontend answers. The child dies with us: stop() sends SIGTERM, then SIGKILL.
 */
export async function startTemporalDevServer(o: DevServerOptions): Promise<RunningDevServer> {
  const dir = join(o.dataDir, 'temporal');
  await mkdir(dir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--db-filename',
    join(dir, 'temporal.db'),
    '--namespace',
    o.namespace,
    '--log-level',
    'warn',
    '--log-format',
    'json',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
  ];
  o.logger.info({ cli: o.cliPath, args }, 'starting Temporal dev server');
  // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the server after the
  // worker has drained. If we die without stopping it, the exit hook still takes it down.
  const child = spawn(o.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  // The first lines carry the cause of an early exit (a port taken, a bad flag), the last the
  // stack of the panic that follows: keep both.
  let head = '';
  let tail = '';
  let total = 0;
  const output = () =>
    total <= head.length + tail.length ? head + tail.slice(head.length + tail.length - total) : `${head}\n…\n${tail}`;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    total += text.length;
    if (head.length < 2000) head = (head + text).slice(0, 2000);
    tail = (tail + text).slice(-4000);
    for (const line of chunk.toString().split('\n').filter(Boolean))
      o.logger.debug({ component: 'temporal-server' }, line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = `127.0.0.1:${o.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 200))]);
    if (early !== 'alive') {
      throw new Error(
        `Temporal dev server exited with ${early} before it was ready (is port ${o.port} or ${o.uiPort} in use?):\n${output()}`,
      );
    }
    if (await answers(address, o.namespace)) break;
    if (Date.now() > deadline) {
      await stopChild(child, exited);
      throw new Error(`Temporal dev server did not answer on ${address} within 60 s:\n${output()}`);
    }
  }
  return { address, uiUrl: `http://127.0.0.1:${o.uiPort}`, stop: () => stopChild(child, exited) };
}

async function answers(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.withDeadline(Date.now() + 1000, () =>
      connection!.workflowService.describeNamespace({ namespace }),
    );
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
