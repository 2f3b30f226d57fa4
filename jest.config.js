/** Settings both tiers share. */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testMatch: ['**/*.test.ts'],
  // Captures every log line of every test file and fails the file if a secret appears in one.
  setupFilesAfterEnv: ['<rootDir>/test/support/capture-logs.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Two tiers. `unit` needs no network and no Java, so `npm run test:unit` is fast; `integration`
  // talks to real DynamoDB Local and s3rver, which its globalSetup starts. Jest runs a project's
  // globalSetup only when at least one of its test files is selected, so the unit tier never starts them.
  projects: [
    { ...base, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...base,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration', '<rootDir>/test/deploy', '<rootDir>/test/package'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // Global options: jest reads these from the top-level config, not from a project.
  testTimeout: 60_000,
  maxWorkers: 2,
};
