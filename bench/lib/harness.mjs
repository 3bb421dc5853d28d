/**
 * Shared bench plumbing: a database of the benchmark's own (created, then dropped), start the
 * built app as a child process on it, wait for it, load it with autocannon, read its peak memory,
 * and write results. Load stays on loopback, bounded in count and time.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';

export const ROOT = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

/** Databases this process created and still has to drop, and apps it started and still has to stop. */
const owedDrops = new Set();
const runningApps = new Set();
let signalsHandled = false;

/**
 * On SIGINT (Ctrl-C) or SIGTERM (run.mjs's time limit), stop the apps this process started and
 * drop its databases before leaving, so an interrupted run leaves the server as it found it.
 */
function handleSignals() {
  if (signalsHandled) return;
  signalsHandled = true;
  let leaving = false;
  const leave = async (signal) => {
    if (leaving) return;
    leaving = true;
    // Connections the drop cuts (the generator's, an in-process app's) fail as it goes: expected now.
    process.on('uncaughtException', () => undefined);
    console.error(`\n${signal}: stopping the app and dropping this benchmark's databases`);
    for (const child of runningApps) child.kill('SIGKILL');
    for (const drop of owedDrops) await drop().catch((error) => console.error(`could not drop a bench database: ${error.message}`));
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void leave(signal));
}

const PG_PREFIX = 'mat_bench_';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '']);

async function onServer(serverUrl, work) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Bench databases (mat_bench_<name>_<pid>) whose benchmark process is gone: left by a run killed
 * with SIGKILL or by a crash of the machine. Only on a server of this machine, where the pid says
 * whether the run is still going; another machine's server is left alone.
 */
async function dropLeftovers(serverUrl) {
  if (!LOCAL_HOSTS.has(new URL(serverUrl).hostname)) return;
  await onServer(serverUrl, async (client) => {
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE '${PG_PREFIX}%'`);
    for (const { datname } of rows) {
      const pid = Number(/_(\d+)$/.exec(datname)?.[1]);
      if (!pid || pid === process.pid || alive(pid)) continue;
      console.log(`(dropping ${datname}, left by an earlier bench run whose process ${pid} is gone)`);
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * A database of the benchmark's own: a new SQLite file under bench/.data, or, with DATABASE_URL
 * set, a new database on that PostgreSQL server (the URL names the server; its own database is
 * only used to create and drop ours). `drop()` removes it; call it in `finally`. It is dropped on
 * SIGINT and SIGTERM too. `env` points the app, the generator and `query` at it.
 */
export async function freshDatabase(name) {
  handleSignals();
  const serverUrl = process.env.DATABASE_URL;
  let drop;
  let database;
  if (!serverUrl) {
    mkdirSync(join(ROOT, 'bench', '.data'), { recursive: true });
    const path = join(ROOT, 'bench', '.data', `${name}.sqlite`);
    const remove = async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    };
    await remove();
    drop = remove;
    database = { kind: 'sqlite', name: path, env: { SQLITE_PATH: path } };
  } else {
    await dropLeftovers(serverUrl);
    const dbName = `${PG_PREFIX}${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}`;
    await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${dbName}`));
    drop = () => onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    database = { kind: 'postgres', name: dbName, env: { DATABASE_URL: url.toString() } };
  }
  owedDrops.add(drop);
  return {
    ...database,
    /** Stops any app still running (a benchmark that failed half-way), then removes the database. */
    async drop() {
      for (const child of runningApps) await stopChild(child);
      owedDrops.delete(drop);
      await drop();
    },
  };
}

/**
 * Rows of one statement on a bench database (`env` from freshDatabase), read outside the app.
 * Placeholders are PostgreSQL's ($1, $2…), in order; SQLite gets them as `?`.
 */
export async function query(env, sql, params = []) {
  if (env.DATABASE_URL) return onServer(env.DATABASE_URL, async (client) => (await client.query(sql, params)).rows);
  const Database = require('better-sqlite3');
  const db = new Database(env.SQLITE_PATH, { readonly: true });
  try {
    return db.prepare(sql.replace(/\$\d+/g, '?')).all(...params);
  } finally {
    db.close();
  }
}

/**
 * Waits until the app's valuation worker has stored every row's values and the app has built its
 * maintained aggregates (polled in the database),
 * so a load measures serving rather than serving beside the worker. Resolves to when that was
 * (process.hrtime.bigint()).
 */
export async function allValued(env) {
  const sql = 'SELECT (SELECT COUNT(*) FROM pledges WHERE valued_at IS NULL) + (SELECT COUNT(*) FROM disbursements WHERE valued_at IS NULL) AS n';
  while (Number((await query(env, sql))[0].n) > 0) await new Promise((r) => setTimeout(r, 200));
  await aggregatesBuilt(env);
  return process.hrtime.bigint();
}

/** Waits until the app has built the ledger's maintained aggregates (a fresh synthetic ledger leaves them to build). */
export async function aggregatesBuilt(env) {
  const sql = 'SELECT status FROM ledger_aggregates_state WHERE id = 1';
  while ((await query(env, sql))[0].status !== 'ready') await new Promise((r) => setTimeout(r, 200));
  return process.hrtime.bigint();
}

/**
 * `--name value` from the command line, else the environment variable, else the default: the
 * options a benchmark takes (`--scale 2`, `--seconds 5`). run.mjs passes its arguments on.
 */
export function option(name, envName, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at > 0 ? process.argv[at + 1] : process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} (or ${envName}) must be a positive number, not ${raw}`);
  return value;
}

/** Synthetic ledger size: `--scale N` (or BENCH_SCALE) times 100k pledges and 300k receipts. */
export const scale = () => option('scale', 'BENCH_SCALE', 1);

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * The Node flags `npm start` runs the app with (package.json's start script), so every benchmark
 * measures the app as deployed: `--max-old-space-size=1024` is there for memory (with V8's default
 * limit the old generation grows to about four times the live heap before a full collection).
 * Until 2026-12-05 only the core benchmark applied them; the funding-gap one ran without.
 */
function startFlags(root) {
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
  const words = start.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error(`unexpected start script: ${start}`);
  const flags = words.slice(1, -1);
  // BENCH_MAX_OLD_SPACE_MB: the heap an operator would give a larger ledger (the 10x run); the
  // results then say which heap the app had.
  const heap = process.env.BENCH_MAX_OLD_SPACE_MB;
  if (heap === undefined) return flags;
  if (!/^[1-9][0-9]*$/.test(heap)) throw new Error(`BENCH_MAX_OLD_SPACE_MB must be a whole number of MB, not ${heap}`);
  return [...flags.filter((f) => !f.startsWith('--max-old-space-size=')), `--max-old-space-size=${heap}`];
}

/**
 * Starts dist/main.js as `npm start` does; resolves once /api/health answers, with the time that took.
 * `root`: another checkout's build (bench/compare-builds.mjs runs two builds side by side).
 */
export async function startApp(env = {}, { root = ROOT } = {}) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  // The app's database is the one `env` names: never the server database of the bench's DATABASE_URL.
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL;
  const child = spawn(process.execPath, [...startFlags(root), join(root, 'dist', 'main.js')], {
    cwd: root,
    env: { ...inherited, PORT: String(port), LOG_REQUESTS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runningApps.add(child);
  child.once('exit', () => runningApps.delete(child));
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`app exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    url,
    pid: child.pid,
    startMs,
    /** When the process was spawned (process.hrtime.bigint()). */
    startedAt: started,
    output: () => output,
    /** Peak resident set size so far (VmHWM), in MB. */
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
    },
    stop: () => stopChild(child),
  };
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  return exited;
}

export async function login(url, email, password) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}

/** autocannon for a fixed duration; returns requests/s, latency percentiles and error counts. */
export async function load(opts) {
  const result = await autocannon({ connections: 10, duration: 8, ...opts });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

export function writeResult(name, data) {
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', `${name}.json`), JSON.stringify({ name, at: new Date().toISOString(), ...data }, null, 2));
}

export function printTable(title, rows) {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [label, value, note = ''] of rows) console.log(`  ${label.padEnd(width)}  ${String(value).padStart(12)}  ${note}`);
}

export const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The value at fraction `p` (0.99 for p99) of the sorted values, nearest rank; NaN when there are none. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/**
 * One GET, timed to its last byte. Node's own client, without a timeout: fetch gives up after 300 s
 * without headers, and the first gap on the 10x ledger's 4M unvalued rows took longer than that.
 */
export async function timedGet(url, headers) {
  const t0 = process.hrtime.bigint();
  const { status, body } = await new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    }).on('error', reject);
  });
  if (status < 200 || status > 299) throw new Error(`${url}: ${status} ${body.slice(0, 300)}`);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, body };
}

const msBetween = (from, to) => Number(to - from) / 1e6;

/**
 * autocannon where every connection goes round the same cycle of requests (one in flight at a
 * time), each request timed on its own from the moment it is written to the moment its answer is
 * complete, and counted by its step's `kind`. So a mix (ten reads, then a write) keeps its
 * proportions exactly, and the reads' latencies are not mixed with the writes'.
 *
 * A step: { kind, method, path, headers, body, prepare(req, context) → req (e.g. a fresh
 * Idempotency-Key), answered(status, body, context) }. `duration` in seconds; `stop()` ends the
 * load early (autocannon stops within a second). `timeout` (seconds) is long by default: a slow
 * answer is measured, not cut off and retried.
 *
 * `byKind` fills as the load runs: { kind: { askedAt: [t0], answers: [{ t0, t1, ms, status }] } },
 * t0/t1 being process.hrtime.bigint() values. `finished` resolves to { seconds, byKind (each kind
 * with `inFlight`: asked, never answered), errors, timeouts }.
 */
export function cycleLoad({ url, cycle, connections = 10, duration, timeout = 900 }) {
  const byKind = {};
  const kind = (name) => (byKind[name] ??= { askedAt: [], answers: [] });
  const requests = cycle.map((step) => ({
    method: step.method ?? 'GET',
    path: step.path,
    headers: step.headers ?? {},
    ...(step.body === undefined ? {} : { body: step.body }),
    setupRequest: (req, context) => {
      const prepared = step.prepare ? step.prepare(req, context) : req;
      context.step = step;
      context.t0 = process.hrtime.bigint();
      kind(step.kind).askedAt.push(context.t0);
      return prepared;
    },
    // The answer belongs to the request last written on this connection (context.step), not to
    // the request autocannon hands back: after a connection error autocannon reconnects and
    // sends the next request but keeps the lost one at the head of its queue, so its `req`
    // is then one request behind (a pledge's 201 was counted as a read's).
    onResponse: (status, body, context) => {
      const t1 = process.hrtime.bigint();
      const asked = context.step;
      kind(asked.kind).answers.push({ t0: context.t0, t1, ms: msBetween(context.t0, t1), status });
      asked.answered?.(status, body, context);
    },
  }));
  for (const step of cycle) kind(step.kind);
  const started = process.hrtime.bigint();
  const instance = autocannon({ url, connections, duration, timeout, requests });
  const finished = (async () => {
    const result = await instance;
    const seconds = msBetween(started, process.hrtime.bigint()) / 1000;
    for (const stats of Object.values(byKind)) stats.inFlight = stats.askedAt.length - stats.answers.length;
    return { seconds, startedAt: started, byKind, errors: result.errors, timeouts: result.timeouts };
  })();
  return { startedAt: started, byKind, stop: () => instance.stop(), finished };
}

/** Requests/s, p50 and p99 (ms), non-2xx count and answers by status of some answers over `seconds`. */
export function summarise(answers, seconds) {
  const ms = answers.map((a) => a.ms);
  return {
    answered: answers.length,
    rps: answers.length / seconds,
    p50: percentile(ms, 0.5),
    p99: percentile(ms, 0.99),
    // A loop, not Math.max(...ms): spread over a few hundred thousand answers overflows the stack
    // (gap reads during a revaluation on PostgreSQL, once they stopped waiting for it).
    max: ms.length ? ms.reduce((a, b) => (b > a ? b : a), -Infinity) : NaN,
    non2xx: answers.filter((a) => a.status < 200 || a.status > 299).length,
    statuses: answers.reduce((count, a) => ({ ...count, [a.status]: (count[a.status] ?? 0) + 1 }), {}),
  };
}

/**
 * "201" must mean "saved": every key answered 201 is stored, with exactly one row each, and
 * nothing answered otherwise is. The only saved rows without a 201 are requests still in flight
 * when the load stopped (autocannon closes its connections then; the app finishes them).
 * `answers`: Idempotency-Key → status answered; `saved`: { rows, keys: Set } read from the database.
 */
export function checkDurability(answers, saved) {
  const answered201 = [...answers.values()].filter((s) => s === 201).length;
  const failures = [];
  const lost = [...answers].filter(([key, status]) => status === 201 && !saved.keys.has(key));
  if (lost.length) failures.push(`${lost.length} answered 201 but not saved (e.g. ${lost[0][0]})`);
  const refusedYetSaved = [...answers].filter(([key, status]) => status !== 201 && saved.keys.has(key));
  if (refusedYetSaved.length) failures.push(`${refusedYetSaved.length} answered ${refusedYetSaved[0][1]} yet saved (e.g. ${refusedYetSaved[0][0]})`);
  if (saved.rows !== saved.keys.size) failures.push(`${saved.rows} rows saved for ${saved.keys.size} stored Idempotency-Keys`);
  const cutOff = [...saved.keys].filter((key) => !answers.has(key)).length;
  if (saved.rows !== answered201 + cutOff) failures.push(`${saved.rows} rows saved, but ${answered201} answered 201 and ${cutOff} cut off in flight`);
  const note = failures.length ? 'MISMATCH' : cutOff ? `equal, plus ${cutOff} saved from requests cut off in flight at the end` : 'equal';
  return { answered201, saved: saved.rows, cutOff, failures, note };
}
