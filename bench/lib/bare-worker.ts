// The bare-Temporal baseline's worker, run in a process of its own (as fabu's worker runs apart
// from the load generator): `node dist/bench/bench/run.js --bare-worker` with TEMPORAL_ADDRESS set.
// Bundles bare-workflow.js and polls its task queue until SIGINT or SIGTERM.
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { BARE_TASK_QUEUE } from './bare-workflow.js';

/** The line the bench waits for before it measures. */
export const BARE_WORKER_READY = 'bare worker ready';

export async function runBareWorker(address: string, namespace = 'default'): Promise<void> {
  // ERROR: a worker without activities warns that it will not poll for them.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue: BARE_TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('./bare-workflow.js', import.meta.url)),
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  const running = worker.run();
  process.stdout.write(`${BARE_WORKER_READY}\n`);
  await running;
  await connection.close();
}
