/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Captures every log line of every test file and fails the file if a secret appears in one.
  setupFilesAfterEnv: ['<rootDir>/test/support/capture-logs.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
