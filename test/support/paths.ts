import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The workflows barrel the worker bundles (TypeScript source, bundled by the SDK's webpack). */
export const workflowsPath = require.resolve('../../workflows/index.ts');
