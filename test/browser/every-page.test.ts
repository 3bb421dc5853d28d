import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Role } from '../../src/access/roles';
import { DigestMessageEntity } from '../../src/digests/digest-message.entity';
import { DonorEntity } from '../../src/donors/donor.entity';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { ADMIN, createTestApp, TestApp } from '../support/test-app';
import { launchChromium, screenshot, serveForBrowser } from './support/chromium';

/**
 * Every page of the app, as every role that may open it, on a laptop (1366 px) and a phone
 * (390 px). A page fails on any console error (the browser reports each Content-Security-Policy
 * refusal there), any uncaught script error, any sideways scroll of the page itself, and any
 * axe-core violation. Each is saved as a screenshot under test-artifacts/screens/.
 *
 * axe-core comes from npm (node_modules/axe-core/axe.min.js). The app's policy rightly refuses an
 * injected inline <script>, so its source runs through page.evaluate (the DevTools protocol, which
 * the page's policy does not govern); nothing about the page's own policy is loosened.
 */
type Who = Role | 'signed out';

interface Visit {
  /** The route as registered ("GET /pledges/:id"). */
  route: string;
  path: string;
  who: readonly Who[];
}

const STAFF: readonly Who[] = ['admin', 'officer', 'leadership'];
const LEDGER: readonly Who[] = ['admin', 'officer'];
const EVERYONE: readonly Who[] = ['admin', 'officer', 'leadership', 'donor'];

/** GET routes that answer with a file to download, not a page. */
const DOWNLOADS = new Set(['GET /pledges.csv', 'GET /funding-gap/:table.csv']);

const VIEWPORTS = [
  { name: 'laptop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const AXE_SOURCE = readFileSync(join(dirname(createRequire(join(process.cwd(), 'package.json')).resolve('axe-core')), 'axe.min.js'), 'utf8');

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
}

function registeredPageRoutes(t: TestApp): string[] {
  const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router;
  const routes = new Set<string>();
  for (const layer of router.stack) if (layer.route?.methods.get && !layer.route.path.startsWith('/api')) routes.add(`GET ${layer.route.path}`);
  return [...routes].sort();
}

describe('every page, every role, laptop and phone', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let visits: Visit[];
  const password = 'browser-password-1';
  const emails: Record<Role, string> = { admin: ADMIN.email, officer: 'officer@pages.test', leadership: 'board@pages.test', donor: 'ksrelief@pages.test' };
  const problems: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ seed: true, env: { APP_URL: 'http://127.0.0.1' } });
    const auth = { authorization: `Bearer ${t.adminToken}` };
    const saudi = await t.dataSource.getRepository(DonorEntity).findOneByOrFail({ name: 'Saudi Arabia (KSrelief)' });
    for (const role of ['officer', 'leadership', 'donor'] as const) {
      const res = await t.http
        .post('/api/users')
        .set(auth)
        .send({ email: emails[role], password, role, donorId: role === 'donor' ? saudi.id : undefined });
      if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const contact = await t.http.post(`/api/donors/${saudi.id}/contacts`).set(auth).send({ email: 'desk@ksrelief.example', name: 'Desk' });
    if (contact.status !== 201) throw new Error(`contact: ${contact.status}`);
    if ((await t.http.post('/api/digests/run').set(auth).send({ period: '2025-03' })).status !== 202) throw new Error('digest run');
    // A title as long as the form allows, to show the list keeps it to two lines.
    const long = await t.http
      .post('/api/pledges')
      .set(auth)
      .send({
        donorId: saudi.id,
        title: `Technical survey, clearance and handover of ${'agricultural land, irrigation canals and village roads '.repeat(4)}in Aghdam district`,
        kind: 'cash',
        amount: '125000.00',
        currency: 'USD',
        pledgedOn: '2025-02-03',
        status: 'announced',
        channel: 'direct',
        priorityCodes: ['P01', 'P03', 'P07'],
      });
    if (long.status !== 201) throw new Error(`pledge: ${long.status} ${JSON.stringify(long.body)}`);
    const [message] = await t.dataSource.getRepository(DigestMessageEntity).find({ where: { donorId: saudi.id } });
    const [pledge] = await t.dataSource.getRepository(PledgeEntity).find({ where: { donorId: saudi.id }, order: { id: 'ASC' } });
    const unsubscribe = new URL(message.unsubscribeUrl);
    const officerId = ((await t.http.get('/api/users').set(auth)).body.items as Array<{ id: number; email: string }>).find(
      (u) => u.email === emails.officer,
    )?.id;
    const obligation = await t.http
      .post('/api/obligations')
      .set(auth)
      .send({ pledgeId: pledge.id, kind: 'narrative_report', title: 'Six-month narrative report', dueOn: '2025-09-30', responsible: 'Programme unit' });
    if (obligation.status !== 201) throw new Error(`obligation: ${obligation.status} ${JSON.stringify(obligation.body)}`);
    // The funding-gap page's forecast has a quarter to show: an instalment not yet received.
    const expected = await t.http.post(`/api/pledges/${long.body.id}/instalments`).set(auth).send({ dueOn: '2030-12-31', amount: '1000.00' });
    if (expected.status !== 201) throw new Error(`instalment: ${expected.status} ${JSON.stringify(expected.body)}`);
    // The pledge page shows a schedule: one instalment overdue, one to come.
    for (const dueOn of ['2025-06-30', '2030-12-31']) {
      const size = pledge.kind === 'cash' ? { amount: '1.00' } : { quantity: 1 };
      const instalment = await t.http
        .post(`/api/pledges/${pledge.id}/instalments`)
        .set(auth)
        .send({ dueOn, ...size });
      if (instalment.status !== 201) throw new Error(`instalment: ${instalment.status} ${JSON.stringify(instalment.body)}`);
    }
    const reset = await t.http.post(`/api/users/${officerId}/password-reset`).set(auth);
    const resetPath = new URL(reset.body.url as string).pathname;
    const first = await t.http.post('/api/statements').set(auth).send({ period: '2025-Q1' });
    const corrected = await t.http.post('/api/statements').set(auth).send({ period: '2025-Q1', replaces: first.body.id });
    if (first.status !== 201 || corrected.status !== 201) throw new Error(`statements: ${first.status} ${corrected.status}`);

    visits = [
      { route: 'GET /login', path: '/login', who: ['signed out'] },
      // The link in the email's text opens this page; the List-Unsubscribe header names the API's one-click address.
      { route: 'GET /digests/unsubscribe', path: `${unsubscribe.pathname.replace(/^\/api/, '')}${unsubscribe.search}`, who: ['signed out'] },
      { route: 'GET /', path: '/', who: STAFF },
      { route: 'GET /pledges', path: '/pledges', who: EVERYONE },
      { route: 'GET /pledges/new', path: '/pledges/new', who: LEDGER },
      { route: 'GET /pledges/:id', path: `/pledges/${pledge.id}`, who: EVERYONE },
      { route: 'GET /pledges/:id/edit', path: `/pledges/${pledge.id}/edit`, who: LEDGER },
      { route: 'GET /pledges/:id/cancel', path: `/pledges/${pledge.id}/cancel`, who: LEDGER },
      { route: 'GET /donors', path: '/donors', who: STAFF },
      { route: 'GET /donors/:id', path: `/donors/${saudi.id}`, who: EVERYONE },
      { route: 'GET /audit', path: '/audit', who: STAFF },
      { route: 'GET /donors/new', path: '/donors/new', who: LEDGER },
      { route: 'GET /donors/:id/edit', path: `/donors/${saudi.id}/edit`, who: LEDGER },
      { route: 'GET /donors/:id/contacts/new', path: `/donors/${saudi.id}/contacts/new`, who: LEDGER },
      { route: 'GET /donors/:id/contacts/:contactId/edit', path: `/donors/${saudi.id}/contacts/${contact.body.id}/edit`, who: LEDGER },
      { route: 'GET /users', path: '/users', who: ['admin'] },
      { route: 'GET /users/:id', path: `/users/${officerId}`, who: ['admin'] },
      { route: 'GET /account/password', path: '/account/password', who: EVERYONE },
      { route: 'GET /password-reset/:secret', path: resetPath, who: ['signed out'] },
      { route: 'GET /priorities', path: '/priorities', who: STAFF },
      { route: 'GET /priorities/:code', path: '/priorities/P07', who: STAFF },
      { route: 'GET /national', path: '/national', who: STAFF },
      { route: 'GET /calendar', path: '/calendar', who: STAFF },
      { route: 'GET /obligations/new', path: `/obligations/new?pledgeId=${pledge.id}`, who: LEDGER },
      { route: 'GET /obligations/:id', path: `/obligations/${obligation.body.id}`, who: STAFF },
      { route: 'GET /rates', path: '/rates', who: STAFF },
      { route: 'GET /import', path: '/import', who: LEDGER },
      { route: 'GET /clearance', path: '/clearance', who: STAFF },
      { route: 'GET /digests', path: '/digests', who: STAFF },
      { route: 'GET /statements', path: '/statements', who: STAFF },
      { route: 'GET /statements/publish', path: '/statements/publish?period=2025-Q1', who: ['admin', 'leadership'] },
      { route: 'GET /statements/:id', path: `/statements/${corrected.body.id}`, who: EVERYONE },
      { route: 'GET /statements/:id/diff', path: `/statements/${corrected.body.id}/diff`, who: STAFF },
      { route: 'GET /digests/run', path: '/digests/run?period=2025-04', who: ['admin', 'leadership'] },
      { route: 'GET /digests/messages/:id', path: `/digests/messages/${message.id}`, who: EVERYONE },
      { route: 'GET /digests/messages/:id/body', path: `/digests/messages/${message.id}/body`, who: EVERYONE },
    ];
    base = await serveForBrowser(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('plans a visit to every page the app serves', () => {
    const planned = new Set(visits.map((v) => v.route));
    expect(registeredPageRoutes(t).filter((route) => !planned.has(route) && !DOWNLOADS.has(route))).toEqual([]);
  });

  async function signedIn(who: Who, viewport: (typeof VIEWPORTS)[number]): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
    if (who === 'signed out') return context;
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#email', emails[who]);
    await page.fill('#password', who === 'admin' ? ADMIN.password : password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.close();
    return context;
  }

  async function check(page: Page, who: Who, viewport: (typeof VIEWPORTS)[number], visit: Visit): Promise<void> {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(`${base}${visit.path}`, { waitUntil: 'load' });
    const where = `${visit.route} as ${who} at ${viewport.width} px`;
    if (response?.status() !== 200) problems.push(`${where}: status ${response?.status()}`);
    // Evaluated as text: the page's DOM is not in this project's TypeScript libraries.
    const overflow = await page.evaluate<{
      scrollWidth: number;
      innerWidth: number;
    }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
    if (overflow.scrollWidth > overflow.innerWidth)
      problems.push(`${where}: the page scrolls sideways (${overflow.scrollWidth} px wide in ${overflow.innerWidth} px)`);
    await page.evaluate(AXE_SOURCE);
    const axe = await page.evaluate<AxeResult>('axe.run(document)');
    for (const v of axe.violations)
      problems.push(`${where}: axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    for (const error of errors) problems.push(`${where}: console error: ${error}`);
    const name = `${who.replace(' ', '-')}-${viewport.name}-${visit.route.replace(/^GET \//, '').replace(/[/:.]+/g, '-') || 'home'}`;
    await screenshot(page, join('screens', name));
  }

  it('keeps chart text at 11 px or more on a phone, and lets wide tables scroll in a focusable frame that says so', async () => {
    const context = await signedIn('leadership', VIEWPORTS[1]);
    const page = await context.newPage();
    await page.goto(`${base}/?currency=USD`);
    const charts = await page.evaluate<Array<{ layout: string; css: number; drawn: number }>>(`[...document.querySelectorAll('svg.chart')]
      .filter((svg) => svg.getBoundingClientRect().width > 0)
      .map((svg) => {
        const scale = svg.getScreenCTM().a;
        const sizes = [...svg.querySelectorAll('text')].map((text) => parseFloat(getComputedStyle(text).fontSize));
        return { layout: svg.classList.contains('chart--narrow') ? 'narrow' : 'wide', css: Math.min(...sizes), drawn: Math.min(...sizes) * scale };
      })`);
    expect(charts.map((c) => c.layout)).toEqual(['narrow', 'narrow']);
    for (const chart of charts) {
      expect(chart.css).toBeGreaterThanOrEqual(11);
      expect(chart.drawn).toBeGreaterThanOrEqual(11);
    }
    for (const path of ['/?currency=USD', '/pledges', '/audit']) {
      await page.goto(`${base}${path}`);
      const frames = await page.evaluate<
        Array<{ tabindex: string; role: string; label: string; overflows: boolean; cue: boolean }>
      >(`[...document.querySelectorAll('.table-scroll')].map((frame) => ({
        tabindex: frame.getAttribute('tabindex'),
        role: frame.getAttribute('role'),
        label: frame.getAttribute('aria-label'),
        overflows: frame.scrollWidth > frame.clientWidth,
        cue: getComputedStyle(frame.querySelector('.scroll-cue')).display !== 'none',
      }))`);
      expect(frames.length).toBeGreaterThan(0);
      for (const frame of frames) {
        expect([frame.tabindex, frame.role, frame.label.length > 0]).toEqual(['0', 'region', true]);
        expect(frame.cue).toBe(frame.overflows);
      }
      expect(frames.some((f) => f.overflows)).toBe(true);
    }
    // A keyboard reaches the table and scrolls it.
    await page.focus('.table-scroll[data-overflows]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    // Arrow keys scroll smoothly: give the frame a moment to move (waitForFunction may need eval, which the policy refuses).
    let scrolled = 0;
    for (let attempt = 0; attempt < 20 && scrolled <= 0; attempt++) {
      await page.waitForTimeout(100);
      scrolled = await page.evaluate<number>('document.activeElement.classList.contains("table-scroll") ? document.activeElement.scrollLeft : -1');
    }
    expect(scrolled).toBeGreaterThan(0);
    await context.close();
  });

  it('fits the pledges list to a laptop: filters on one row, every column in view, titles on at most two lines', async () => {
    const context = await signedIn('officer', VIEWPORTS[0]);
    const page = await context.newPage();
    await page.goto(`${base}/pledges?displayCurrency=USD`);
    const layout = await page.evaluate<Record<string, unknown>>(`(() => {
      const frame = document.querySelector('#pledges').closest('.table-scroll');
      const lastHeading = [...document.querySelectorAll('#pledges thead th')].at(-1);
      const clamps = [...document.querySelectorAll('#pledges .pledge-list__title .clamp')];
      const lineHeight = parseFloat(getComputedStyle(clamps[0]).lineHeight);
      return {
        lastHeading: lastHeading.textContent,
        cutOff: frame.scrollWidth > frame.clientWidth || lastHeading.getBoundingClientRect().right > frame.getBoundingClientRect().right,
        filterRows: (() => {
          const tops = [...document.querySelectorAll('.filters--row .field')].map((f) => f.getBoundingClientRect().top);
          return Math.max(...tops) - Math.min(...tops) < 10 ? 1 : 2;
        })(),
        applyButtonShown: document.querySelector('[data-apply-button]').offsetParent !== null,
        longestTitleLines: Math.max(...clamps.map((c) => Math.round(c.getBoundingClientRect().height / lineHeight))),
        clamped: clamps.some((c) => c.scrollHeight > c.clientHeight + 1),
      };
    })()`);
    expect(layout).toEqual({ lastHeading: 'In USD', cutOff: false, filterRows: 1, applyButtonShown: false, longestTitleLines: 2, clamped: true });
    // A filter applies as soon as it is chosen (app.js); the title's full text stays on hover.
    await Promise.all([page.waitForURL(/status=fully_disbursed/), page.selectOption('#filter-status', 'fully_disbursed')]);
    expect(await page.locator('#pledges tbody tr').count()).toBeGreaterThan(0);
    await context.close();
  });

  for (const who of ['signed out', 'admin', 'officer', 'leadership', 'donor'] as const) {
    for (const viewport of VIEWPORTS) {
      it(`shows every page ${who === 'signed out' ? 'before signing in' : `to ${who}`} at ${viewport.width} px cleanly`, async () => {
        const context = await signedIn(who, viewport);
        for (const visit of visits.filter((v) => v.who.includes(who))) {
          const page = await context.newPage();
          await check(page, who, viewport, visit);
          await page.close();
        }
        await context.close();
        expect(problems.splice(0)).toEqual([]);
        // One test walks all of a role's pages (about 40 for staff, each checked with axe): its budget grows with the pages, not the default 60 s.
      }, 180_000);
    }
  }
});
