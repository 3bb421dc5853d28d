import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { FREE_FAILURES } from '../../src/auth/sign-in-policy';
import { AuthTokenEntity } from '../../src/auth/user.entity';
import { makeDonor, pledgeBody, seedReferenceData } from '../support/factories';
import { ADMIN, createTestApp, TestApp } from '../support/test-app';
import { makeUser, newWebSession, signInWeb } from './web-support';

describe('sign-in, sessions and CSRF on the pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a labelled sign-in form with a CSRF field and security headers', async () => {
    const res = await t.http.get('/login');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<label for="email">Email</label>');
    expect(res.text).toContain('<label for="password">Password</label>');
    expect(res.text).toMatch(/<input type="hidden" name="_csrf" value="[0-9a-f]{64}\.[0-9a-f]{64}">/);
    expect(res.text).not.toMatch(/<script/i);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect((res.headers['set-cookie'] as unknown as string[]).join(';')).toMatch(/mat_csrf=.*HttpOnly.*SameSite=Lax/);
  });

  it('signs in with an HttpOnly, SameSite=Lax session cookie, shows the role, and signs out', async () => {
    const officer = await makeUser(t, 'officer');
    const web = newWebSession(t);
    await web.get('/login?next=/pledges');
    const res = await web.post('/login', { email: officer.email, password: officer.password, next: '/pledges' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/pledges');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('mat_session='));
    expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toMatch(/Secure/);
    const page = await web.get('/pledges');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<strong data-role="officer">Desk officer</strong>');
    const out = await web.post('/logout', {});
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect(web.cookies.has('mat_session')).toBe(false);
    const after = await web.get('/pledges');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login?next=%2Fpledges');
  });

  it('marks the session cookie Secure when the page came over HTTPS (behind a local proxy)', async () => {
    const web = newWebSession(t);
    await web.get('/login');
    const res = await t.http
      .post('/login')
      .set('x-forwarded-proto', 'https')
      .set('cookie', [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
      .type('form')
      .send({ _csrf: web.csrf, email: ADMIN.email, password: ADMIN.password });
    expect(res.status).toBe(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('mat_session='));
    expect(cookie).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('refuses a form post without the CSRF token, or with a token from another browser', async () => {
    const officer = await makeUser(t, 'officer');
    const noToken = await t.http.post('/login').type('form').send({ email: officer.email, password: officer.password });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('This form has expired or did not come from this site');
    const web = await signInWeb(t, officer.email, officer.password);
    const other = newWebSession(t);
    await other.get('/login');
    web.csrf = other.csrf;
    const forged = await web.post('/logout', {});
    expect(forged.status).toBe(403);
    const stillIn = await web.get('/pledges');
    expect(stillIn.status).toBe(200);
  });

  it('rejects a cookie-authenticated API write without the CSRF header but accepts bearer-token scripts', async () => {
    const web = await signInWeb(t, ADMIN.email, ADMIN.password);
    const cookie = [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const viaCookie = await t.http.post('/api/donors').set('cookie', cookie).send({ name: 'Cookie Donor', type: 'ngo' });
    expect(viaCookie.status).toBe(403);
    expect(viaCookie.body.error).toBe('Forbidden');
    const withHeader = await t.http.post('/api/donors').set('cookie', cookie).set('x-csrf-token', web.csrf).send({ name: 'Cookie Donor', type: 'ngo' });
    expect(withHeader.status).toBe(201);
    const viaBearer = await t.http.post('/api/donors').set('authorization', `Bearer ${t.adminToken}`).send({ name: 'Bearer Donor', type: 'ngo' });
    expect(viaBearer.status).toBe(201);
  });

  it('keeps the typed email and says what went wrong after a wrong password; never redirects off-site', async () => {
    const web = newWebSession(t);
    await web.get('/login');
    const res = await web.post('/login', { email: 'nobody@web.test', password: 'wrong-password', next: '//evil.example/' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('value="nobody@web.test"');
    expect(res.text).toContain('Email or password is wrong');
    expect(res.text).toContain('name="next" value=""');
    const ok = await web.post('/login', { email: ADMIN.email, password: ADMIN.password, next: '/\\evil.example' });
    expect(ok.headers.location).toBe('/pledges');
  });

  it('makes an account wait after repeated wrong passwords, even with the right one afterwards (429, never "locked")', async () => {
    const officer = await makeUser(t, 'officer');
    const web = newWebSession(t);
    await web.get('/login');
    for (let i = 0; i <= FREE_FAILURES; i++) expect((await web.post('/login', { email: officer.email, password: 'not-the-password' })).status).toBe(401);
    const waiting = await web.post('/login', { email: officer.email, password: officer.password });
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(waiting.text).toContain('Too many sign-in attempts: wait');
    expect(waiting.text).not.toContain('locked');
  });

  it('throttles an unknown email exactly like a known one, and the API shares the form’s count', async () => {
    const web = newWebSession(t);
    await web.get('/login');
    const statuses: number[] = [];
    for (let i = 0; i < FREE_FAILURES + 2; i++) statuses.push((await web.post('/login', { email: 'throttled@web.test', password: 'whatever-123' })).status);
    expect(statuses).toEqual([...Array(FREE_FAILURES + 1).fill(401), 429]);
    expect((await t.http.post('/api/auth/login').send({ email: 'throttled@web.test', password: 'x' })).status).toBe(429);
    const other = await t.http.post('/api/auth/login').send({ email: 'throttled-api@web.test', password: 'x' });
    expect(other.status).toBe(401);
  });

  it('ends a session after 30 idle minutes and slides its expiry while it is used', async () => {
    const officer = await makeUser(t, 'officer');
    const web = await signInWeb(t, officer.email, officer.password);
    const repo = t.dataSource.getRepository(AuthTokenEntity);
    const user = officer.id;
    const [token] = await repo.find({ where: { userId: user } });
    const issuedExpiry = new Date(token.expiresAt).getTime() - new Date(token.createdAt).getTime();
    expect(Math.round(issuedExpiry / 60_000)).toBe(30);

    await repo.update({ id: token.id }, { expiresAt: new Date(Date.now() + 5 * 60_000) });
    expect((await web.get('/pledges')).status).toBe(200);
    const slid = await repo.findOneByOrFail({ id: token.id });
    expect(new Date(slid.expiresAt).getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);

    await repo.update({ id: token.id }, { expiresAt: new Date(Date.now() - 1000) });
    const expired = await web.get('/pledges');
    expect(expired.status).toBe(303);
    expect(expired.headers.location).toBe('/login?next=%2Fpledges');
  });
  it("keeps the funding figures' cache through sign-ins and sliding sessions, and drops it for a pledge", async () => {
    await seedReferenceData(t);
    const donorId = await makeDonor(t, { name: 'Cache Donor' });
    const auth = { authorization: `Bearer ${t.adminToken}` };
    // A computed result carries the time it was computed: the same time means it was served from the cache.
    const computedAt = async () => {
      const res = await t.http.get('/api/funding-gap?currency=USD').set(auth);
      expect(res.status).toBe(200);
      return res.body.generatedAt as string;
    };
    const leader = await makeUser(t, 'leadership');
    const first = await computedAt();

    const web = await signInWeb(t, leader.email, leader.password);
    const repo = t.dataSource.getRepository(AuthTokenEntity);
    const [token] = await repo.find({ where: { userId: leader.id } });
    await repo.update({ id: token.id }, { expiresAt: new Date(Date.now() + 5 * 60_000) });
    expect((await web.get('/')).status).toBe(200);
    expect(new Date((await repo.findOneByOrFail({ id: token.id })).expiresAt).getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect((await web.post('/logout', {})).status).toBe(303);
    expect(await computedAt()).toBe(first);

    expect((await t.http.post('/api/pledges').set(auth).send(pledgeBody(donorId))).status).toBe(201);
    expect(await computedAt()).not.toBe(first);
  });
});
