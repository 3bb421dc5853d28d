// @ts-check
/**
 * One lint configuration for the whole tree (`npm run lint`, and the first step of `npm test`).
 * Type-aware rules where they catch real bugs: promises nobody awaits or handles, `any` leaking
 * into typed code. Import rules that keep the architecture (docs/house-style.md):
 *   - TypeORM only in repositories, entities, migrations and src/database/;
 *   - src/web/ (screens) is never imported by a domain module;
 *   - a module's repository is its own: others call its service (a type from it is fine);
 *   - src/database/ imports no feature (entities reach it from the app module, src/entities.ts);
 *   - src/access/ (actors, roles, donor visibility) imports no feature, so every module can use it
 *     without a circle (auth's guard enforces it, and auth may import donors, audit, idempotency);
 *   - which database the app runs on is known only in src/database/ (the SQL dialect layer).
 * Formatting is Prettier's (`npm run format`); ESLint does not argue about it.
 */
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const TYPEORM_ALLOWED = ['src/database/**', 'src/**/*.repository.ts', 'src/**/*.entity.ts', 'src/**/entities/**', 'src/**/migrations/**'];

const TYPEORM_PATTERN = {
  group: ['typeorm', 'typeorm/*', '@nestjs/typeorm'],
  message: 'TypeORM belongs in repositories, entities, migrations and src/database/ (docs/house-style.md, rule 3).',
};
const WEB_PATTERN = {
  group: ['**/web', '**/web/*', '**/web/**'],
  message: 'Domain modules never import src/web/ (the screens); move what both need out of web/ (docs/house-style.md, rule 16).',
};

const REPOSITORY_PATTERN = {
  group: ['../*/*.repository'],
  allowTypeImports: true,
  message: "Another module's repository is its own: call that module's service (docs/house-style.md, rule 13).",
};
const FEATURE_PATTERN = {
  regex: '^(\\.\\./)+(?!config/|common/)[^./][^/]*/',
  message: 'database/ and access/ sit below every feature: they import only config/ and common/ (no folder-level circles).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', '.tmp/**', 'test-artifacts/**', 'bench/results/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // HTTP answers in tests are `any` by design (supertest's res.body); the tests assert on them.
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Scripts, benchmarks and configuration in plain JavaScript: the base rules, Node's globals.
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { ...globals.node } },
  },
  {
    // The screens' one script (public/app.js) runs in the browser, as a classic script.
    files: ['public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    files: ['src/**/*.ts'],
    ignores: TYPEORM_ALLOWED,
    rules: {
      'no-restricted-imports': ['error', { patterns: [TYPEORM_PATTERN] }],
    },
  },
  {
    // Domain modules never import the screens; app wiring (app.module, configure-app) may.
    files: ['src/**/*.ts'],
    ignores: ['src/web/**', 'src/app.module.ts', 'src/configure-app.ts', 'src/main.ts', ...TYPEORM_ALLOWED],
    rules: {
      'no-restricted-imports': ['error', { patterns: [TYPEORM_PATTERN, WEB_PATTERN] }],
    },
  },
  {
    files: TYPEORM_ALLOWED,
    ignores: ['src/web/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [WEB_PATTERN] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [REPOSITORY_PATTERN] }],
    },
  },
  {
    files: ['src/database/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [WEB_PATTERN, FEATURE_PATTERN] }],
    },
  },
  {
    files: ['src/access/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [TYPEORM_PATTERN, WEB_PATTERN, FEATURE_PATTERN] }],
    },
  },
  {
    // SQLite or PostgreSQL is the dialect layer's business (src/database/sql-dialect.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/database/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Identifier[name='isPostgres']", message: 'Ask SqlDialect (src/database/sql-dialect.ts), the one place that knows the database.' },
      ],
    },
  },
);
