import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { addDays, todayUtc } from '../../src/common/dates';
import { formatMoneyHuman } from '../../src/common/presentation/format';
import { DigestSender } from '../../src/digests/digest-sender';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { startSmtpServer, type TestSmtpServer } from '../support/digests-smtp';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue 13, the digest's schedule section, read from the message the in-process SMTP server
 * received: the donor's own instalments (overdue said so) and the reports ANAMA owes it
 * (submitted ones as submitted), and nothing internal; on the database TEST_DB names.
 */
describe('the digest lists the donor’s own instalments and the reports owed to it', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  const today = todayUtc();
  const human = (amount: string) => formatMoneyHuman(amount, 'EUR');
  const auth = () => ({ authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, DIGEST_SENDER_INTERVAL_MS: 'off', DIGEST_CRON: 'off' } });
    await seedReferenceData(t);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('four quarterly instalments, one and a half received, the second past its date: received, overdue with what is still expected; reports open, overdue and submitted', async () => {
    const donorId = await makeDonor(t, { name: 'Digest Schedule Donor' });
    const otherId = await makeDonor(t, { name: 'Another Donor' });
    expect((await t.http.post(`/api/donors/${donorId}/contacts`).set(auth()).send({ email: 'desk@donor.example', name: 'Desk' })).status).toBe(201);
    const pledge = await makePledge(t, donorId, { title: 'Clearance of Fuzuli farmland', amount: '1000000.00', currency: 'EUR' });
    const other = await makePledge(t, otherId, { title: 'Someone else’s pledge', amount: '500.00', currency: 'EUR' });
    for (const [offset, amount] of [
      [-60, '250000.00'],
      [-1, '250000.00'],
      [30, '250000.00'],
      [200, '250000.00'],
    ] as const) {
      expect(
        (
          await t.http
            .post(`/api/pledges/${pledge.id}/instalments`)
            .set(auth())
            .send({ dueOn: addDays(today, offset), amount })
        ).status,
      ).toBe(201);
    }
    expect(
      (
        await t.http
          .post(`/api/pledges/${other.id}/instalments`)
          .set(auth())
          .send({ dueOn: addDays(today, 3), amount: '500.00' })
      ).status,
    ).toBe(201);
    for (const amount of ['250000.00', '125000.00']) {
      expect((await t.http.post(`/api/pledges/${pledge.id}/disbursements`).set(auth()).send({ amount, receivedOn: today })).status).toBe(201);
    }
    const obligation = async (body: Record<string, unknown>) => {
      const res = await t.http
        .post('/api/obligations')
        .set(auth())
        .send({ pledgeId: pledge.id, ...body });
      expect(res.status).toBe(201);
      return res.body.id as number;
    };
    await obligation({ kind: 'narrative_report', title: 'Six-month narrative report', dueOn: addDays(today, -2), responsible: 'Rashad Internal-Officer' });
    await obligation({ kind: 'financial_report', title: 'Annual financial report', dueOn: addDays(today, 20), responsible: 'Finance Secret-Unit' });
    const submitted = await obligation({ kind: 'audit', title: 'External audit 2025', dueOn: addDays(today, -10) });
    await t.http
      .post(`/api/obligations/${submitted}/submit`)
      .set(auth())
      .send({ submittedOn: addDays(today, -5) });
    const waived = await obligation({ kind: 'visibility', title: 'Plaque at the site', dueOn: addDays(today, -3) });
    await t.http.post(`/api/obligations/${waived}/waive`).set(auth()).send({ reason: 'Internal waiver: minister said so' });

    const run = await t.http
      .post('/api/digests/run')
      .set(auth())
      .send({ period: today.slice(0, 7), donorIds: [donorId] });
    expect(run.status).toBe(202);
    expect(run.body.queued).toBe(1);
    expect(await t.app.get(DigestSender).deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const [mail] = smtp.mails.filter((m) => m.envelopeTo.includes('desk@donor.example'));
    const text = mail.parsed.text ?? '';
    const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';

    const schedule = text.slice(text.indexOf('YOUR SCHEDULE'), text.indexOf('THE PRIORITY LIST'));
    expect(schedule).toContain('YOUR SCHEDULE (the next 90 days and anything overdue; 2 overdue)');
    expect(schedule).toContain(`- ${addDays(today, -1)}: ${human('250000.00')}, Clearance of Fuzuli farmland: OVERDUE, ${human('125000.00')} still expected`);
    expect(schedule).toContain(`- ${addDays(today, 30)}: ${human('250000.00')}, Clearance of Fuzuli farmland: due`);
    expect(schedule).toContain(`- ${addDays(today, -2)}: Narrative report: Six-month narrative report: OVERDUE`);
    expect(schedule).toContain(`- ${addDays(today, 20)}: Financial report: Annual financial report: due`);
    expect(schedule).toContain(`- ${addDays(today, -10)}: Audit: External audit 2025: submitted on ${addDays(today, -5)}`);
    // Outside the window (received long ago, or more than 90 days ahead) and another donor's: not listed.
    expect(schedule).not.toContain(addDays(today, -60));
    expect(schedule).not.toContain(addDays(today, 200));
    expect(html).toContain('Your schedule');
    expect(html).toContain('OVERDUE');
    for (const body of [text, html, mail.parsed.subject ?? '']) {
      for (const internal of ['Rashad Internal-Officer', 'Finance Secret-Unit', 'Internal waiver', 'Plaque at the site', 'Someone else', 'Another Donor']) {
        expect({ internal, found: body.includes(internal) }).toEqual({ internal, found: false });
      }
    }
  });
});
