import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/** The currency-totals table of the pledges list: currency → [pledges, pledged, received, cancelled] as shown. */
function currencyTotals(html: string): Record<string, string[]> {
  const table = /<table class="data-table data-table--compact" id="currency-totals">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return Object.fromEntries(
    [...table.matchAll(/<tr data-currency="([A-Z]{3})">([\s\S]*?)<\/tr>/g)].map((row) => [
      row[1],
      [...row[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1].replace(/<[^>]+>/g, '').trim()),
    ]),
  );
}

describe('the pledges list: totals per currency, search over the source, one row of filters', () => {
  let t: TestApp;
  let officer: WebSession;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const japan = await makeDonor(t, { name: 'Japan' });
    const norway = await makeDonor(t, { name: 'Norway' });
    await makePledge(t, japan, { title: 'Clearance in Tartar', amount: '1000000.00', currency: 'EUR', source: 'Letter of the Embassy, note verbale 2024/17' });
    const withdrawn = await makePledge(t, japan, { title: 'Survey vehicles', amount: '500000.00', currency: 'EUR' });
    const cash = await makePledge(t, norway, { title: 'Support to ANAMA', amount: '2000000.00', currency: 'USD' });
    await makePledge(t, norway, {
      title: 'Dogs',
      kind: 'in_kind',
      amount: undefined,
      currency: undefined,
      inKind: { quantity: 4, unit: 'mine detection dogs' },
    });
    const auth = { authorization: `Bearer ${t.adminToken}` };
    expect(
      (await t.http.post(`/api/pledges/${cash.id}/disbursements`).set(auth).send({ amount: '500000.00', currency: 'USD', receivedOn: '2024-07-01' })).status,
    ).toBe(201);
    expect((await t.http.post(`/api/pledges/${withdrawn.id}/cancel`).set(auth).send({ reason: 'Withdrawn by letter' })).status).toBe(200);
    const user = await makeUser(t, 'officer');
    officer = await signInWeb(t, user.email, user.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('totals every cash pledge per currency pledged in, cancelled ones apart, beside the display-currency total', async () => {
    const res = await officer.get('/pledges?displayCurrency=USD');
    expect(res.status).toBe(200);
    expect(currencyTotals(res.text)).toEqual({
      EUR: ['1 + 1 cancelled', '1,000,000 EUR', '0.00 EUR', '500,000 EUR'],
      USD: ['1', '2,000,000 USD', '500,000 USD', '—'],
    });
    // 1,000,000 EUR at 1.0850 (2024-01-02, the rate before 2024-06-03) plus 2,000,000 USD.
    expect(res.text).toContain('In USD: <strong title="3,085,000.00 USD">3,085,000 USD</strong> pledged');
    // The cancelled pledge is listed, marked, and counted only apart.
    expect(res.text).toMatch(/<tr class="row-cancelled">[\s\S]*?Survey vehicles[\s\S]*?<span class="tag tag--cancelled">Cancelled<\/span>/);
    expect(res.text).toContain('data-total-cancelled title="542,500.00 USD">542,500 USD</td>');
  });

  it('finds a pledge by the words of its source, and its totals follow', async () => {
    const res = await officer.get('/pledges?displayCurrency=USD&q=NOTE%20VERBALE');
    const titles = [...res.text.matchAll(/<a href="\/pledges\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(titles).toEqual(['Clearance in Tartar']);
    expect(currencyTotals(res.text)).toEqual({ EUR: ['1', '1,000,000 EUR', '0.00 EUR', '—'] });
    expect(res.text).toContain('data-total title="1,085,000.00 USD">1,085,000 USD</td>');
  });

  it('keeps its filters in one form that applies on change, with a button for browsers without JavaScript', async () => {
    const res = await officer.get('/pledges?status=cancelled');
    expect(res.text).toContain('<form class="filters filters--row" method="get" action="/pledges" aria-label="Filter pledges" data-apply-on-change>');
    expect(res.text).toContain('<button type="submit" data-apply-button>Show pledges</button>');
    expect(res.text).toContain('<script src="/static/app.js" defer></script>');
    expect(res.text).toContain('<a href="/pledges">Clear the filters</a>');
    // Priorities by name, in the report's numbering.
    expect(res.text).toContain('<option value="P01">1. Priority 1</option>');
    const script = await t.http.get('/static/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });
});
