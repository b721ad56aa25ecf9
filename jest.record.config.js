// `npm run record:histories`: re-records test/fixtures/histories (see test/support/record-histories.ts).
import base from './jest.config.js';

const workflow = base.projects.find((p) => p.displayName === 'workflow');
/** @type {import('jest').Config} */
export default { ...workflow, displayName: 'record', testMatch: ['<rootDir>/test/record/**/*.spec.ts'] };
