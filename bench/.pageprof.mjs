import { startApp, load, login, fmt } from './lib/harness.mjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = mkdtempSync(join(tmpdir(), 'pageprof-'));
const env = { SQLITE_PATH: join(dir, 'db.sqlite'), NODE_ENV: 'production', SEED: 'true', BOOTSTRAP_ADMIN_EMAIL: 'admin@bench.local', BOOTSTRAP_ADMIN_PASSWORD: 'bench-password-1' };
let app;
if (process.env.PROF) {
  const { spawn } = await import('node:child_process');
  const port = 3900 + Math.floor(Math.random() * 50);
  const child = spawn(process.execPath, ['--enable-source-maps', '--cpu-prof', '--cpu-prof-dir=/tmp/prof', 'dist/main.js'], { env: { ...process.env, ...env, PORT: String(port), LOG_REQUESTS: 'false' }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) { try { if ((await fetch(url + '/api/health')).ok) break; } catch {} await new Promise((r) => setTimeout(r, 50)); }
  app = { url, pid: child.pid, stop: async () => { child.kill('SIGINT'); await new Promise((r) => child.once('exit', r)); } };
} else app = await startApp(env);
const token = await login(app.url, env.BOOTSTRAP_ADMIN_EMAIL, env.BOOTSTRAP_ADMIN_PASSWORD);
const asOf = '2026-01-01';
const gapUrl = `${app.url}/api/funding-gap?currency=USD&asOf=${asOf}`;
const headers = { authorization: `Bearer ${token}` };
await fetch(gapUrl, { headers });
await fetch(`${app.url}/?currency=USD&asOf=${asOf}`, { headers: { cookie: `mat_session=${token}`, accept: 'text/html' } });
const which = (process.env.ONLY ?? 'health,gap,page').split(',');
const dur = Number(process.env.DUR ?? 5);
for (const w of which) {
  const opts = w === 'health' ? { url: `${app.url}/api/health` } : w === 'gap' ? { url: gapUrl, headers } : w === 'gapz' ? { url: gapUrl, headers: { ...headers, 'accept-encoding': 'gzip' } } : { url: `${app.url}/?currency=USD&asOf=${asOf}`, headers: { cookie: `mat_session=${token}`, accept: 'text/html', 'accept-encoding': 'gzip' } };
  const r = await load({ ...opts, duration: dur });
  console.log(w, fmt(r.rps), 'req/s p50', r.p50, 'p99', r.p99, 'non2xx', r.non2xx);
}
await app.stop?.();

await new Promise((r) => setTimeout(r, 1500));
