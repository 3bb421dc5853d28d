import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { ADMIN, createTestApp, TestApp } from '../support/test-app';
import { signInWeb, WebSession } from './web-support';

const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)>"'`;
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;&quot;&#x27;';

describe('hostile input on the pages', () => {
  let t: TestApp;
  let admin: WebSession;
  let donorId: number;
  let pledgeId: number;
  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    donorId = await makeDonor(t, { name: `Donor ${XSS}`, notes: `Notes ${XSS}`, contacts: [{ name: `Contact ${XSS}`, email: 'c@example.org' }] });
    pledgeId = (
      await makePledge(t, donorId, { title: `Title ${XSS}`, notes: `Note ${XSS}`, source: 'javascript:alert(document.cookie)', instrument: `MoU ${XSS}` })
    ).id;
    await t.http
      .post(`/api/pledges/${pledgeId}/cancel`)
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ reason: `Reason ${XSS}` });
    admin = await signInWeb(t, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows script payloads escaped on every page that displays them', async () => {
    const pages = ['/pledges', `/pledges/${pledgeId}`, '/donors', `/donors/${donorId}`, '/audit', '/audit?entityType=pledge'];
    for (const path of pages) {
      const res = await admin.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect({ path, raw: res.text.includes('<script>alert(1)') || res.text.includes('<img src=x') }).toEqual({ path, raw: false });
      expect({ path, escaped: res.text.includes(ESCAPED) }).toEqual({ path, escaped: true });
    }
    const detail = await admin.get(`/pledges/${pledgeId}`);
    for (const field of ['Title', 'Note', 'MoU', 'Reason']) expect(detail.text).toContain(`${field} ${ESCAPED}`);
  });

  it('never turns a javascript: source into a link, and refuses one typed into the form', async () => {
    const detail = await admin.get(`/pledges/${pledgeId}`);
    expect(detail.text).not.toMatch(/href="javascript:/i);
    expect(detail.text).toContain('<dt>Source</dt><dd>javascript:alert(document.cookie)</dd>');
    await admin.get('/pledges/new');
    for (const source of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'java\tscript:alert(1)']) {
      const res = await admin.post('/pledges/new', {
        idempotencyKey: `k-${source}`,
        donorId: String(donorId),
        title: 'Link test',
        kind: 'cash',
        amount: '10',
        currency: 'USD',
        status: 'announced',
        channel: 'direct',
        source,
      });
      expect({ source, status: res.status }).toEqual({ source, status: 400 });
      expect(res.text).toContain('Source may only link to http or https addresses');
    }
    expect(await t.dataSource.getRepository(PledgeEntity).count()).toBe(1);
  });

  it('defuses spreadsheet formulas in the CSV export', async () => {
    const formulaDonor = await makeDonor(t, { name: '=HYPERLINK("http://evil.example","x")' });
    await makePledge(t, formulaDonor, { title: '+cmd|calc', notes: '@SUM(A1)', source: '-2+3' });
    const second = await makePledge(t, formulaDonor, { title: 'Second', notes: 'Tabbed', source: 'return' });
    // The API trims text, so a leading tab or carriage return can only come from data stored before that rule.
    await t.dataSource.getRepository(PledgeEntity).update(second.id, { notes: '\tTabbed', source: '\rreturn' });
    const res = await admin.get(`/pledges.csv?donorId=${formulaDonor}&sort=oldest`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = res.text.split('\r\n');
    expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",'+cmd|calc,cash,`);
    expect(lines[1]).toContain(`,'-2+3,'@SUM(A1)`);
    expect(lines[2]).toContain(`,"'\rreturn",'\tTabbed`);
  });

  it('treats SQL meta-characters in every filter as plain values: a clear 400 or no match, never an error', async () => {
    const payloads = [`' OR '1'='1`, `1; DROP TABLE pledges; --`, `P01' --`, `"; SELECT * FROM users; --`, `%' OR 1=1 --`];
    for (const p of payloads) {
      for (const name of ['donorId', 'status', 'priorityCode', 'currency', 'displayCurrency', 'sort', 'limit', 'cursor']) {
        const res = await admin.get(`/pledges?${name}=${encodeURIComponent(p)}`);
        expect({ name, p, status: res.status }).toEqual({ name, p, status: name === 'sort' ? 200 : 400 });
      }
      for (const name of ['entityType', 'entityId']) {
        const res = await admin.get(`/audit?${name}=${encodeURIComponent(p)}`);
        expect({ name, p, status: res.status }).toEqual({ name, p, status: 400 });
      }
      const api = await t.http.get(`/api/pledges?status=${encodeURIComponent(p)}`).set('authorization', `Bearer ${t.adminToken}`);
      expect(api.status).toBe(400);
    }
    expect(await t.dataSource.getRepository(PledgeEntity).count()).toBe(3);
  });

  it('refuses oversized and deeply nested bodies with a 4xx and writes nothing', async () => {
    const auth = { authorization: `Bearer ${t.adminToken}` };
    const before = await t.dataSource.getRepository(PledgeEntity).count();
    const huge = await t.http
      .post('/api/pledges')
      .set(auth)
      .send({ title: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('Payload Too Large');
    const nested = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const deep = await t.http.post('/api/pledges').set(auth).set('content-type', 'application/json').send(`{"donorId":${donorId},"inKind":${nested}}`);
    expect(deep.status).toBe(400);
    await admin.get('/pledges/new');
    const bigForm = await admin.post('/pledges/new', { title: 'y'.repeat(1_100_000) });
    expect(bigForm.status).toBe(413);
    const arrayForm = await admin.post('/pledges/new', {
      idempotencyKey: 'arr',
      donorId: [String(donorId), '2'],
      title: ['a', 'b'],
      kind: 'cash',
      amount: '5',
      currency: 'USD',
      channel: 'direct',
      status: 'announced',
    });
    expect(arrayForm.status).toBe(400);
    expect(arrayForm.text).toContain('Choose the donor');
    expect(await t.dataSource.getRepository(PledgeEntity).count()).toBe(before);
  });
});
