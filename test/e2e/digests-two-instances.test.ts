import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DigestSender } from '../../src/digests/digest-sender';
import { makeDonor } from '../support/factories';
import { startSmtpServer, TestSmtpServer } from '../support/digests-smtp';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Two app instances on ONE PostgreSQL database, as a deployment behind a load balancer runs them:
 * both run the same period's digests at once, both senders poll the same outbox at once, and every
 * contact still gets its digest exactly once. Always PostgreSQL, whatever TEST_DB says: several
 * instances on one database is a PostgreSQL deployment (the embedded SQLite serves one process).
 */
const DONORS = 15;
const CONTACTS_PER_DONOR = 3;
/** More than two claim batches of the sender (20), so both senders have work while the other sends. */
const MESSAGES = DONORS * CONTACTS_PER_DONOR;
const PERIOD = '2025-03';
/** How long the first message is held at the SMTP server waiting for the other instance's first one. */
const OVERLAP_WAIT_MS = 15_000;

interface OutboxItem {
  contactId: number;
  period: string;
  messageId: string;
  to: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('digests with two app instances on one PostgreSQL database', () => {
  let a: TestApp;
  let b: TestApp;
  let smtp: TestSmtpServer;
  const contactIds: number[] = [];
  const contactEmails: string[] = [];
  /** True once a second message arrived while the first was still held: both senders were sending at once. */
  let sendersOverlapped = false;

  const outbox = async (t: TestApp): Promise<OutboxItem[]> => {
    const res = await t.http.get('/api/digests/outbox?limit=500').set('authorization', `Bearer ${t.adminToken}`);
    if (res.status !== 200) throw new Error(`outbox: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.items;
  };

  beforeAll(async () => {
    // Each sender holds one pooled SMTP connection and waits for the answer before its next message,
    // so while the first arrival is held, a second arrival can only come from the other instance.
    let arrivals = 0;
    smtp = await startSmtpServer({
      beforeAccept: async (arrival) => {
        arrivals = arrival;
        if (arrival !== 1) return true;
        const deadline = Date.now() + OVERLAP_WAIT_MS;
        while (arrivals < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        sendersOverlapped = arrivals >= 2;
        return true;
      },
    });
    const env = { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, DIGEST_SENDER_INTERVAL_MS: '25', DIGEST_CRON: 'off' };
    a = await createTestApp({ db: 'postgres', env });
    b = await createTestApp({ database: a.db, env });
    for (let n = 1; n <= DONORS; n++) {
      const contacts = Array.from({ length: CONTACTS_PER_DONOR }, (_, c) => ({ email: `contact${n}-${c + 1}@two-instances.example` }));
      const donorId = await makeDonor(a, { contacts });
      const donor = await a.http.get(`/api/donors/${donorId}`).set('authorization', `Bearer ${a.adminToken}`);
      for (const contact of donor.body.contacts as Array<{ id: number; email: string }>) {
        contactIds.push(contact.id);
        contactEmails.push(contact.email);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await smtp?.close();
  });

  it('runs on PostgreSQL, both instances on the same database', () => {
    expect(a.config.database.type).toBe('postgres');
    expect(b.config.database).toEqual(a.config.database);
    expect(contactIds).toHaveLength(MESSAGES);
  });

  it('queues one message per contact when both instances run the period at once', async () => {
    const [runA, runB] = await Promise.all(
      [a, b].map((t) => t.http.post('/api/digests/run').set('authorization', `Bearer ${t.adminToken}`).send({ period: PERIOD })),
    );
    expect([runA.status, runB.status]).toEqual([202, 202]);
    expect([runA.body.period, runB.body.period]).toEqual([PERIOD, PERIOD]);
    expect(runA.body.queued + runB.body.queued).toBe(MESSAGES);

    const items = await outbox(b);
    expect(items).toHaveLength(MESSAGES);
    const perContactAndPeriod = countBy(items, (m) => `${m.contactId}:${m.period}`);
    expect([...perContactAndPeriod.keys()].sort()).toEqual(contactIds.map((id) => `${id}:${PERIOD}`).sort());
    expect([...perContactAndPeriod.values()]).toEqual(Array(MESSAGES).fill(1));
  });

  it("both instances' senders deliver at once, and each message reaches the SMTP server exactly once", async () => {
    const deadline = Date.now() + 60_000;
    let items = await outbox(a);
    while (items.some((m) => m.status === 'queued')) {
      if (Date.now() > deadline) throw new Error(`not delivered: ${items.filter((m) => m.status === 'queued').length} message(s) still queued`);
      await new Promise((r) => setTimeout(r, 50));
      items = await outbox(a);
    }
    // deliverDue() joins a round still in progress, so after this neither sender has a message on the way.
    await Promise.all([a, b].map((t) => t.app.get(DigestSender).deliverDue()));

    expect(sendersOverlapped).toBe(true);
    expect(smtp.mails).toHaveLength(MESSAGES);
    const byMessageId = countBy(smtp.mails, (m) => m.parsed.messageId ?? '');
    expect([...byMessageId.keys()].sort()).toEqual(items.map((m) => m.messageId).sort());
    expect([...byMessageId.values()]).toEqual(Array(MESSAGES).fill(1));
    const byRecipient = countBy(smtp.mails, (m) => m.envelopeTo.join(','));
    expect([...byRecipient.keys()].sort()).toEqual([...contactEmails].sort());
    expect([...byRecipient.values()]).toEqual(Array(MESSAGES).fill(1));

    expect(items).toHaveLength(MESSAGES);
    // Claimed once each: a second claim of the same message would have counted a second attempt.
    expect(items.map((m) => [m.status, m.attempts, m.lastError])).toEqual(Array(MESSAGES).fill(['sent', 1, null]));
  });

  it('a second run on either instance queues nothing', async () => {
    for (const t of [a, b]) {
      const again = await t.http.post('/api/digests/run').set('authorization', `Bearer ${t.adminToken}`).send({ period: PERIOD });
      expect(again.body).toEqual({ queued: 0, period: PERIOD });
    }
    expect(await outbox(b)).toHaveLength(MESSAGES);
    expect(smtp.mails).toHaveLength(MESSAGES);
  });
});
