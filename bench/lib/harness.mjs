/**
 * Shared bench plumbing: start the built app as a child process on a given database, wait for
 * it, load it with autocannon, read its peak memory, and write results. Load stays on loopback,
 * bounded in count and time.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';

export const ROOT = new URL('../..', import.meta.url).pathname;

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
  return words.slice(1, -1);
}

/**
 * Starts dist/main.js as `npm start` does; resolves once /api/health answers, with the time that took.
 * `root`: another checkout's build (bench/compare-builds.mjs runs two builds side by side).
 */
export async function startApp(env = {}, { root = ROOT } = {}) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...startFlags(root), join(root, 'dist', 'main.js')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LOG_REQUESTS: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
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
