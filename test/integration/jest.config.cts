// Integration suites: libraries against the real broker and database (npm test starts them).
module.exports = {
  displayName: 'integration',
  rootDir: '../..',
  testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
  moduleNameMapper: {
    '^@campaign-webhooks/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testTimeout: 60_000,
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/.nx', '<rootDir>/.local'],
};
