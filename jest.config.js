// Four tiers, each a jest project: `npm test` runs them all, `npm run test:unit` etc. one.
const tsJest = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  // Server tiers start real servers; jest reads the timeout only at the top level, not per project.
  testTimeout: 60_000,
  projects: [
    { ...tsJest, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...tsJest,
      displayName: 'workflow',
      testMatch: ['<rootDir>/test/workflow/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
    },
    {
      ...tsJest,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup-e2e.js',
    },
    {
      ...tsJest,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup-browser.js',
    },
  ],
};
