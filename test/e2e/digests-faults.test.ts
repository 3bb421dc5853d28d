import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DigestSender } from '../../src/digests/digest-sender';
import { makeDonor } from '../support/factories';
import { startSmtpServer, TestSmtpServer, unusedPort } from '../support/digests-smtp';
import { createTestApp, TestApp } from '../support/test-app';

interface OutboxItem {
  to: string;
  messageId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
}

async function outbox(t: TestApp): Promise<OutboxItem[]> {
  const res = await t.http.get('/api/digests/outbox?limit=500').set('authorization', `Bearer ${t.adminToken}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Sender clocks are injected: retry timing is checked exactly, without waiting on the wall clock. */
const at = (base: number, plusMs: number) => () => new Date(base + plusMs);

describe('digest delivery when the SMTP server is down, then comes back', () => {
  let t: TestApp;
  let smtp: TestSmtpServer | null = null;
  let port: number;
  let sender: DigestSender;
  const RETRY_BASE_MS = 200;

  beforeAll(async () => {
    port = await unusedPort();
    t = await createTestApp({
      env: {
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        DIGEST_SENDER_INTERVAL_MS: 'off',
        DIGEST_CRON: 'off',
        DIGEST_RETRY_BASE_MS: String(RETRY_BASE_MS),
        DIGEST_MAX_ATTEMPTS: '5',
      },
    });
    sender = t.app.get(DigestSender);
    for (const n of [1, 2, 3]) await makeDonor(t, { contacts: [{ email: `contact${n}@donor${n}.example` }] });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('keeps messages queued with attempts counted, backs off exponentially, then delivers each exactly once', async () => {
    const run = await t.http.post('/api/digests/run').set('authorization', `Bearer ${t.adminToken}`).send({ period: '2025-03' });
    expect(run.body).toEqual({ queued: 3, period: '2025-03' });
    const t0 = Date.now() + 1000;

    expect(await sender.deliverDue(at(t0, 0))).toEqual({ sent: 0, retrying: 3, failed: 0 });
    let items = await outbox(t);
    for (const m of items) {
      expect(m).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: new Date(t0 + RETRY_BASE_MS).toISOString() });
      expect(m.lastError).toMatch(/^attempt 1: .*ECONNREFUSED/);
    }

    // Not due yet: nothing is tried.
    expect(await sender.deliverDue(at(t0, RETRY_BASE_MS - 1))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    // Due: the second failure waits twice as long.
    expect(await sender.deliverDue(at(t0, RETRY_BASE_MS))).toEqual({ sent: 0, retrying: 3, failed: 0 });
    items = await outbox(t);
    for (const m of items)
      expect(m).toMatchObject({ status: 'queued', attempts: 2, nextAttemptAt: new Date(t0 + RETRY_BASE_MS + 2 * RETRY_BASE_MS).toISOString() });

    smtp = await startSmtpServer({ port });
    expect(await sender.deliverDue(at(t0, 3 * RETRY_BASE_MS - 1))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(await sender.deliverDue(at(t0, 3 * RETRY_BASE_MS))).toEqual({ sent: 3, retrying: 0, failed: 0 });
    expect(await sender.deliverDue(at(t0, 60_000))).toEqual({ sent: 0, retrying: 0, failed: 0 });

    items = await outbox(t);
    expect(items.map((m) => [m.status, m.attempts, m.lastError])).toEqual([
      ['sent', 3, null],
      ['sent', 3, null],
      ['sent', 3, null],
    ]);
    const received = smtp.mails.map((m) => m.parsed.messageId).sort();
    expect(received).toEqual(items.map((m) => m.messageId).sort());
    expect(smtp.mails.map((m) => m.envelopeTo[0]).sort()).toEqual(['contact1@donor1.example', 'contact2@donor2.example', 'contact3@donor3.example']);
  });
});

describe('a message that keeps failing', () => {
  let t: TestApp;

  beforeAll(async () => {
    const port = await unusedPort();
    t = await createTestApp({
      env: {
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        DIGEST_SENDER_INTERVAL_MS: 'off',
        DIGEST_CRON: 'off',
        DIGEST_RETRY_BASE_MS: '1000',
        DIGEST_MAX_ATTEMPTS: '2',
      },
    });
    await makeDonor(t, { contacts: [{ email: 'never@reachable.example' }] });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is marked failed with its error after DIGEST_MAX_ATTEMPTS and not tried again', async () => {
    await t.http.post('/api/digests/run').set('authorization', `Bearer ${t.adminToken}`).send({ period: '2025-03' });
    const sender = t.app.get(DigestSender);
    const t0 = Date.now() + 1000;
    expect(await sender.deliverDue(at(t0, 0))).toEqual({ sent: 0, retrying: 1, failed: 0 });
    expect(await sender.deliverDue(at(t0, 1000))).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect(await sender.deliverDue(at(t0, 3_600_000))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    const [message] = await outbox(t);
    expect(message).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: null });
    expect(message.lastError).toMatch(/^attempt 2: .*ECONNREFUSED/);
  });
});
