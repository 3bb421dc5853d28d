#!/usr/bin/env node
/**
 * The whole suite, as the README and CI run it: type-check, unit tests, the medium and e2e tiers
 * on SQLite and again on PostgreSQL, then the browser tests. Prints one closing line
 * "N passed, N failed" summed over every run, and exits non-zero if anything failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const runs = [
  { name: 'unit', args: ['--selectProjects', 'unit'], env: {} },
  { name: 'medium+e2e on SQLite', args: ['--selectProjects', 'medium', 'e2e'], env: { TEST_DB: 'sqlite' } },
  { name: 'medium+e2e on PostgreSQL', args: ['--selectProjects', 'medium', 'e2e'], env: { TEST_DB: 'postgres' } },
  { name: 'browser', args: ['--selectProjects', 'browser', '--passWithNoTests'], env: {} },
];
const only = process.argv[2];
mkdirSync('.tmp', { recursive: true });

let passed = 0;
let failed = 0;
let broken = false;

const typecheck = spawnSync('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], { stdio: 'inherit' });
if (typecheck.status !== 0) {
  console.error('Type-check failed');
  broken = true;
}

for (const run of runs.filter((r) => !only || r.name.startsWith(only))) {
  console.log(`\n=== ${run.name} ===`);
  const out = `.tmp/jest-${run.name.replace(/\W+/g, '-')}.json`;
  rmSync(out, { force: true });
  const result = spawnSync('npx', ['jest', ...run.args, '--json', `--outputFile=${out}`], {
    stdio: 'inherit',
    env: { ...process.env, ...run.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
  });
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    if (report.numRuntimeErrorTestSuites > 0 || report.numFailedTestSuites > 0) broken = true;
  } catch {
    broken = true;
  }
  if (result.status !== 0) broken = true;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(broken || failed > 0 ? 1 : 0);
