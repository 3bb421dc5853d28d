import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createTestApp, TestApp } from '../support/test-app';
import { makeDonor, makePledge } from '../support/factories';
import { makeUser, signInWeb } from './web-support';

describe('the funding-gap page at / and its CSV downloads', () => {
  let t: TestApp;
  let leadership: string;
  const page = (path: string, token = leadership) => t.http.get(path).set('cookie', `mat_session=${token}`).set('accept', 'text/html');

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    leadership = await t.tokenFor('leadership');
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the headline figures, formatted for people with the exact figure on hover', async () => {
    const res = await page('/?currency=USD&asOf=2025-06-30');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<p class="headline-figure__value" title="464,117,647.06 USD">464M USD</p>');
    expect(res.text).toContain('4.8% <small>reported</small>');
    expect(res.text).toContain('computed on the reported total 4.78%');
    expect(res.text).toContain('title="14,289,350.00 USD" data-testid="itemised">14,289,350 USD</td>');
    expect(res.text).toContain('data-testid="not-itemised">9,010,650 USD</td>');
    expect(res.text).toContain('<option value="USD" selected>USD</option>');
    expect(res.text).toContain('value="2025-06-30"');
  });

  it('draws both charts as inline SVG and loads nothing from the internet', async () => {
    const res = await page('/');
    // Each twice: for screens and paper, and narrower for a phone (the stylesheet shows one).
    for (const chart of ['government-vs-foreign', 'priorities'])
      for (const layout of ['wide', 'narrow']) expect(res.text).toContain(`class="chart chart--${chart} chart--${layout}"`);
    // The one script is the app's own file, which only enhances; nothing inline, nothing from elsewhere.
    expect(res.text).not.toMatch(/<script(?! src="\/static\/app\.js" defer><\/script>)|src="https?:|href="https?:/);
    // The Content-Security-Policy allows no inline style: a style attribute would be refused and logged by the browser.
    expect(res.text).not.toMatch(/\sstyle="/);
    expect(res.text).toContain('<link rel="stylesheet" href="/static/styles.css">');
  });

  it("lists the twelve priorities in the report's order with the unfunded marked, the unearmarked pledges as their own line, and the donors", async () => {
    const res = await page('/?currency=USD');
    const codes = [...res.text.matchAll(/<tr(?: class="row-gap")? data-priority-code="(P\d\d)">/g)].map((m) => m[1]);
    expect(codes).toEqual(['P01', 'P02', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'P09', 'P10', 'P11', 'P12']);
    // P01 (Saudi Arabia, UAE) and P07 (dogs) have pledges; the other ten are marked.
    expect([...res.text.matchAll(/data-testid="unfunded"/g)]).toHaveLength(10);
    expect(res.text).toContain('data-testid="not-earmarked">6,289,350 USD</td>');
    expect(res.text).toContain('12 mine detection dogs delivered; up to 30 more pledged, not yet delivered');
    expect(res.text).toMatch(/<th scope="row">United Arab Emirates<\/th>\s*<td class="num" title="5,000,000.00 USD">5,000,000 USD<\/td>/);
  });

  it('switches the display currency and the date with a plain GET form', async () => {
    const eur = await page('/?currency=EUR');
    expect(eur.text).toContain('title="424,316,737.12 EUR">424M EUR</p>');
    const before = await page('/?currency=USD&asOf=2025-03-30');
    const donorRows = (html: string) => [...html.matchAll(/<tr data-donor-id="\d+">\s*<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(donorRows(before.text)).toEqual(['Saudi Arabia (KSrelief)']);
    expect(before.text).toContain('No projection: it needs government spend');
  });

  it('refuses a donor and sends a visitor without a session to sign in', async () => {
    const donorId = (await t.http.get('/api/donors?limit=1').set('authorization', `Bearer ${t.adminToken}`)).body.items[0].id;
    expect((await page('/', await t.tokenFor('donor', donorId))).status).toBe(403);
    const anonymous = await t.http.get('/?currency=EUR').set('accept', 'text/html');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2F%3Fcurrency%3DEUR');
    expect((await page('/?currency=GBP')).status).toBe(400);
  });

  it('keeps the content between readers but never the reader: a leadership user and a desk officer each get their own page', async () => {
    const officer = await t.tokenFor('officer');
    const user = (token: string) => t.http.get('/api/auth/me').set('authorization', `Bearer ${token}`);
    const [leadershipEmail, officerEmail] = [(await user(leadership)).body.email as string, (await user(officer)).body.email as string];
    // Leadership first, so the officer would get the leadership's page if the layout were kept with the content.
    const first = await page('/?currency=USD');
    const second = await page('/?currency=USD', officer);
    const again = await page('/?currency=USD');
    for (const [res, role, label, email, other] of [
      [first, 'leadership', 'Leadership', leadershipEmail, officerEmail],
      [second, 'officer', 'Desk officer', officerEmail, leadershipEmail],
      [again, 'leadership', 'Leadership', leadershipEmail, officerEmail],
    ] as const) {
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<strong data-role="${role}">${label}</strong>`);
      expect(res.text).toContain(`>${email}</a>`);
      expect(res.text).not.toContain(other);
    }
    // Only a desk officer imports pledges: the navigation is the reader's own.
    expect(second.text).toContain('href="/import"');
    expect(first.text).not.toContain('href="/import"');
    expect(again.text).not.toContain('href="/import"');
    // Each sign-out form carries its own session's CSRF token.
    const csrf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    expect(csrf(first.text)).toBeTruthy();
    expect(csrf(second.text)).toBeTruthy();
    expect(csrf(second.text)).not.toBe(csrf(first.text));
    // Both read one computation of the figures (the same generation time).
    const generated = (html: string) => /<p class="source-note">Generated <time datetime="([^"]+)"/.exec(html)?.[1];
    expect(generated(second.text)).toBe(generated(first.text));
    expect(generated(again.text)).toBe(generated(first.text));
  });

  it("puts each reader's own CSRF token into the layout it keeps: each session signs out with its page's token, not another's", async () => {
    const credentials = await makeUser(t, 'leadership');
    const [a, b] = [await signInWeb(t, credentials.email, credentials.password), await signInWeb(t, credentials.email, credentials.password)];
    // The same reader and navigation: b's page comes from the layout kept for a's, with b's token put in.
    const [pageA, pageB] = [await a.get('/?currency=USD'), await b.get('/?currency=USD')];
    expect([pageA.status, pageB.status]).toEqual([200, 200]);
    expect(a.csrf).not.toBe(b.csrf);
    expect(pageB.text.replace(b.csrf, '')).toBe(pageA.text.replace(a.csrf, ''));
    // a's token does not sign b out; b's own does, and a's session is still alive.
    const tokenOfB = b.csrf;
    b.csrf = a.csrf;
    expect((await b.post('/logout', {})).status).toBe(403);
    b.csrf = tokenOfB;
    expect((await b.post('/logout', {})).status).toBe(303);
    expect((await b.get('/')).status).toBe(303);
    expect((await a.get('/')).status).toBe(200);
  });

  it('is gzipped for a client that takes it (the content compressed once, the layout per reader), and plain otherwise', async () => {
    // Node's own client: supertest and fetch would decode the body before the test sees it.
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const raw = (encoding: string) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const headers = { cookie: `mat_session=${leadership}`, accept: 'text/html', 'accept-encoding': encoding };
        get({ host: '127.0.0.1', port, path: '/?currency=USD&asOf=2025-06-30', headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
    const plain = await raw('identity');
    const gzipped = await raw('gzip, deflate, br');
    const again = await raw('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const res of [plain, gzipped, again]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['vary']).toMatch(/Accept-Encoding/i);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
    }
    for (const res of [gzipped, again]) expect(res.headers['content-encoding']).toBe('gzip');
    // The same page once decoded, but for the request's own CSRF token.
    const withoutToken = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""');
    const html = plain.body.toString('utf8');
    expect(html).toContain('<p class="headline-figure__value" title="464,117,647.06 USD">464M USD</p>');
    expect(html.endsWith('</html>\n') || html.endsWith('</html>')).toBe(true);
    for (const res of [gzipped, again]) expect(withoutToken(gunzipSync(res.body).toString('utf8'))).toBe(withoutToken(html));
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 3);
  });

  it('downloads each table as CSV with exact figures', async () => {
    const res = await page('/funding-gap/by-priority.csv?currency=USD&asOf=2025-06-30');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename=funding-gap-by-priority-USD-2025-06-30.csv');
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(14);
    expect(lines[0]).toBe('rank,code,priority,pledged,received,target,gap,percent_funded,unfunded,currency,in_kind');
    expect(lines[1]).toBe('1,P01,Direct financial donations,8000000.00,3000000.00,,,,no,USD,');
    expect(lines[7]).toBe(
      '7,P07,Mine Detection Dogs (MDD) Training,0.00,0.00,,,,no,USD,"20 mine detection dogs delivered; up to 30 more pledged, not yet delivered"',
    );
    expect(lines[13]).toBe(',,Not earmarked to a priority,6289350.00,0.00,,,,,USD,');
    const reconciliation = await page('/funding-gap/reconciliation.csv?currency=USD&asOf=2025-06-30');
    expect(reconciliation.text).toContain('"Foreign, reported but not yet itemised",9010650.00,USD,reported total minus itemised');
    const rates = await page('/funding-gap/rates.csv?currency=USD&asOf=2025-06-30');
    expect(rates.text).toBe(
      'base,quote,rate,date,source\r\n' +
        'EUR,USD,1.0938,2024-10-11,European Central Bank euro foreign exchange reference rates\r\n' +
        'USD,AZN,1.7000,2018-01-01,"Central Bank of Azerbaijan (official rate, held at 1.7000 AZN per USD since 2017)"\r\n',
    );
    expect((await page('/funding-gap/everything.csv')).status).toBe(400);
  });

  it('keeps a donor name that looks like a formula as text in the CSV', async () => {
    const donorId = await makeDonor(t, { name: '=HYPERLINK("http://evil.example","Click")' });
    await makePledge(t, donorId, { amount: '10.00', pledgedOn: '2025-01-02' });
    const res = await page('/funding-gap/by-donor.csv?currency=USD');
    // 10.00 pledged, nothing received; nobody recorded whether it is owed: not documented.
    expect(res.text).toContain(`,"'=HYPERLINK(""http://evil.example"",""Click"")",10.00,0.00,0.00,10.00,0.00,USD,`);
    const html = await page('/?currency=USD');
    expect(html.text).toContain('<th scope="row">&#x3D;HYPERLINK(&quot;http://evil.example&quot;,&quot;Click&quot;)</th>');
  });
});
