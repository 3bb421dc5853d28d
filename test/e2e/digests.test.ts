import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DigestSender } from '../../src/digests/digest-sender';
import { makePledge } from '../support/factories';
import { startSmtpServer, TestSmtpServer } from '../support/digests-smtp';
import type { CapturedMail } from '../support/digests-smtp';
import { createTestApp, TestApp } from '../support/test-app';
import { newWebSession } from './web-support';

/** What Handlebars writes for a value in HTML. */
function htmlEscaped(text: string): string {
  const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
  return text.replace(/[&<>"'`=]/g, (c) => map[c]);
}

/** The header as sent, unfolded (long headers are folded over two lines). */
function headerLine(mail: CapturedMail, name: string): string | undefined {
  return mail.parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/\s*\r?\n\s+/g, ' ');
}

/** The path of the "Stop these digests" link; Handlebars writes `=` in attributes as `&#x3D;`, which clients decode. */
/** The signed token of an unsubscribe link. */
function tokenOf(link: string): string {
  return new URL(link, 'http://x').searchParams.get('token') ?? '';
}

function unsubscribeLinkIn(mail: CapturedMail): string {
  const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
  const href = /<a href="https:\/\/tracker\.example(\/digests\/unsubscribe\?token[^"]+)"[^>]*>Stop these digests<\/a>/.exec(html)?.[1];
  if (!href) throw new Error('no unsubscribe link in the HTML part');
  return href.replace(/&#x3D;/g, '=');
}

function mailTo(server: TestSmtpServer, address: string): CapturedMail[] {
  return server.mails.filter((m) => m.envelopeTo.includes(address));
}

describe('donor digests, delivered through a real SMTP server (seed data)', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let sender: DigestSender;
  let auth: { authorization: string };
  let leadership: { authorization: string };
  let saudiId: number;
  let uaeId: number;
  const contacts: Record<string, number> = {};
  const priorities: Array<{ code: string; rank: number; title: string }> = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({
      seed: true,
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        DIGEST_SENDER_INTERVAL_MS: 'off',
        DIGEST_CRON: 'off',
        APP_URL: 'https://tracker.example',
        MAIL_REPLY_TO: 'Mine Action Desk <desk@anama.example>',
      },
    });
    sender = t.app.get(DigestSender);
    auth = { authorization: `Bearer ${t.adminToken}` };
    leadership = { authorization: `Bearer ${await t.tokenFor('leadership')}` };
    const donors = await t.http.get('/api/donors?limit=500').set(auth);
    saudiId = donors.body.items.find((d: { name: string }) => d.name === 'Saudi Arabia (KSrelief)').id;
    uaeId = donors.body.items.find((d: { name: string }) => d.name === 'United Arab Emirates').id;
    for (const [key, donorId, email] of [
      ['saudiA', saudiId, 'desk@ksrelief.example'],
      ['saudiB', saudiId, 'finance@ksrelief.example'],
      ['uae', uaeId, 'demining@uae.example'],
    ] as const) {
      const res = await t.http.post(`/api/donors/${donorId}/contacts`).set(auth).send({ email, name: key });
      expect(res.status).toBe(201);
      contacts[key] = res.body.id;
    }
    priorities.push(...(await t.http.get('/api/priorities').set(auth)).body);
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('queues one message per contact, sends each once, and a second run for the period queues nothing', async () => {
    const run = await t.http.post('/api/digests/run').set(leadership).send({ period: '2025-03' });
    expect(run.status).toBe(202);
    expect(run.body).toEqual({ queued: 3, period: '2025-03' });

    const outbox = await t.http.get('/api/digests/outbox').set(auth);
    expect(outbox.status).toBe(200);
    expect(outbox.body.items.map((m: { to: string; status: string; attempts: number }) => [m.to, m.status, m.attempts])).toEqual([
      ['desk@ksrelief.example', 'queued', 0],
      ['finance@ksrelief.example', 'queued', 0],
      ['demining@uae.example', 'queued', 0],
    ]);

    expect(await sender.deliverDue()).toEqual({ sent: 3, retrying: 0, failed: 0 });
    expect(smtp.mails).toHaveLength(3);

    const again = await t.http.post('/api/digests/run').set(leadership).send({ period: '2025-03' });
    expect(again.body).toEqual({ queued: 0, period: '2025-03' });
    expect(await sender.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.mails).toHaveLength(3);

    const sent = await t.http.get('/api/digests/outbox').set(auth);
    expect(sent.body.items.map((m: { status: string; attempts: number }) => [m.status, m.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
      ['sent', 1],
    ]);
  });

  it("the Saudi digest carries that donor's figures with their source, all twelve priorities and the unsubscribe headers", () => {
    const [mail] = mailTo(smtp, 'desk@ksrelief.example');
    expect(mail.envelopeTo).toEqual(['desk@ksrelief.example']);
    expect(mail.parsed.to && 'text' in mail.parsed.to ? mail.parsed.to.text : null).toBe('desk@ksrelief.example');
    expect(mail.parsed.subject).toBe('ANAMA funding digest, March 2025: Saudi Arabia (KSrelief)');
    // Replies go to a desk that reads them, and the email says so (never 'reply' to a no-reply sender).
    expect(mail.parsed.replyTo?.value).toEqual([{ name: 'Mine Action Desk', address: 'desk@anama.example' }]);
    expect(mail.parsed.text).toContain('Questions about these figures: reply to this email; replies go to Mine Action Desk <desk@anama.example>.');
    expect(mail.parsed.messageId).toBe(`<digest.2025-03.d${saudiId}.c${contacts.saudiA}@anama.local>`);

    const text = mail.parsed.text ?? '';
    const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
    expect(text).toContain('- Direct assistance to ANAMA for demining operations (Fully received)');
    expect(text).toContain('  Pledged 3,000,000 USD, received 3,000,000 USD\n');
    expect(text).toContain('  Source: 002: ANAMA, Report on Mine Action in Azerbaijan: Priorities and Needs, January-March 2025');
    expect(text).toContain('In USD: 3,000,000 USD pledged, 3,000,000 USD received, 0.00 USD outstanding (owed), 0.00 USD whose receipt is not documented.');
    // Money for people (no cents from 10,000 up), the exact figure on hover.
    expect(html).toContain(
      'Pledged <strong><span title="3,000,000.00 USD">3,000,000 USD</span></strong> · received <span title="3,000,000.00 USD">3,000,000 USD</span>\n',
    );
    expect(html).toContain('Source: 002: ANAMA, Report on Mine Action in Azerbaijan: Priorities and Needs');

    expect(priorities).toHaveLength(12);
    for (const p of priorities) {
      expect(text).toContain(`${p.rank}. ${p.title} (${p.code}):`);
      expect(html).toContain(`<strong>${p.rank}. ${htmlEscaped(p.title)}</strong> (${p.code})`);
    }
    // Only P01 (Saudi Arabia and the UAE) and P07 (dogs) have pledges in the seed: ten are unfunded, all in the report's order.
    expect(text).toContain(
      "THE PRIORITY LIST (in the report's order, priority 1 the most critical need; 10 of 12 have no pledge yet; all donors together, in USD)",
    );
    const order = priorities
      .map((p) => ({ code: p.code, at: text.indexOf(`(${p.code}):`) }))
      .sort((a, b) => a.at - b.at)
      .map((p) => p.code);
    expect(order).toEqual(['P01', 'P02', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'P09', 'P10', 'P11', 'P12']);
    expect(text).toContain('1. Direct financial donations (P01): Pledges recorded, no target set, you support this priority');
    expect(text).toContain('   Pledged 8,000,000 USD, received 3,000,000 USD');
    expect(text).toContain(
      '7. Mine Detection Dogs (MDD) Training (P07): Pledges recorded, no target set\n   In kind only (no money value recorded)\n   In kind: 20 mine detection dogs delivered; up to 30 more pledged, not yet delivered',
    );
    expect(text).toContain('2. Mine Victim Assistance (P02): Unfunded\n   Pledged 0.00 USD, received 0.00 USD');

    expect(text).toContain('Government of Azerbaijan: 464,117,647 USD (allocated as at 2025-05-06; 001: OSCE');
    expect(text).toContain('Foreign share as reported: 4.8% (002: ANAMA, Report on Mine Action');
    expect(text).toContain('Cleared 190,794.2 ha of 1,166,700 ha contaminated (16.35%), as of 2025-03-31');

    // The other donors' own lines never appear.
    for (const other of ['United Arab Emirates', 'Donation for demining', 'European Union', 'Italy', 'Croatia', 'Marshall Legacy', 'United States']) {
      expect(text).not.toContain(other);
      expect(html).not.toContain(other);
    }

    expect(headerLine(mail, 'List-Unsubscribe')).toMatch(
      /^List-Unsubscribe: <https:\/\/tracker\.example\/api\/digests\/unsubscribe\?token=\d+\.[A-Za-z0-9_-]{43}>$/,
    );
    expect(headerLine(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(unsubscribeLinkIn(mail)).toMatch(/^\/digests\/unsubscribe\?token=\d+\.[A-Za-z0-9_-]{43}$/);
    expect(text).toContain(`See your pledges and deliveries in full: https://tracker.example/donors/${saudiId}`);
    expect(html).not.toMatch(/<script|<img|https?:\/\/(?!tracker\.example)/);
  });

  it('the UAE digest shows its own open pledge and nothing of Saudi Arabia', () => {
    const [mail] = mailTo(smtp, 'demining@uae.example');
    const text = mail.parsed.text ?? '';
    expect(text).toContain('- Donation for demining (Committed)');
    expect(text).toContain('  Pledged 5,000,000 USD, received 0.00 USD, 5,000,000 USD not yet received; receipt not documented');
    expect(text).not.toContain('Saudi');
    expect(text).not.toContain('Direct assistance to ANAMA');
  });

  it('following the unsubscribe link stops that contact, is audited, and the next run skips it', async () => {
    const link = unsubscribeLinkIn(mailTo(smtp, 'desk@ksrelief.example')[0]);

    // Following the link (as a mail scanner does) only asks; nothing changes until the button.
    const web = newWebSession(t);
    const page = await web.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('desk@ksrelief.example receives a monthly funding digest from ANAMA. Stop it?');
    const untouched = await t.http.get(`/api/donors/${saudiId}`).set(auth);
    expect(untouched.body.contacts.every((c: { digestEnabled: boolean }) => c.digestEnabled)).toBe(true);
    // The page's form without its CSRF token (a forged cross-site post) is refused.
    expect(
      (
        await t.http
          .post('/digests/unsubscribe')
          .set('accept', 'text/html')
          .type('form')
          .send(`token=${tokenOf(link)}`)
      ).status,
    ).toBe(403);
    const stopped = await web.post('/digests/unsubscribe', { token: tokenOf(link) });
    expect(stopped.status).toBe(200);
    expect(stopped.text).toContain('desk@ksrelief.example will get no more funding digests');

    const donor = await t.http.get(`/api/donors/${saudiId}`).set(auth);
    expect(donor.body.contacts.map((c: { email: string; digestEnabled: boolean }) => [c.email, c.digestEnabled])).toEqual([
      ['desk@ksrelief.example', false],
      ['finance@ksrelief.example', true],
    ]);
    const audit = await t.http.get(`/api/audit?entityType=donor_contact&entityId=${contacts.saudiA}`).set(auth);
    const entry = audit.body.items.find((e: { action: string }) => e.action === 'donor_contact.unsubscribe');
    expect(entry).toMatchObject({ actorEmail: 'desk@ksrelief.example', before: { digestEnabled: true }, after: { digestEnabled: false } });

    const again = await web.get(link);
    expect(again.text).toContain('already takes no digests');
    expect((await web.post('/digests/unsubscribe', { token: tokenOf(link) })).text).toContain('was already taking no digests');

    const run = await t.http.post('/api/digests/run').set(leadership).send({ period: '2025-04' });
    expect(run.body).toEqual({ queued: 2, period: '2025-04' });
    expect(await sender.deliverDue()).toEqual({ sent: 2, retrying: 0, failed: 0 });
    expect(mailTo(smtp, 'desk@ksrelief.example')).toHaveLength(1);
    expect(mailTo(smtp, 'finance@ksrelief.example')).toHaveLength(2);
  });

  it('one-click unsubscribe (RFC 8058) works from the header URL; a forged token is refused', async () => {
    const mail = mailTo(smtp, 'demining@uae.example')[1];
    const url = /<(https:\/\/tracker\.example)(\/api\/digests\/unsubscribe\?token=[^>]+)>/.exec(headerLine(mail, 'List-Unsubscribe') ?? '')?.[2] ?? '';
    const res = await t.http.post(url).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ unsubscribed: true, alreadyStopped: false });

    const forged = await t.http.post(`/api/digests/unsubscribe?token=${contacts.saudiB}.${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(forged.body.details).toEqual([{ field: 'token', message: 'This unsubscribe link is not valid; use the link from your latest digest' }]);
    const donor = await t.http.get(`/api/donors/${saudiId}`).set(auth);
    expect(donor.body.contacts.find((c: { id: number }) => c.id === contacts.saudiB).digestEnabled).toBe(true);

    const run = await t.http.post('/api/digests/run').set(leadership).send({ period: '2025-05' });
    expect(run.body).toEqual({ queued: 1, period: '2025-05' });
  });

  it('a queued message for a contact who unsubscribed before delivery is not sent', async () => {
    const run = await t.http.post('/api/digests/run').set(leadership).send({ period: '2025-06' });
    expect(run.body.queued).toBe(1);
    const mailsBefore = smtp.mails.length;
    const link = unsubscribeLinkIn(mailTo(smtp, 'finance@ksrelief.example')[0]);
    const web = newWebSession(t);
    expect((await web.get(link)).status).toBe(200);
    expect((await web.post('/digests/unsubscribe', { token: tokenOf(link) })).status).toBe(200);
    // 2025-05 and 2025-06 were both queued for finance@; neither goes out now.
    expect(await sender.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 2 });
    expect(smtp.mails.length).toBe(mailsBefore);
    const outbox = await t.http.get('/api/digests/outbox').set(auth);
    const last = outbox.body.items[outbox.body.items.length - 1];
    expect(last).toMatchObject({ period: '2025-06', status: 'failed', lastError: 'not sent: the contact unsubscribed after the digest was queued' });
  });

  it('previews a donor digest without sending, and keeps donors to their own', async () => {
    const before = smtp.mails.length;
    const preview = await t.http.get(`/api/digests/preview/${saudiId}?period=2025-03`).set(auth);
    expect(preview.status).toBe(200);
    expect(preview.headers['content-type']).toMatch(/^text\/html/);
    expect(preview.text).toContain('Pledged <strong><span title="3,000,000.00 USD">3,000,000 USD</span></strong>');
    expect(preview.text).toContain('Preview: the sent email carries');
    expect(smtp.mails.length).toBe(before);

    const uaeUser = { authorization: `Bearer ${await t.tokenFor('donor', uaeId)}` };
    expect((await t.http.get(`/api/digests/preview/${uaeId}`).set(uaeUser)).status).toBe(200);
    expect((await t.http.get(`/api/digests/preview/${saudiId}`).set(uaeUser)).status).toBe(404);
    expect((await t.http.get('/api/digests/outbox').set(uaeUser)).status).toBe(403);
    const saudiMessage = (await t.http.get('/api/digests/outbox').set(auth)).body.items[0].id;
    expect((await t.http.get(`/digests/messages/${saudiMessage}`).set(uaeUser)).status).toBe(404);
    expect((await t.http.get(`/api/digests/preview/999999`).set(auth)).status).toBe(404);
  });

  it('refuses bad run requests with the field named, and writes nothing', async () => {
    const countBefore = (await t.http.get('/api/digests/outbox?limit=500').set(auth)).body.items.length;
    const badPeriod = await t.http.post('/api/digests/run').set(leadership).send({ period: '2025-13' });
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.details).toEqual([{ field: 'period', message: 'period must be a month written YYYY-MM, such as "2025-03"' }]);
    const unknownDonor = await t.http
      .post('/api/digests/run')
      .set(leadership)
      .send({ period: '2025-07', donorIds: [999999] });
    expect(unknownDonor.status).toBe(422);
    expect(unknownDonor.body.details).toEqual([{ field: 'donorIds', message: 'there is no donor 999999' }]);
    const notIds = await t.http
      .post('/api/digests/run')
      .set(leadership)
      .send({ donorIds: ['x'] });
    expect(notIds.status).toBe(400);
    expect(notIds.body.details[0].field).toBe('donorIds');
    const officer = { authorization: `Bearer ${await t.tokenFor('officer')}` };
    expect((await t.http.post('/api/digests/run').set(officer).send({ period: '2025-07' })).status).toBe(403);
    expect((await t.http.post('/api/digests/run').send({ period: '2025-07' })).status).toBe(401);
    expect((await t.http.get('/api/digests/outbox?limit=500').set(auth)).body.items.length).toBe(countBefore);
  });

  it('escapes donor names, titles and notes in the HTML email', async () => {
    const name = '<img src=x onerror=alert(1)> Fund';
    const donor = await t.http
      .post('/api/donors')
      .set(auth)
      .send({ name, type: 'foundation', contacts: [{ email: 'x@hostile.example' }] });
    expect(donor.status).toBe(201);
    const notes = '<script>alert("notes")</script>';
    await t.http.patch(`/api/donors/${donor.body.id}`).set(auth).send({ notes });
    await makePledge(t, donor.body.id, {
      title: '<b onmouseover="x()">Bold</b> pledge',
      notes: '<iframe src="//evil.example"></iframe>',
      priorityCodes: ['P12'],
    });

    const run = await t.http
      .post('/api/digests/run')
      .set(leadership)
      .send({ period: '2025-08', donorIds: [donor.body.id] });
    expect(run.body.queued).toBe(1);
    expect(await sender.deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const [mail] = mailTo(smtp, 'x@hostile.example');
    const raw = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
    expect(raw).toContain(htmlEscaped(name));
    expect(raw).toContain(htmlEscaped(notes));
    expect(raw).toContain(htmlEscaped('<b onmouseover="x()">Bold</b> pledge'));
    expect(raw).toContain(htmlEscaped('<iframe src="//evil.example"></iframe>'));
    expect(raw).not.toMatch(/<img|<script|<iframe|<b /);
    expect(mail.parsed.text).toContain('<b onmouseover="x()">Bold</b> pledge');
  });

  it('/digests lists the outbox with status and attempts and opens a message as the donor sees it', async () => {
    const page = await t.http.get('/digests').set('cookie', `mat_session=${t.adminToken}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Donor digests</h1>');
    expect(page.text).toMatch(
      /<td>desk@ksrelief\.example<\/td>\s*<td><a href="\/digests\/messages\/\d+">ANAMA funding digest, March 2025: Saudi Arabia \(KSrelief\)<\/a><\/td>\s*<td data-status="sent">sent<\/td>\s*<td class="num">1<\/td>/,
    );
    expect(page.text).toContain('name="_csrf"');
    expect(page.text).toContain('Run now');

    const id = (await t.http.get('/api/digests/outbox').set(auth)).body.items[0].id;
    // The page shows the envelope (From, Reply-To, To, Subject) and frames the message as stored.
    const envelope = await t.http.get(`/digests/messages/${id}`).set('cookie', `mat_session=${t.adminToken}`);
    expect(envelope.status).toBe(200);
    expect(envelope.text).toMatch(/<dt>To<\/dt><dd>desk@ksrelief\.example<\/dd>/);
    expect(envelope.text).toContain('<dt>Subject</dt><dd>ANAMA funding digest, March 2025: Saudi Arabia (KSrelief)</dd>');
    expect(envelope.text).toContain('<dt>Reply-To</dt><dd>Mine Action Desk &lt;desk@anama.example&gt;</dd>');
    expect(envelope.text).toContain(`<iframe class="email-frame" src="/digests/messages/${id}/body"`);
    const message = await t.http.get(`/digests/messages/${id}/body`).set('cookie', `mat_session=${t.adminToken}`);
    expect(message.status).toBe(200);
    expect(message.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    );
    expect(message.headers['x-frame-options']).toBe('SAMEORIGIN');
    const sentHtml = mailTo(smtp, 'desk@ksrelief.example')[0].parsed.html;
    expect(message.text.trim()).toBe(typeof sentHtml === 'string' ? sentHtml.trim() : '');
  });

  it('draws funded against gap as HTML bars where a priority has a target', async () => {
    const target = await t.http
      .patch('/api/priorities/P01')
      .set(auth)
      .send({ target: { amount: '10000000.00', currency: 'USD' } });
    expect(target.status).toBe(200);
    const preview = await t.http.get(`/api/digests/preview/${saudiId}?period=2025-03`).set(auth);
    expect(preview.text).toContain(
      'Pledged <span title="8,000,000.00 USD">8,000,000 USD</span> · received <span title="3,000,000.00 USD">3,000,000 USD</span> · target <span title="10,000,000.00 USD">10,000,000 USD</span> · gap <strong><span title="2,000,000.00 USD">2,000,000 USD</span></strong>',
    );
    expect(preview.text).toContain('aria-label="Funded 80%, gap 20%"');
    expect(preview.text).toContain('<td width="80%" height="12" bgcolor="#DDAA33"');
    expect(preview.text).toContain('<td width="20%" height="12" bgcolor="#F6E1E5"');
    expect(preview.text).toContain('<strong>1. Direct financial donations</strong> (P01)\n      · Partly funded');
    expect(preview.text).not.toMatch(/<script|<img|<link|url\(/);
  });

  it('"Run now" on /digests posts the form with its CSRF token and queues the period', async () => {
    const session = `mat_session=${t.adminToken}`;
    const page = await t.http.get('/digests').set('cookie', session);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const csrfCookie = (page.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).find((c) => c.startsWith('mat_csrf='));
    expect(token).not.toBe('');
    expect(csrfCookie).toBeDefined();

    const forged = await t.http.post('/digests/run').set('cookie', session).type('form').send({ period: '2025-09' });
    expect(forged.status).toBe(403);

    const run = await t.http.post('/digests/run').set('cookie', `${session}; ${csrfCookie}`).type('form').send({ _csrf: token, period: '2025-09' });
    expect(run.status).toBe(303);
    expect(run.headers.location).toBe('/digests?queued=1&period=2025-09'); // only x@hostile.example still takes digests
    const after = await t.http.get(run.headers.location).set('cookie', session);
    expect(after.text).toContain('1 digest(s) queued for 2025-09.');
  });
});
