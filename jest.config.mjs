/**
 * Jest in ESM mode (NestJS 12 ships ES modules only). Tiers, as in docs/house-style:
 *   unit    src/**\/*.spec.ts      pure logic, no database
 *   medium  test/medium/**         services and repositories on a real database
 *   e2e     test/e2e/**            the HTTP app through supertest and configureApp
 *   browser test/browser/**        real Chromium through playwright-core
 * medium and e2e run once per database: TEST_DB=sqlite (default) or TEST_DB=postgres.
 *
 * Test files are compiled by SWC (@swc/jest), which only strips types: about ten times faster
 * than ts-jest. Types are checked once for the whole tree by `npm run typecheck` (tsc), which
 * `npm test` runs first. The SWC settings mirror tsconfig.json: legacy decorators with their
 * metadata (Nest's injection and class-validator read it) and ES2023 class fields.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  testEnvironment: 'node',
  rootDir: '.',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/tooling/**/*.test.ts'] },
    { ...common, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
  testTimeout: 60_000,
};
