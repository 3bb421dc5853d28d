import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { formatMoneyExact } from '../../src/common/presentation/format';
import { createTestApp, TestApp } from '../support/test-app';
import { unzip } from '../support/zip';

type Body = Record<string, unknown> & { generatedAt: string };
const figuresOf = ({ generatedAt: _generatedAt, ...rest }: Body) => rest;
const binary = (res: { on: (e: string, f: (chunk: Buffer) => void) => void }, done: (e: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** Each page's text, as a PDF reader extracts it (pdfjs-dist, Mozilla's PDF library). */
async function pdfPages(pdf: Buffer): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const items = (await (await doc.getPage(n)).getTextContent()).items;
    pages.push(items.flatMap((item) => ('str' in item ? [item.str] : [])).join(' '));
  }
  return pages;
}

/** Issue 12: published statements, frozen and reproducible, on the report's data. */
describe(`published statements (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let admin: { authorization: string };
  let leadership: { authorization: string };
  let statement: Body & { id: number; knownOn: string; asOf: string; sha256: string; figures: Body; records: { pledges: Array<{ donorId: number }> } };
  let donors: Array<{ id: number; name: string }>;

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    admin = { authorization: `Bearer ${t.adminToken}` };
    leadership = { authorization: `Bearer ${await t.tokenFor('leadership')}` };
    donors = (await t.http.get('/api/donors?limit=500').set(admin)).body.items;
    const res = await t.http.post('/api/statements').set(leadership).set('Idempotency-Key', 'q1-statement').send({ period: '2025-Q1' });
    expect(res.status).toBe(201);
    statement = res.body;
  });
  afterAll(() => t.close());

  it("publishing 2025-Q1 on the seed data gives the report's national picture and a paragraph per seeded donor", async () => {
    expect(statement).toMatchObject({ period: '2025-Q1', asOf: '2025-03-31', replaces: null, publishedBy: { email: expect.any(String) } });
    expect(statement.knownOn).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const figures = statement.figures as Body & { government: { total: unknown }; foreign: { reportedTotal: unknown }; foreignShare: { reported: unknown } };
    expect(figures.government.total).toEqual({ amount: '464000000.00', currency: 'USD' });
    expect(figures.foreign.reportedTotal).toEqual({ amount: '23300000.00', currency: 'USD' });
    expect(figures.foreignShare.reported).toBe('0.048');
    expect(donors.length).toBeGreaterThan(0);
    expect(new Set(statement.records.pledges.map((p) => p.donorId))).toEqual(new Set(donors.map((d) => d.id)));
    const docx = await t.http.get(`/api/statements/${statement.id}/document.docx`).set(admin).buffer(true).parse(binary);
    expect(docx.status).toBe(200);
    const xml = (unzip(docx.body as Buffer).get('word/document.xml') as Buffer).toString('utf8');
    const paragraphs = [...xml.matchAll(/<w:p\b[\s\S]*?<\/w:p>/g)].map((p) => [...p[0].matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''));
    for (const donor of donors) expect(paragraphs.filter((p) => p.startsWith(`${donor.name.replace(/&/g, '&amp;')}. `))).toHaveLength(1);
    expect(paragraphs).toContain('Foreign assistance');
    expect(paragraphs.some((p) => p.includes('464,000,000.00 USD'))).toBe(true);
    const footer = [...unzip(docx.body as Buffer).entries()].find(([name]) => /^word\/footer\d*\.xml$/.test(name))?.[1].toString('utf8') ?? '';
    expect(footer).toContain('As of 31 March 2025');
    expect(footer).toMatch(/PAGE[\s\S]*NUMPAGES/);
  });

  it('stores the canonical JSON its sha256 is of, and hands the same bytes back', async () => {
    const json = await t.http.get(`/api/statements/${statement.id}/document.json`).set(admin).buffer(true).parse(binary);
    expect(json.status).toBe(200);
    expect(
      createHash('sha256')
        .update(json.body as Buffer)
        .digest('hex'),
    ).toBe(statement.sha256);
    expect(JSON.parse((json.body as Buffer).toString('utf8')).figures).toEqual(statement.figures);
  });

  it('after a back-dated rate and a back-dated receipt, the statement and a fresh knownOn computation at its pair are unchanged; today changes', async () => {
    const uae = (await t.http.get('/api/pledges?limit=500').set(admin)).body.items.find((p: { externalRef: string }) => p.externalRef === 'seed:002:uae-mou');
    const rate = await t.http
      .post('/api/fx-rates')
      .set(admin)
      .send({ base: 'EUR', quote: 'USD', rate: '1.2500', date: '2025-03-28', source: 'test: back-dated rate' });
    const receipt = await t.http
      .post(`/api/pledges/${uae.id}/disbursements`)
      .set(admin)
      .send({ amount: '1000000.00', currency: 'USD', receivedOn: '2025-02-03' });
    expect([rate.status, receipt.status]).toEqual([201, 201]);
    const again = await t.http.get(`/api/statements/${statement.id}`).set(admin);
    expect(again.body).toEqual(statement);
    const fresh = await t.http.get(`/api/funding-gap?asOf=${statement.asOf}&knownOn=${statement.knownOn}`).set(admin);
    expect(fresh.status).toBe(200);
    expect(figuresOf(fresh.body as Body)).toEqual(figuresOf(statement.figures));
    const today = await t.http.get(`/api/funding-gap?asOf=${statement.asOf}`).set(admin);
    expect(figuresOf(today.body as Body)).not.toEqual(figuresOf({ ...statement.figures, knownOn: null }));
    expect((today.body as { foreign: unknown }).foreign).not.toEqual((statement.figures as unknown as { foreign: unknown }).foreign);
  });

  it('a correction is a new statement that names the one it replaces; the diff lists what changed since, each line linked to its record', async () => {
    const res = await t.http
      .post('/api/statements')
      .set(admin)
      .send({ period: '2025-Q1', replaces: statement.id, title: 'Funding statement, Q1 2025 (corrected)' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ replaces: statement.id, title: 'Funding statement, Q1 2025 (corrected)' });
    expect(res.body.sha256).not.toBe(statement.sha256);
    const diff = await t.http.get(`/api/statements/${res.body.id}/diff`).set(admin);
    expect(diff.status).toBe(200);
    expect(diff.body.against).toMatchObject({ id: statement.id });
    expect(diff.body.receipts).toEqual([
      expect.objectContaining({
        kind: 'receipt',
        text: expect.stringContaining('1000000.00 USD received on 2025-02-03'),
        href: expect.stringMatching(/^\/pledges\/\d+$/),
      }),
    ]);
    expect(diff.body.newPledges).toEqual([]);
    expect(diff.body.shares.find((s: { basis: string }) => s.basis === 'received').after).not.toBe(
      diff.body.shares.find((s: { basis: string }) => s.basis === 'received').before,
    );
    const list = await t.http.get('/api/statements').set(admin);
    expect(list.body.items.map((s: { id: number }) => s.id)).toEqual([res.body.id, statement.id]);
    expect(list.body.items[0].figures).toBeUndefined();
  });

  it('the PDF is A4 with the as-of line and "Page N of M" on every page', async () => {
    const pdf = await t.http.get(`/api/statements/${statement.id}/document.pdf`).set(admin).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/^application\/pdf/);
    const pages = await pdfPages(pdf.body as Buffer);
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((text, i) => {
      expect(text).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(text).toContain('As of 31 March 2025');
    });
    expect(pages.join(' ')).toContain('Foreign assistance');
  });

  it('a digest cites the statement published last, and a queued digest renders again byte for byte from its stored inputs after later writes', async () => {
    const donor = donors[0];
    expect((await t.http.post(`/api/donors/${donor.id}/contacts`).set(admin).send({ email: 'desk@donor.example', name: 'Desk' })).status).toBe(201);
    expect(
      (
        await t.http
          .post('/api/digests/run')
          .set(leadership)
          .send({ period: '2025-04', donorIds: [donor.id] })
      ).status,
    ).toBe(202);
    const outbox = await t.http.get('/api/digests/outbox').set(admin);
    const message = outbox.body.items.find((m: { to: string }) => m.to === 'desk@donor.example');
    const latest = (await t.http.get('/api/statements').set(admin)).body.items[0];
    const preview = await t.http.get(`/api/digests/preview/${donor.id}`).set(admin);
    expect(preview.text).toContain(`data-statement="${latest.id}"`);
    expect(preview.text).toContain(latest.sha256);
    const pledge = (await t.http.get(`/api/pledges?donorId=${donor.id}&limit=1`).set(admin)).body.items[0];
    expect((await t.http.patch(`/api/pledges/${pledge.id}`).set(admin).send({ notes: 'Changed after the digest was queued' })).status).toBe(200);
    const again = await t.http.get(`/api/digests/outbox/${message.id}/rerender`).set(admin);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: message.id, statementId: latest.id, inputsKept: true, sameTemplates: true, identical: true });
  });

  it("a digest builds its priority list and overall picture on the statement it cites; the donor's own totals are today's", async () => {
    // A receipt recorded after the latest statement, dated inside its quarter: today's figures hold it, the statement's do not.
    const uae = (await t.http.get('/api/pledges?limit=500').set(admin)).body.items.find((p: { externalRef: string }) => p.externalRef === 'seed:002:uae-mou');
    const receipt = await t.http
      .post(`/api/pledges/${uae.id}/disbursements`)
      .set(admin)
      .send({ amount: '500000.00', currency: 'USD', receivedOn: '2025-02-10' });
    expect(receipt.status).toBe(201);
    const currency: string = (await t.http.get(`/api/donors/${uae.donorId}`).set(admin)).body.displayCurrency;
    const latest = (await t.http.get('/api/statements').set(admin)).body.items[0];
    const published = (await t.http.get(`/api/funding-gap?asOf=${latest.asOf}&knownOn=${latest.knownOn}&currency=${currency}`).set(admin)).body;
    const today = (await t.http.get(`/api/funding-gap?currency=${currency}`).set(admin)).body;
    const todayOwn = (await t.http.get(`/api/funding-gap?currency=${currency}&donorId=${uae.donorId}`).set(admin)).body;
    expect(today.foreign.received).not.toEqual(published.foreign.received);

    const preview = (await t.http.get(`/api/digests/preview/${uae.donorId}`).set(admin)).text;
    const own = preview.slice(0, preview.indexOf('The priority list'));
    const overall = preview.slice(preview.indexOf('The overall picture'));
    expect(overall).toContain(`As published in the statement &quot;${latest.title}&quot;`);
    expect(overall).toContain(`title="${formatMoneyExact(published.foreign.received.amount, currency)}"`);
    expect(overall).not.toContain(`title="${formatMoneyExact(today.foreign.received.amount, currency)}"`);
    expect(own).toContain(`title="${formatMoneyExact(todayOwn.foreign.received.amount, currency)}"`);
  });

  it('replays an Idempotency-Key, refuses bad input naming the field, and keeps roles apart', async () => {
    const replay = await t.http.post('/api/statements').set(leadership).set('Idempotency-Key', 'q1-statement').send({ period: '2025-Q1' });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(statement.id);
    for (const [body, field] of [
      [{ period: '2025-Q5' }, 'period'],
      [{ period: '2025-Q1', asOf: '2025-03-31' }, 'period'],
      [{}, 'period'],
      [{ asOf: '2025-03-31', knownOn: '2999-01-01' }, 'knownOn'],
      [{ period: '2025-Q1', replaces: 999999 }, 'replaces'],
    ] as const) {
      const res = await t.http.post('/api/statements').set(admin).send(body);
      expect([400, 422]).toContain(res.status);
      expect(res.body.details).toEqual([expect.objectContaining({ field })]);
    }
    const officer = { authorization: `Bearer ${await t.tokenFor('officer')}` };
    expect((await t.http.post('/api/statements').set(officer).send({ period: '2025-Q1' })).status).toBe(403);
    expect((await t.http.get(`/api/statements/${statement.id}`).set(officer)).status).toBe(200);
    const donorId = donors[0].id;
    const donor = { authorization: `Bearer ${await t.tokenFor('donor', donorId)}` };
    const seen = await t.http.get(`/api/statements/${statement.id}`).set(donor);
    expect(seen.status).toBe(200);
    expect(seen.body.donorSectionOnly).toBe(true);
    expect(seen.body.figures.byDonor.map((d: { donorId: number }) => d.donorId)).toEqual([donorId]);
    expect(new Set(seen.body.records.pledges.map((p: { donorId: number }) => p.donorId))).toEqual(new Set([donorId]));
    expect(seen.body.figures.government).toEqual((statement.figures as unknown as { government: unknown }).government);
    expect((await t.http.get(`/api/statements/${statement.id}/diff`).set(donor)).status).toBe(403);
  });
});
