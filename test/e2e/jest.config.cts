// End-to-end suites: they drive the running services from the outside (npm test starts them).
module.exports = {
  displayName: 'e2e',
  rootDir: '../..',
  testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
  moduleNameMapper: {
    '^@campaign-webhooks/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testTimeout: 60_000,
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/.nx', '<rootDir>/.local'],
};
