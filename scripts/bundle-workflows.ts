// Build step: bundles the workflows once, so production workers load dist/workflow-bundle.js
// instead of running webpack at every start.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..');
const { code } = await bundleWorkflowCode({
  workflowsPath: join(dist, 'workflows', 'index.js'),
  logger: {
    log: () => undefined,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: console.warn,
    error: console.error,
  },
});
await writeFile(join(dist, 'workflow-bundle.js'), code);
process.stdout.write(`workflow bundle: ${join(dist, 'workflow-bundle.js')} (${(code.length / 1024).toFixed(0)} KiB)\n`);
