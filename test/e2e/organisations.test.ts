import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '../../src/database/migrations';
import { DigestContentService } from '../../src/digests/digest-content.service';
import { DigestRenderer } from '../../src/digests/digest-renderer';
import { DonorEntity } from '../../src/donors/donor.entity';
import { makeDonor } from '../support/factories';
import { migrationSource } from '../support/migration-source';
import { ADMIN, createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { makeUser, newWebSession, signInWeb } from './web-support';

/**
 * Issue 19, first step (docs/organisations.md): the organisations a deployment serves, and the one
 * each user belongs to. Isolation of the ledger between organisations comes in later steps; this
 * file covers the first organisation at first start, the users' tie to it, and the migration of a
 * database that existed before.
 */
describe(`organisations: every user belongs to one (${TEST_DB})`, () => {
  let t: TestApp | undefined;
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await db?.drop();
    db = undefined;
  });

  const current = (token: string) => t!.http.get('/api/organisations/current').set('authorization', `Bearer ${token}`);

  it('at first start creates ANAMA by default with the bootstrap admin, and every user the admin creates belongs to it', async () => {
    t = await createTestApp();
    const mine = await current(t.adminToken);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      id: expect.any(Number),
      name: 'Mine Action Agency of the Republic of Azerbaijan',
      shortName: 'ANAMA',
      countryCode: 'AZ',
      countryName: 'Azerbaijan',
      currency: 'AZN',
      status: 'active',
      createdAt: expect.any(String),
    });

    const donorId = await makeDonor(t, { name: 'Donor A' });
    for (const token of [await t.tokenFor('officer'), await t.tokenFor('leadership'), await t.tokenFor('donor', donorId)]) {
      expect((await current(token)).body).toEqual(mine.body);
    }
    const login = await t.http.post('/api/auth/login').send(ADMIN);
    expect(login.body.user.organisationId).toBe(mine.body.id);
    const users = await t.http.get('/api/users').set('authorization', `Bearer ${t.adminToken}`);
    expect(users.body.items.length).toBe(4);
    for (const user of users.body.items) expect(user.organisationId).toBe(mine.body.id);
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM organisations'))[0].n)).toBe(1);

    expect((await t.http.get('/api/organisations/current')).status).toBe(401);
  });

  it("names another authority's first organisation from BOOTSTRAP_ORGANISATION_*", async () => {
    t = await createTestApp({
      env: {
        BOOTSTRAP_ORGANISATION_NAME: 'Cambodian Mine Action Centre',
        BOOTSTRAP_ORGANISATION_SHORT_NAME: 'CMAC',
        BOOTSTRAP_ORGANISATION_COUNTRY: 'KH',
        BOOTSTRAP_ORGANISATION_CURRENCY: 'KHR',
      },
    });
    expect((await current(t.adminToken)).body).toMatchObject({
      name: 'Cambodian Mine Action Centre',
      shortName: 'CMAC',
      countryCode: 'KH',
      countryName: 'Cambodia',
      currency: 'KHR',
    });

    // Every page's header and footer, and the funding-gap page's print footer, name the reader's organisation.
    const leader = await makeUser(t, 'leadership');
    const web = await signInWeb(t, leader.email, leader.password);
    for (const path of ['/', '/pledges', '/priorities']) {
      const page = await web.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Mine Action Funding Tracker <small>CMAC · Cambodia</small>');
      expect(page.text).toContain('Cambodian Mine Action Centre (CMAC) · funding tracker');
      expect(page.text).not.toContain('ANAMA');
    }
    expect((await web.get('/')).text).toMatch(/data-testid="print-footer">.* · Mine Action Funding Tracker, CMAC<\/p>/);
    // So does a donor's digest: its subject, heading, and the government it stands beside.
    const donorId = await makeDonor(t, { name: 'Donor A', countryCode: 'JP' });
    const content = t.app.get(DigestContentService);
    const donor = await t.dataSource.getRepository(DonorEntity).findOneByOrFail({ id: donorId });
    const view = await content.build(content.snapshot(), donor, '2026-11', null);
    const mail = await t.app.get(DigestRenderer).render(view);
    expect(mail.subject).toBe('CMAC funding digest, November 2026: Donor A');
    expect(mail.text).toMatch(/^CMAC FUNDING DIGEST FOR Donor A, November 2026\nCambodian Mine Action Centre \(CMAC\), status as of /);
    expect(mail.text).toContain('Government of Cambodia: not recorded for this date');
    expect(mail.html).toContain('Cambodian Mine Action Centre (CMAC) · status as of');
    for (const body of [mail.text, mail.html]) expect(body).not.toMatch(/ANAMA|Azerbaijan/);

    // A page for no one signed in names no organisation.
    const login = await newWebSession(t).get('/login');
    expect(login.text).toContain('<p>Mine Action Funding Tracker');
    expect(login.text).not.toContain('CMAC');
  });

  it('refuses a user of an organisation that does not exist (a foreign key on PostgreSQL, triggers on SQLite)', async () => {
    t = await createTestApp();
    const [{ id }] = await t.dataSource.query('SELECT id FROM users');
    const update = TEST_DB === 'postgres' ? 'UPDATE users SET organisation_id = 999 WHERE id = $1' : 'UPDATE users SET organisation_id = 999 WHERE id = ?';
    await expect(t.dataSource.query(update, [id])).rejects.toThrow(/foreign key/i);
    await expect(t.dataSource.query('DELETE FROM organisations')).rejects.toThrow(/foreign key/i);
    expect((await current(t.adminToken)).body.shortName).toBe('ANAMA');
  });

  it("migration 1733570000000 makes an existing database ANAMA's, organisation 1, with every user in it; an empty one gets none", async () => {
    db = await createTestDatabase(TEST_DB);
    const first = await createTestApp({ seed: true, database: db });
    await first.tokenFor('officer');
    await first.close();

    const from = MIGRATIONS.findIndex((m) => m.name === 'Organisations1733570000000');
    const ds = await migrationSource(db).initialize();
    try {
      for (let i = MIGRATIONS.length - 1; i >= from; i--) await ds.undoLastMigration({ transaction: 'each' });
      await expect(ds.query('SELECT 1 FROM organisations')).rejects.toThrow();
      await expect(ds.query('SELECT organisation_id FROM users')).rejects.toThrow();
      expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(MIGRATIONS.slice(from).map((m) => m.name));
      const organisations = await ds.query('SELECT id, name, short_name, country_code, currency, status FROM organisations');
      expect(organisations.map((o: Record<string, unknown>) => ({ ...o, id: Number(o.id) }))).toEqual([
        { id: 1, name: 'Mine Action Agency of the Republic of Azerbaijan', short_name: 'ANAMA', country_code: 'AZ', currency: 'AZN', status: 'active' },
      ]);
      const users = await ds.query('SELECT organisation_id FROM users');
      expect(users.length).toBe(2);
      for (const user of users) expect(Number(user.organisation_id)).toBe(1);
    } finally {
      await ds.destroy();
    }
    t = await createTestApp({ database: db });
    expect((await current(t.adminToken)).body).toMatchObject({ id: 1, shortName: 'ANAMA' });
    // The next organisation gets the next id on PostgreSQL too (its sequence moved past the 1 written).
    const next = TEST_DB === 'postgres' ? 'INSERT INTO organisations (name, short_name, country_code, currency) VALUES ($1, $2, $3, $4) RETURNING id' : null;
    if (next) expect(Number((await t.dataSource.query(next, ['Other', 'OTH', 'KH', 'KHR']))[0].id)).toBe(2);

    const empty = await createTestDatabase(TEST_DB);
    const bare = await migrationSource(empty).initialize();
    try {
      await bare.runMigrations({ transaction: 'each' });
      expect(await bare.query('SELECT id FROM organisations')).toEqual([]);
    } finally {
      await bare.destroy();
      await empty.drop();
    }
  });
});
