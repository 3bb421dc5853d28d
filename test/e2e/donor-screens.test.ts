import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { pledgeBody, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/** Issue 14, donors and contacts from the browser, and what deactivating a donor means; on the database TEST_DB names. */
describe('donor and contact screens', () => {
  let t: TestApp;
  let officer: WebSession;
  const admin = () => ({ authorization: `Bearer ${t.adminToken}` });
  const donorsNamed = async (name: string) =>
    ((await t.http.get('/api/donors').set(admin()).query({ limit: '200' })).body.items as Array<{ id: number; name: string }>).filter((d) => d.name === name);

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const user = await makeUser(t, 'officer');
    officer = await signInWeb(t, user.email, user.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('adds a donor with its first contact, and refuses hostile input beside each field without creating anything', async () => {
    await officer.get('/donors/new');
    const bad = await officer.post('/donors/new', {
      name: '<script>alert(1)</script>\u0000',
      type: 'pirate',
      countryCode: 'Saudi',
      iatiOrgId: 'not an id',
      displayCurrency: 'USD',
      contactEmail: 'nobody',
    });
    expect(bad.status).toBe(400);
    for (const id of ['name-error', 'type-error', 'countryCode-error', 'iatiOrgId-error', 'contactEmail-error']) expect(bad.text).toContain(`id="${id}"`);
    expect(bad.text).not.toContain('<script>alert(1)</script>');
    expect(bad.text).toContain('value="nobody"');

    const created = await officer.post('/donors/new', {
      name: 'Kingdom of the Netherlands',
      type: 'government',
      countryCode: 'nl',
      iatiOrgId: 'XM-DAC-7',
      displayCurrency: 'EUR',
      source: 'Embassy letter of 2 December 2026, p. 1',
      contactName: 'Desk officer',
      contactEmail: 'Mine.Action@Minbuza.example',
    });
    expect(created.status).toBe(303);
    const page = await officer.get(created.headers.location);
    expect(page.text).toContain('Donor saved.');
    const [donor] = await donorsNamed('Kingdom of the Netherlands');
    const api = (await t.http.get(`/api/donors/${donor.id}`).set(admin())).body;
    expect(api).toMatchObject({
      countryCode: 'NL',
      iatiOrgId: 'XM-DAC-7',
      displayCurrency: 'EUR',
      active: true,
      source: 'Embassy letter of 2 December 2026, p. 1',
    });
    expect(api.contacts).toEqual([expect.objectContaining({ name: 'Desk officer', email: 'mine.action@minbuza.example', digestEnabled: true })]);

    const duplicate = await officer.post('/donors/new', { name: 'Kingdom of the Netherlands', type: 'government', displayCurrency: 'USD' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toContain('a donor with this name exists');
    expect(await donorsNamed('Kingdom of the Netherlands')).toHaveLength(1);
  });

  it('from the new-pledge form, goes to the donor form and back with the new donor chosen and every typed field kept', async () => {
    await officer.get('/pledges/new');
    const away = await officer.post('/pledges/new/add-donor', {
      donorId: '',
      title: 'Dogs for Aghdam',
      kind: 'cash',
      amount: '250,000.00',
      currency: 'USD',
      priorityCodes: ['P01', 'P03'],
      source: 'Note verbale of 1 December 2026',
      idempotencyKey: 'pledge-form-key-1',
    });
    expect(away.status).toBe(303);
    expect(away.headers.location).toMatch(/^\/donors\/new\?returnTo=/);
    const form = await officer.get(away.headers.location);
    expect(form.text).toContain('Add donor and go back to the pledge');
    const returnTo = /name="returnTo" value="([^"]+)"/
      .exec(form.text)?.[1]
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&') as string; // as a browser decodes the attribute
    const created = await officer.post('/donors/new', { name: 'Republic of Korea', type: 'government', displayCurrency: 'USD', returnTo });
    expect(created.status).toBe(303);
    const [korea] = await donorsNamed('Republic of Korea');
    expect(created.headers.location).toMatch(new RegExp(`^/pledges/new\\?.*donorId=${korea.id}$`));
    const back = await officer.get(created.headers.location);
    expect(back.text).toContain(`<option value="${korea.id}" selected>Republic of Korea</option>`);
    expect(back.text).toContain('value="Dogs for Aghdam"');
    expect(back.text).toContain('value="Note verbale of 1 December 2026"');
    expect(back.text).toContain('value="pledge-form-key-1"');
    expect(back.text).toMatch(/value="P03"[^>]*checked/);

    const offsite = await officer.post('/donors/new', { name: 'Offsite Donor', type: 'ngo', displayCurrency: 'USD', returnTo: '//evil.example/x' });
    expect(offsite.headers.location).toMatch(/^\/donors\/\d+\?saved=1$/);
  });

  it('edits contacts, removes one from the lists and digests, and keeps an unsubscribed contact off unless they return themselves', async () => {
    const [donor] = await donorsNamed('Kingdom of the Netherlands');
    const added = await officer.post(`/donors/${donor.id}/contacts`, { name: 'Second', email: 'second@example.org', language: 'nl', digestEnabled: 'yes' });
    expect(added.status).toBe(303);
    const badLanguage = await officer.post(`/donors/${donor.id}/contacts`, { email: 'third@example.org', language: 'Dutch' });
    expect(badLanguage.status).toBe(400);
    expect(badLanguage.text).toContain('language must be a language code');
    let contacts = (await t.http.get(`/api/donors/${donor.id}`).set(admin())).body.contacts as Array<{ id: number; email: string; language: string | null }>;
    expect(contacts.map((c) => [c.email, c.language])).toEqual([
      ['mine.action@minbuza.example', null],
      ['second@example.org', 'nl'],
    ]);

    const second = contacts[1];
    const edited = await officer.post(`/donors/${donor.id}/contacts/${second.id}/edit`, { name: 'Second', email: 'renamed@example.org', language: 'en' });
    expect(edited.status).toBe(303);
    expect((await t.http.get(`/api/donors/${donor.id}`).set(admin())).body.contacts[1]).toMatchObject({
      email: 'renamed@example.org',
      language: 'en',
      digestEnabled: false,
    });

    const removed = await officer.post(`/donors/${donor.id}/contacts/${second.id}/remove`, {});
    expect(removed.status).toBe(303);
    contacts = (await t.http.get(`/api/donors/${donor.id}`).set(admin())).body.contacts;
    expect(contacts.map((c) => c.email)).toEqual(['mine.action@minbuza.example']);
    expect((await t.http.delete(`/api/donors/${donor.id}/contacts/${second.id}`).set(admin())).status).toBe(404);

    // The API too: a PATCH that names nothing is refused; a contact that unsubscribed stays off.
    const first = contacts[0] as { id: number };
    expect((await t.http.patch(`/api/donors/${donor.id}/contacts/${first.id}`).set(admin()).send({})).status).toBe(400);
    await t.dataSource.query(
      `UPDATE donor_contacts SET digest_enabled = ${t.db.kind === 'postgres' ? 'false' : '0'}, unsubscribed_at = CURRENT_TIMESTAMP WHERE id = ${first.id}`,
    );
    const resubscribe = await t.http.patch(`/api/donors/${donor.id}/contacts/${first.id}`).set(admin()).send({ digestEnabled: true });
    expect(resubscribe.status).toBe(409);
  });

  it('a deactivated donor keeps its records, takes no new pledge and gets no digest; reactivated, it takes pledges again', async () => {
    const donor = (
      await t.http
        .post('/api/donors')
        .set(admin())
        .send({ name: 'Soon Inactive', type: 'foundation', contacts: [{ email: 'inactive@example.org' }] })
    ).body;
    expect((await t.http.post('/api/pledges').set(admin()).send(pledgeBody(donor.id))).status).toBe(201);
    const edit = await officer.get(`/donors/${donor.id}/edit`);
    expect(edit.text).toContain('checked');
    const saved = await officer.post(`/donors/${donor.id}/edit`, { name: 'Soon Inactive', type: 'foundation', displayCurrency: 'USD', iatiOrgId: '' });
    expect(saved.status).toBe(303);
    expect((await t.http.get(`/api/donors/${donor.id}`).set(admin())).body.active).toBe(false);
    expect((await officer.get(`/donors/${donor.id}`)).text).toContain('This donor is deactivated');

    const refused = await t.http.post('/api/pledges').set(admin()).send(pledgeBody(donor.id));
    expect(refused.status).toBe(422);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'donorId', message: expect.stringContaining('deactivated') })]);
    expect(
      (
        await t.http
          .get('/api/pledges')
          .set(admin())
          .query({ donorId: String(donor.id) })
      ).body.items,
    ).toHaveLength(1);
    const run = await t.http
      .post('/api/digests/run')
      .set(admin())
      .send({ period: '2026-11', donorIds: [donor.id] });
    expect(run.body.queued).toBe(0);

    await t.http.patch(`/api/donors/${donor.id}`).set(admin()).send({ active: true });
    expect((await t.http.post('/api/pledges').set(admin()).send(pledgeBody(donor.id))).status).toBe(201);
  });
});
