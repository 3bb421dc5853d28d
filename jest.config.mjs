/**
 * Jest in ESM mode (NestJS 12 ships ES modules only). Tiers, as in docs/house-style:
 *   unit    src/**\/*.spec.ts      pure logic, no database
 *   medium  test/medium/**         services and repositories on a real database
 *   e2e     test/e2e/**            the HTTP app through supertest and configureApp
 *   browser test/browser/**        real Chromium through playwright-core
 * medium and e2e run once per database: TEST_DB=sqlite (default) or TEST_DB=postgres.
 */
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }];
const common = {
  preset: 'ts-jest/presets/default-esm',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
  rootDir: '.',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
  testTimeout: 60_000,
};
