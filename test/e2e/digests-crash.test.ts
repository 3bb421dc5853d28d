import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeDonor } from '../support/factories';
import { startSmtpServer, TestSmtpServer } from '../support/digests-smtp';
import { ADMIN, createTestApp, TestApp } from '../support/test-app';

/**
 * The sender runs in a child process on the BUILT app (dist/), so it can really be killed. The
 * test builds first (tsc -p tsconfig.build.json, about 15 s) so dist/ matches the sources.
 */
const ROOT = process.cwd();
const CHILD = join(ROOT, 'test', 'support', 'digests-sender-child.mjs');
const MESSAGES = 12;
/** The sender is killed while this message is on the wire, before the server has accepted it. */
const KILL_AT_ARRIVAL = 5;

interface OutboxItem {
  messageId: string;
  status: string;
  attempts: number;
}

describe('a digest sender killed in the middle of a run', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let first: ChildProcess | null = null;
  let second: ChildProcess | null = null;
  let arrivals = 0;
  let firstExit: Promise<NodeJS.Signals | null>;

  const startSender = (): ChildProcess => {
    const child = spawn(process.execPath, [CHILD], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...t.db.env,
        NODE_OPTIONS: '',
        SEED: 'false',
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        DIGEST_CRON: 'off',
        DIGEST_SENDER_INTERVAL_MS: '50',
        DIGEST_CLAIM_LEASE_MS: '1500',
        DIGEST_RETRY_BASE_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[sender ${child.pid}] ${d.toString()}`));
    return child;
  };

  const outbox = async (): Promise<OutboxItem[]> =>
    (await t.http.get('/api/digests/outbox?limit=500').set('authorization', `Bearer ${t.adminToken}`)).body.items;

  beforeAll(async () => {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (!existsSync(join(ROOT, 'dist', 'digests', 'digest-sender.js'))) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);

    smtp = await startSmtpServer({
      beforeAccept: async (arrival) => {
        arrivals = arrival;
        if (arrival !== KILL_AT_ARRIVAL || !first) return true;
        first.kill('SIGKILL');
        await firstExit;
        return false;
      },
    });
    t = await createTestApp({ env: { DIGEST_CRON: 'off', DIGEST_SENDER_INTERVAL_MS: 'off' } });
    for (let n = 1; n <= MESSAGES; n++) await makeDonor(t, { contacts: [{ email: `contact${n}@crash.example` }] });
  }, 180_000);

  afterAll(async () => {
    for (const child of [first, second]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t?.close();
    await smtp?.close();
  });

  it('delivers every message after a restart, and none twice', async () => {
    const run = await t.http.post('/api/digests/run').set('authorization', `Bearer ${t.adminToken}`).send({ period: '2025-03' });
    expect(run.body).toEqual({ queued: MESSAGES, period: '2025-03' });

    first = startSender();
    const started = first;
    firstExit = new Promise((resolve) => started.once('exit', (_code, signal) => resolve(signal)));
    expect(await firstExit).toBe('SIGKILL');

    // Killed with message 5 on the wire: four were accepted and recorded, the rest wait for the lease to pass.
    expect(smtp.mails).toHaveLength(KILL_AT_ARRIVAL - 1);
    const afterCrash = await outbox();
    expect(afterCrash.filter((m) => m.status === 'sent')).toHaveLength(KILL_AT_ARRIVAL - 1);
    expect(afterCrash.filter((m) => m.status === 'queued')).toHaveLength(MESSAGES - KILL_AT_ARRIVAL + 1);

    second = startSender();
    const deadline = Date.now() + 30_000;
    let items = await outbox();
    while (items.some((m) => m.status !== 'sent')) {
      if (Date.now() > deadline) throw new Error(`not delivered after restart: ${JSON.stringify(items.filter((m) => m.status !== 'sent'))}`);
      await new Promise((r) => setTimeout(r, 100));
      items = await outbox();
    }
    second.kill('SIGTERM');

    expect(items.map((m) => m.status)).toEqual(Array(MESSAGES).fill('sent'));
    const received = smtp.mails.map((m) => m.parsed.messageId ?? '');
    expect(received).toHaveLength(MESSAGES);
    expect(new Set(received).size).toBe(MESSAGES);
    expect([...received].sort()).toEqual(items.map((m) => m.messageId).sort());
    // One arrival was cut off by the crash and refused; it was sent again after the restart.
    expect(arrivals).toBe(MESSAGES + 1);
  }, 120_000);
});
