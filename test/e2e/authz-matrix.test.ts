import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Role } from '../../src/access/roles';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, newWebSession, signInWeb, WebSession } from './web-support';

/**
 * The authorisation matrix: every route the app registers, for every role and for no session.
 * `allow` is who gets past the guard ('public': everyone). `ownDonorOnly` routes take a record of
 * donor A; the donor user here belongs to donor B and must get 404 (not 403, which would tell it
 * the record exists). A route missing from this table fails the test by name: add its rule here.
 */
type Rule = { allow: 'public' | readonly Role[]; ownDonorOnly?: true };

const ALL: readonly Role[] = ['admin', 'officer', 'leadership', 'donor'];
const STAFF: readonly Role[] = ['admin', 'officer', 'leadership'];
const LEDGER: readonly Role[] = ['admin', 'officer'];
const ADMIN: readonly Role[] = ['admin'];
const ADMIN_LEADERSHIP: readonly Role[] = ['admin', 'leadership'];

const RULES: Record<string, Rule> = {
  // OpenAPI document and its UI (served by SwaggerModule, outside the guard)
  'GET /api/docs': { allow: 'public' },
  'GET /api/docs/': { allow: 'public' },
  'GET /api/docs/index.html': { allow: 'public' },
  'GET /api/docs/swagger-ui-init.js': { allow: 'public' },
  'GET /api/docs/docs/swagger-ui-init.js': { allow: 'public' },
  'GET /api/docs/LICENSE': { allow: 'public' },
  'GET /api/docs/openapi.json': { allow: 'public' },
  'GET /api/docs-yaml': { allow: 'public' },
  // API
  'GET /api/health': { allow: 'public' },
  'POST /api/auth/login': { allow: 'public' },
  'POST /api/auth/logout': { allow: ALL },
  'GET /api/auth/me': { allow: ALL },
  'POST /api/users': { allow: ADMIN },
  'GET /api/users': { allow: ADMIN },
  'GET /api/users/:id': { allow: ADMIN },
  'PATCH /api/users/:id': { allow: ADMIN },
  'POST /api/users/:id/password-reset': { allow: ADMIN },
  'POST /api/auth/password': { allow: ALL },
  'PATCH /api/donors/:id/contacts/:contactId': { allow: LEDGER },
  'DELETE /api/donors/:id/contacts/:contactId': { allow: LEDGER },
  'POST /api/obligations': { allow: LEDGER },
  'GET /api/obligations/:id': { allow: STAFF },
  'POST /api/obligations/:id/submit': { allow: LEDGER },
  'POST /api/obligations/:id/waive': { allow: LEDGER },
  'GET /api/calendar': { allow: STAFF },
  'POST /api/calendar/feed-key': { allow: STAFF },
  // The key in the URL is the credential; without a live one, 404.
  'GET /api/calendar.ics': { allow: 'public' },
  'GET /api/audit': { allow: STAFF },
  'POST /api/donors': { allow: LEDGER },
  'GET /api/donors': { allow: ALL },
  'GET /api/donors/:id': { allow: ALL, ownDonorOnly: true },
  'PATCH /api/donors/:id': { allow: LEDGER },
  'POST /api/donors/:id/contacts': { allow: LEDGER },
  'GET /api/organisations/current': { allow: ALL },
  'GET /api/priorities': { allow: ALL },
  'PATCH /api/priorities/:code': { allow: ADMIN_LEADERSHIP },
  'GET /api/priorities/:code': { allow: ALL },
  'POST /api/priorities/:code/targets': { allow: ADMIN_LEADERSHIP },
  'POST /api/fx-rates': { allow: LEDGER },
  'POST /api/fx-rates/import': { allow: LEDGER },
  'GET /api/fx-rates/convert': { allow: ALL },
  'GET /api/fx-rates/coverage': { allow: STAFF },
  'POST /api/pledges': { allow: LEDGER },
  'GET /api/pledges': { allow: ALL },
  'GET /api/pledges/:id': { allow: ALL, ownDonorOnly: true },
  'PATCH /api/pledges/:id': { allow: LEDGER },
  'POST /api/pledges/:id/disbursements': { allow: LEDGER },
  'POST /api/pledges/:id/cancel': { allow: LEDGER },
  'POST /api/pledges/:id/instalments': { allow: LEDGER },
  'PATCH /api/pledges/:id/instalments/:instalmentId': { allow: LEDGER },
  'DELETE /api/pledges/:id/instalments/:instalmentId': { allow: LEDGER },
  'POST /api/government-spend': { allow: LEDGER },
  'GET /api/government-spend': { allow: STAFF },
  'POST /api/reported-figures': { allow: LEDGER },
  'GET /api/reported-figures': { allow: STAFF },
  'GET /api/funding-gap': { allow: STAFF },
  'GET /api/funding-gap/rates': { allow: STAFF },
  'GET /api/funding-gap/forecast': { allow: STAFF },
  'POST /api/statements': { allow: ADMIN_LEADERSHIP },
  'GET /api/statements': { allow: ALL },
  'GET /api/statements/:id': { allow: ALL },
  'GET /api/statements/:id/diff': { allow: STAFF },
  'GET /api/statements/:id/document.json': { allow: ALL },
  'GET /api/statements/:id/document.docx': { allow: ALL },
  'GET /api/statements/:id/document.pdf': { allow: ALL },
  'POST /api/import/pledges': { allow: LEDGER },
  'GET /api/import/pledges/template.csv': { allow: STAFF },
  'GET /api/export/pledges.csv': { allow: STAFF },
  'GET /api/export/disbursements.csv': { allow: STAFF },
  'GET /api/export/iati-activities.xml': { allow: ADMIN_LEADERSHIP },
  'POST /api/digests/run': { allow: ADMIN_LEADERSHIP },
  'GET /api/digests/outbox': { allow: STAFF },
  'GET /api/digests/outbox/:id/rerender': { allow: STAFF },
  'GET /api/digests/preview/:donorId': { allow: ALL, ownDonorOnly: true },
  'POST /api/digests/unsubscribe': { allow: 'public' },
  // Pages
  'GET /login': { allow: 'public' },
  'POST /login': { allow: 'public' },
  'POST /logout': { allow: 'public' },
  'GET /': { allow: STAFF },
  'GET /funding-gap/:table.csv': { allow: STAFF },
  'GET /statements': { allow: STAFF },
  'GET /statements/publish': { allow: ADMIN_LEADERSHIP },
  'POST /statements': { allow: ADMIN_LEADERSHIP },
  'GET /statements/:id': { allow: ALL },
  'GET /statements/:id/diff': { allow: STAFF },
  'GET /rates': { allow: STAFF },
  'GET /pledges': { allow: ALL },
  'GET /pledges.csv': { allow: ALL },
  'GET /pledges/new': { allow: LEDGER },
  'POST /pledges/new': { allow: LEDGER },
  'GET /pledges/:id': { allow: ALL, ownDonorOnly: true },
  'GET /pledges/:id/edit': { allow: LEDGER },
  'POST /pledges/:id/edit': { allow: LEDGER },
  'POST /pledges/:id/disbursements': { allow: LEDGER },
  'POST /pledges/:id/instalments': { allow: LEDGER },
  'POST /pledges/:id/instalments/:instalmentId/remove': { allow: LEDGER },
  'GET /pledges/:id/cancel': { allow: LEDGER },
  'POST /pledges/:id/cancel': { allow: LEDGER },
  'GET /donors': { allow: STAFF },
  'GET /donors/new': { allow: LEDGER },
  'POST /pledges/new/add-donor': { allow: LEDGER },
  'POST /donors/new': { allow: LEDGER },
  'GET /donors/:id/edit': { allow: LEDGER },
  'POST /donors/:id/edit': { allow: LEDGER },
  'GET /donors/:id/contacts/new': { allow: LEDGER },
  'POST /donors/:id/contacts': { allow: LEDGER },
  'GET /donors/:id/contacts/:contactId/edit': { allow: LEDGER },
  'POST /donors/:id/contacts/:contactId/edit': { allow: LEDGER },
  'POST /donors/:id/contacts/:contactId/remove': { allow: LEDGER },
  'GET /donors/:id': { allow: ALL, ownDonorOnly: true },
  'GET /audit': { allow: STAFF },
  'GET /users': { allow: ADMIN },
  'POST /users': { allow: ADMIN },
  'GET /users/:id': { allow: ADMIN },
  'POST /users/:id': { allow: ADMIN },
  'POST /users/:id/reset-link': { allow: ADMIN },
  'GET /priorities': { allow: STAFF },
  'GET /priorities/:code': { allow: STAFF },
  'POST /priorities/:code/targets': { allow: ADMIN_LEADERSHIP },
  'POST /rates/upload': { allow: LEDGER },
  'POST /rates/upload/:id': { allow: LEDGER },
  'POST /rates/add': { allow: LEDGER },
  'GET /clearance': { allow: STAFF },
  'POST /clearance/result': { allow: LEDGER },
  'POST /clearance/area': { allow: LEDGER },
  'GET /import': { allow: LEDGER },
  'POST /import/check': { allow: LEDGER },
  'POST /import/:id': { allow: LEDGER },
  'GET /national': { allow: STAFF },
  'POST /national/spend': { allow: LEDGER },
  'POST /national/reported': { allow: LEDGER },
  'GET /calendar': { allow: STAFF },
  'POST /calendar/feed-key': { allow: STAFF },
  'GET /obligations/new': { allow: LEDGER },
  'POST /obligations/new': { allow: LEDGER },
  'GET /obligations/:id': { allow: STAFF },
  'POST /obligations/:id/submit': { allow: LEDGER },
  'POST /obligations/:id/waive': { allow: LEDGER },
  'GET /account/password': { allow: ALL },
  'POST /account/password': { allow: ALL },
  // The link's secret is the key; an unknown one is a 410 page.
  'GET /password-reset/:secret': { allow: 'public' },
  'POST /password-reset/:secret': { allow: 'public' },
  'GET /digests': { allow: STAFF },
  'GET /digests/run': { allow: ADMIN_LEADERSHIP },
  'POST /digests/run': { allow: ADMIN_LEADERSHIP },
  'GET /digests/messages/:id': { allow: ALL, ownDonorOnly: true },
  'GET /digests/messages/:id/body': { allow: ALL, ownDonorOnly: true },
  'GET /digests/unsubscribe': { allow: 'public' },
  'POST /digests/unsubscribe': { allow: 'public' },
};

/** Signing out ends the session the rest of the matrix uses, so those routes run last. */
const RUN_LAST = new Set(['POST /api/auth/logout', 'POST /logout']);

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

function registeredRoutes(t: TestApp): string[] {
  const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } }).router;
  const routes = new Set<string>();
  for (const layer of router.stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') routes.add(`${method.toUpperCase()} ${layer.route.path}`);
  }
  return [...routes];
}

type Who = Role | 'none';
const WHO: readonly Who[] = ['none', 'admin', 'officer', 'leadership', 'donor'];

describe('authorisation matrix: every registered route, every role, and no session', () => {
  let t: TestApp;
  let routes: string[];
  const bearer = new Map<Who, string>();
  const web = new Map<Who, WebSession>();
  let donorA: number;
  let donorB: number;
  let pledgeA: number;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    donorA = await makeDonor(t, { name: 'Donor A' });
    donorB = await makeDonor(t, { name: 'Donor B' });
    pledgeA = (await makePledge(t, donorA)).id;
    for (const role of ['admin', 'officer', 'leadership', 'donor'] as const) {
      const user = await makeUser(t, role, role === 'donor' ? donorB : undefined);
      const login = await t.http.post('/api/auth/login').send({ email: user.email, password: user.password });
      bearer.set(role, login.body.token);
      web.set(role, await signInWeb(t, user.email, user.password));
    }
    const anonymous = newWebSession(t);
    await anonymous.get('/login');
    web.set('none', anonymous);
    routes = registeredRoutes(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('has a rule for every registered route, and no rule for a route that is gone', () => {
    const missing = routes.filter((r) => !(r in RULES));
    const stale = Object.keys(RULES).filter((r) => !routes.includes(r));
    expect({ routesWithoutARule: missing, rulesForRoutesThatDoNotExist: stale }).toEqual({ routesWithoutARule: [], rulesForRoutesThatDoNotExist: [] });
    expect(routes.length).toBeGreaterThanOrEqual(60);
  });

  function concretePath(path: string): string {
    return path
      .replace(':donorId', String(donorA))
      .replace(':code', 'P01')
      .replace(':table', 'priorities')
      .replace(/^\/(api\/)?pledges\/:id/, (m) => m.replace(':id', String(pledgeA)))
      .replace(/^\/(api\/)?donors\/:id/, (m) => m.replace(':id', String(donorA)))
      .replace(':id', '999999');
  }

  async function call(who: Who, method: string, path: string) {
    const url = concretePath(path);
    if (path.startsWith('/api/')) {
      let req = t.http[method.toLowerCase() as 'get' | 'post' | 'patch'](url);
      const token = bearer.get(who);
      if (token) req = req.set('authorization', `Bearer ${token}`);
      return method === 'GET' ? req : req.send({});
    }
    const session = web.get(who) as WebSession;
    return method === 'GET' ? session.get(url) : session.post(url, {});
  }

  it('gives each role exactly the access its rule says', async () => {
    const failures: string[] = [];
    const ordered = [...routes].filter((r) => r in RULES).sort((a, b) => Number(RUN_LAST.has(a)) - Number(RUN_LAST.has(b)));
    for (const route of ordered) {
      const [method, path] = route.split(' ');
      const rule = RULES[route];
      for (const who of WHO) {
        const res = await call(who, method, path);
        const signInRedirect = res.status === 303 && String(res.headers.location).startsWith('/login?next=');
        const refusedNoSession = res.status === 401 || signInRedirect;
        let expected: string;
        let ok: boolean;
        if (rule.allow === 'public' || (who !== 'none' && rule.allow.includes(who))) {
          if (who === 'donor' && rule.ownDonorOnly) {
            expected = "404 (another donor's record)";
            ok = res.status === 404;
          } else {
            expected = 'allowed (not 401/403, no sign-in redirect)';
            ok = res.status !== 401 && res.status !== 403 && !signInRedirect && res.status < 500;
          }
        } else if (who === 'none') {
          expected = path.startsWith('/api/') ? '401' : '303 to /login';
          ok = path.startsWith('/api/') ? res.status === 401 : signInRedirect;
        } else {
          expected = '403';
          ok = res.status === 403 && !refusedNoSession;
        }
        if (!ok) failures.push(`${route} as ${who}: expected ${expected}, got ${res.status}${res.headers.location ? ` → ${res.headers.location}` : ''}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("lets a donor user see its own donor page, pledges and digest preview, and 404s the other donor's", async () => {
    const ownPledge = (await makePledge(t, donorB)).id;
    const donorUser = await makeUser(t, 'donor', donorB);
    const session = await signInWeb(t, donorUser.email, donorUser.password);
    const token = (await t.http.post('/api/auth/login').send({ email: donorUser.email, password: donorUser.password })).body.token as string;
    expect((await session.get(`/donors/${donorB}`)).status).toBe(200);
    expect((await session.get(`/pledges/${ownPledge}`)).status).toBe(200);
    expect((await session.get(`/donors/${donorA}`)).status).toBe(404);
    expect((await session.get(`/pledges/${pledgeA}`)).status).toBe(404);
    expect((await t.http.get(`/api/pledges/${pledgeA}`).set('authorization', `Bearer ${token}`)).status).toBe(404);
    expect((await t.http.get(`/api/donors/${donorA}`).set('authorization', `Bearer ${token}`)).status).toBe(404);
    expect((await t.http.get(`/api/digests/preview/${donorA}`).set('authorization', `Bearer ${token}`)).status).toBe(404);
    const list = await session.get('/pledges');
    expect(list.text).toContain(`/pledges/${ownPledge}`);
    expect(list.text).not.toContain(`/pledges/${pledgeA}"`);
    const filtered = await session.get(`/pledges?donorId=${donorA}`);
    expect(filtered.text).not.toContain(`/pledges/${pledgeA}"`);
  });
});
