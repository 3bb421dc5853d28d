import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createTestApp, ADMIN, TestApp } from '../support/test-app';
import { makeDonor } from '../support/factories';
import { makeUser, newWebSession, signInWeb } from './web-support';

/** Issue 14, users: role, donor tie, deactivation, reset links, one's own password; on the database TEST_DB names. */
describe('managing users', () => {
  let t: TestApp;
  let donorId: number;
  const admin = () => ({ authorization: `Bearer ${t.adminToken}` });

  const apiLogin = (email: string, password: string) => t.http.post('/api/auth/login').send({ email, password });
  const userRow = async (id: number) => (await t.http.get(`/api/users/${id}`).set(admin())).body as Record<string, unknown>;

  beforeAll(async () => {
    t = await createTestApp();
    donorId = await makeDonor(t, { name: 'Users Test Donor' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('changes a role and ties a donor user to its donor; contradictory or hostile changes are 400s naming the field and change nothing', async () => {
    const user = await makeUser(t, 'officer');
    const toDonor = await t.http.patch(`/api/users/${user.id}`).set(admin()).send({ role: 'donor', donorId });
    expect(toDonor.status).toBe(200);
    expect(toDonor.body).toMatchObject({ id: user.id, role: 'donor', donorId, active: true });

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ role: 'superuser' }, 'role'],
      [{ role: 'officer', donorId }, 'donorId'],
      [{ donorId: null }, 'donorId'],
      [{ active: 'yes' }, 'active'],
      [{ active: null }, 'active'],
      [{ role: null }, 'role'],
      [{ donorId: '1 OR 1=1' }, 'donorId'],
      [{ email: 'new@example.org' }, 'email'],
      [{ password: 'a-new-password-1' }, 'password'],
    ];
    for (const [body, field] of bad) {
      const res = await t.http.patch(`/api/users/${user.id}`).set(admin()).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(JSON.stringify(res.body)).toContain(field);
    }
    const missingDonor = await t.http.patch(`/api/users/${user.id}`).set(admin()).send({ donorId: 999_999 });
    expect(missingDonor.status).toBe(404);
    expect(await userRow(user.id)).toMatchObject({ role: 'donor', donorId, active: true });

    // Back to an officer: the donor tie goes with the donor role.
    const back = await t.http.patch(`/api/users/${user.id}`).set(admin()).send({ role: 'officer' });
    expect(back.body).toMatchObject({ role: 'officer', donorId: null });
  });

  it('only an admin manages users', async () => {
    const officer = await t.tokenFor('officer');
    const user = await makeUser(t, 'leadership');
    const res = await t.http.patch(`/api/users/${user.id}`).set('authorization', `Bearer ${officer}`).send({ active: false });
    expect(res.status).toBe(403);
    expect(await userRow(user.id)).toMatchObject({ active: true });
    expect((await t.http.post(`/api/users/${user.id}/password-reset`).set('authorization', `Bearer ${officer}`)).status).toBe(403);
  });

  it('deactivating a user refuses their open browser session and API token on the next request; reactivating lets them sign in again', async () => {
    const user = await makeUser(t, 'officer');
    const web = await signInWeb(t, user.email, user.password);
    expect((await web.get('/pledges')).status).toBe(200);
    const token = (await apiLogin(user.email, user.password)).body.token as string;
    expect((await t.http.get('/api/pledges').set('authorization', `Bearer ${token}`)).status).toBe(200);

    const off = await t.http.patch(`/api/users/${user.id}`).set(admin()).send({ active: false });
    expect(off.body).toMatchObject({ active: false });
    const page = await web.get('/pledges');
    expect(page.status).toBe(303);
    expect(page.headers.location).toMatch(/^\/login/);
    expect((await t.http.get('/api/pledges').set('authorization', `Bearer ${token}`)).status).toBe(401);
    expect((await apiLogin(user.email, user.password)).status).toBe(401);

    await t.http.patch(`/api/users/${user.id}`).set(admin()).send({ active: true });
    expect((await apiLogin(user.email, user.password)).status).toBe(200);
  });

  it('the last active admin can be neither deactivated nor demoted; with a second admin either can step down', async () => {
    const me = (await t.http.get('/api/auth/me').set(admin())).body as { id: number };
    const deactivate = await t.http.patch(`/api/users/${me.id}`).set(admin()).send({ active: false });
    expect(deactivate.status).toBe(409);
    expect(deactivate.body.details).toEqual([expect.objectContaining({ field: 'active' })]);
    const demote = await t.http.patch(`/api/users/${me.id}`).set(admin()).send({ role: 'leadership' });
    expect(demote.status).toBe(409);
    expect(demote.body.details).toEqual([expect.objectContaining({ field: 'role' })]);
    expect(await userRow(me.id)).toMatchObject({ role: 'admin', active: true });

    const second = await makeUser(t, 'admin');
    const stepDown = await t.http.patch(`/api/users/${second.id}`).set(admin()).send({ role: 'leadership' });
    expect(stepDown.status).toBe(200);
    // The only active admin again: still refused.
    expect((await t.http.patch(`/api/users/${me.id}`).set(admin()).send({ active: false })).status).toBe(409);
  });

  it('an admin-issued reset link sets a new password once, ends the old sessions, and a newer link voids it', async () => {
    const user = await makeUser(t, 'leadership');
    const oldToken = (await apiLogin(user.email, user.password)).body.token as string;
    const first = await t.http.post(`/api/users/${user.id}/password-reset`).set(admin());
    expect(first.status).toBe(201);
    expect(first.body.url).toMatch(new RegExp(`^${t.config.appUrl}/password-reset/[A-Za-z0-9_-]{40,}$`));
    const second = await t.http.post(`/api/users/${user.id}/password-reset`).set(admin());
    const path = (url: string) => new URL(url).pathname;

    const browser = newWebSession(t);
    expect((await browser.get(path(first.body.url))).status).toBe(410);
    const form = await browser.get(path(second.body.url));
    expect(form.status).toBe(200);
    expect(form.text).toContain(user.email);

    const mismatch = await browser.post(path(second.body.url), { password: 'brand-new-password-1', confirmPassword: 'brand-new-password-2' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('The two passwords are not the same');
    const short = await browser.post(path(second.body.url), { password: 'short', confirmPassword: 'short' });
    expect(short.status).toBe(400);
    expect((await apiLogin(user.email, user.password)).status).toBe(200);

    const done = await browser.post(path(second.body.url), { password: 'brand-new-password-1', confirmPassword: 'brand-new-password-1' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/login?reset=1');
    expect((await t.http.get('/api/pledges').set('authorization', `Bearer ${oldToken}`)).status).toBe(401);
    expect((await apiLogin(user.email, user.password)).status).toBe(401);
    expect((await apiLogin(user.email, 'brand-new-password-1')).status).toBe(200);

    const again = await browser.post(path(second.body.url), { password: 'another-password-9', confirmPassword: 'another-password-9' });
    expect(again.status).toBe(400);
    expect((await apiLogin(user.email, 'brand-new-password-1')).status).toBe(200);
    expect((await newWebSession(t).get('/password-reset/not-a-real-link-at-all-0000000000')).status).toBe(410);
  });

  it('everyone changes their own password: the current one is checked, other sessions end, this one stays', async () => {
    const user = await makeUser(t, 'donor', donorId);
    const current = (await apiLogin(user.email, user.password)).body.token as string;
    const other = (await apiLogin(user.email, user.password)).body.token as string;
    const auth = { authorization: `Bearer ${current}` };

    const wrong = await t.http.post('/api/auth/password').set(auth).send({ currentPassword: 'not-my-password', newPassword: 'donor-new-password-1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toEqual([expect.objectContaining({ field: 'currentPassword' })]);
    const weak = await t.http.post('/api/auth/password').set(auth).send({ currentPassword: user.password, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.body)).toContain('newPassword');
    expect((await apiLogin(user.email, user.password)).status).toBe(200);

    const ok = await t.http.post('/api/auth/password').set(auth).send({ currentPassword: user.password, newPassword: 'donor-new-password-1' });
    expect(ok.status).toBe(204);
    expect((await t.http.get('/api/auth/me').set(auth)).status).toBe(200);
    expect((await t.http.get('/api/auth/me').set('authorization', `Bearer ${other}`)).status).toBe(401);
    expect((await apiLogin(user.email, 'donor-new-password-1')).status).toBe(200);
  });

  it('the user screens: an admin deactivates a user and issues a link; hostile form input is refused with a message and saves nothing', async () => {
    const adminWeb = await signInWeb(t, ADMIN.email, ADMIN.password);
    const user = await makeUser(t, 'officer');
    const list = await adminWeb.get('/users');
    expect(list.text).toContain(`href="/users/${user.id}"`);
    const page = await adminWeb.get(`/users/${user.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('May sign in');

    for (const form of [
      { role: '<script>alert(1)</script>', donorId: '', active: 'yes' },
      { role: 'officer', donorId: "1'; DROP TABLE users; --", active: 'yes' },
      { role: 'donor', donorId: '', active: 'yes' },
      { role: 'officer', donorId: String(donorId), active: 'yes' },
    ]) {
      const res = await adminWeb.post(`/users/${user.id}`, form);
      expect({ form, status: res.status }).toEqual({ form, status: 400 });
      expect(res.text).toContain('Please check the form');
      expect(res.text).not.toContain('<script>alert(1)</script>');
    }
    expect(await userRow(user.id)).toMatchObject({ role: 'officer', donorId: null, active: true });

    const saved = await adminWeb.post(`/users/${user.id}`, { role: 'officer', donorId: '' });
    expect(saved.status).toBe(303);
    expect(await userRow(user.id)).toMatchObject({ active: false });

    const link = await adminWeb.post(`/users/${user.id}/reset-link`, {});
    expect(link.status).toBe(200);
    expect(link.headers['cache-control']).toBe('no-store');
    expect(link.text).toMatch(/\/password-reset\/[A-Za-z0-9_-]{40,}/);

    // The admin's own account from the screen: refused as the last active admin, with the reason beside the field.
    const me = (await t.http.get('/api/auth/me').set(admin())).body as { id: number };
    const self = await adminWeb.post(`/users/${me.id}`, { role: 'admin', donorId: '' });
    expect(self.status).toBe(409);
    expect(self.text).toContain('the last active admin cannot be deactivated');
  });

  it('the own-password screen keeps the typed nothing, names the field, and changes the password', async () => {
    const user = await makeUser(t, 'leadership');
    const web = await signInWeb(t, user.email, user.password);
    expect((await web.get('/account/password')).status).toBe(200);
    const wrong = await web.post('/account/password', {
      currentPassword: 'wrong-password-0',
      newPassword: 'leader-new-pass-1',
      confirmPassword: 'leader-new-pass-1',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('the current password is not right');
    const ok = await web.post('/account/password', { currentPassword: user.password, newPassword: 'leader-new-pass-1', confirmPassword: 'leader-new-pass-1' });
    expect(ok.status).toBe(303);
    expect((await web.get('/account/password?changed=1')).text).toContain('Your password is changed');
    expect((await apiLogin(user.email, 'leader-new-pass-1')).status).toBe(200);
  });
});
