import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { actingFor, SYSTEM_ACTOR } from '../../src/access/actor';
import { UsersService } from '../../src/auth/users.service';
import { MIGRATIONS } from '../../src/database/migrations';
import { makeDonor, makePledge, pledgeBody, seedReferenceData } from '../support/factories';
import { migrationSource } from '../support/migration-source';
import { createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { createTestDatabase, portableSql, type TestDatabase } from '../support/test-database';

/**
 * Issue 19, third step (docs/organisations.md): the keys an organisation chooses (a donor's name, a
 * pledge's external reference, a priority's code and rank) are unique within it, not across the
 * deployment. Two authorities may both have a donor "Japan", a pledge "JP-2024-01" and a "P01".
 */
describe(`keys are unique within an organisation (${TEST_DB})`, () => {
  let t: TestApp | undefined;
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await db?.drop();
    db = undefined;
  });

  const sql = portableSql;
  const refused = (app: TestApp, text: string, params: unknown[]) => expect(app.dataSource.query(sql(text), params)).rejects.toThrow(/unique|duplicate/i);

  /** A second organisation with its own P01 and P02, and a signed-in officer of it. */
  async function secondOrganisation(app: TestApp): Promise<{ id: number; auth: Record<string, string> }> {
    await app.dataSource.query(
      sql("INSERT INTO organisations (name, short_name, country_code, currency) VALUES ('Cambodian Mine Action Centre', 'CMAC', 'KH', 'KHR')"),
    );
    const [{ id }] = await app.dataSource.query(sql("SELECT id FROM organisations WHERE short_name = 'CMAC'"));
    for (const [code, rank] of [
      ['P01', 1],
      ['P02', 2],
    ]) {
      await app.dataSource.query(sql("INSERT INTO priorities (organisation_id, code, rank, title, description) VALUES (?, ?, ?, 'CMAC priority', 'test')"), [
        id,
        code,
        rank,
      ]);
    }
    const email = 'officer@cmac.test';
    const password = 'officer-password-1';
    await app.app.get(UsersService).create(actingFor(SYSTEM_ACTOR, Number(id)), { email, password, role: 'officer', donorId: null }, null, Number(id));
    const login = await app.http.post('/api/auth/login').send({ email, password });
    return { id: Number(id), auth: { authorization: `Bearer ${login.body.token}` } };
  }

  it('two organisations may use the same donor name, external reference and priority code; one may not use one twice', async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const japan = await makeDonor(t, { name: 'Japan' });
    await makePledge(t, japan, { externalRef: 'JP-2024-01', priorityCodes: ['P01'] });
    const cmac = await secondOrganisation(t);

    const theirJapan = await t.http.post('/api/donors').set(cmac.auth).send({ name: 'Japan', type: 'government', countryCode: 'JP' });
    expect(theirJapan.status).toBe(201);
    const theirPledge = await t.http
      .post('/api/pledges')
      .set(cmac.auth)
      .send(pledgeBody(theirJapan.body.id, { externalRef: 'JP-2024-01', priorityCodes: ['P01'] }));
    expect(theirPledge.status).toBe(201);
    const earmarks = await t.dataSource.query(sql('SELECT organisation_id, priority_code FROM pledge_priorities WHERE pledge_id = ?'), [theirPledge.body.id]);
    expect(earmarks.map((e: Record<string, unknown>) => [Number(e.organisation_id), e.priority_code])).toEqual([[cmac.id, 'P01']]);

    // Within one organisation each key is still used once, as before.
    expect((await t.http.post('/api/donors').set(cmac.auth).send({ name: 'Japan', type: 'government' })).status).toBe(409);
    expect(
      (
        await t.http
          .post('/api/pledges')
          .set(cmac.auth)
          .send(pledgeBody(theirJapan.body.id, { externalRef: 'JP-2024-01' }))
      ).status,
    ).toBe(409);
    expect(
      (
        await t.http
          .post('/api/pledges')
          .set('authorization', `Bearer ${t.adminToken}`)
          .send(pledgeBody(japan, { externalRef: 'JP-2024-01' }))
      ).status,
    ).toBe(409);
    // And the database holds the rule where the application's check is bypassed.
    await refused(t, "INSERT INTO donors (organisation_id, name, type, display_currency) VALUES (?, 'Japan', 'government', 'USD')", [cmac.id]);
    await refused(t, "INSERT INTO priorities (organisation_id, code, rank, title, description) VALUES (?, 'P01', 9, 't', 'd')", [cmac.id]);
    await refused(t, "INSERT INTO priorities (organisation_id, code, rank, title, description) VALUES (?, 'P09', 1, 't', 'd')", [cmac.id]);
    await refused(
      t,
      "INSERT INTO pledges (organisation_id, donor_id, title, kind, commitment, external_ref) VALUES (?, ?, 'Raw', 'cash', 'announced', 'JP-2024-01')",
      [cmac.id, theirJapan.body.id],
    );
    // An earmark names a priority of the pledge's organisation: CMAC has no P05.
    await expect(
      t.dataSource.query(sql("INSERT INTO pledge_priorities (organisation_id, pledge_id, priority_code) VALUES (?, ?, 'P05')"), [cmac.id, theirPledge.body.id]),
    ).rejects.toThrow(/foreign key/i);
  });

  it("an organisation's import finds its own donors, references and priorities, never another's", async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const japan = await makeDonor(t, { name: 'Japan' });
    await makePledge(t, japan, { externalRef: 'JP-2024-01', priorityCodes: ['P01'] });
    const cmac = await secondOrganisation(t);
    const theirJapan = await t.http.post('/api/donors').set(cmac.auth).send({ name: 'Japan', type: 'government', countryCode: 'JP' });
    expect(theirJapan.status).toBe(201);

    const csv = [
      'externalRef,donor,title,kind,amount,currency,pledgedOn,status,channel,priorityCodes,source',
      'JP-2024-01,Japan,Survey teams,cash,250000.00,USD,2024-06-03,committed,direct,P01,CMAC letter',
      'JP-2024-02,Japan,Equipment,cash,90000.00,USD,2024-06-03,committed,direct,P02,CMAC letter',
    ].join('\n');
    const imported = await t.http
      .post('/api/import/pledges?dryRun=false')
      .set({ ...cmac.auth, 'content-type': 'text/csv; charset=utf-8' })
      .send(csv);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ created: 2, skipped: 0, errors: [] });
    const rows = await t.dataSource.query(
      sql(`SELECT p.organisation_id, p.donor_id, p.external_ref, e.priority_code FROM pledges p JOIN pledge_priorities e ON e.pledge_id = p.id
            WHERE p.organisation_id = ? ORDER BY p.external_ref`),
      [cmac.id],
    );
    expect(rows.map((r: Record<string, unknown>) => [Number(r.donor_id), r.external_ref, r.priority_code])).toEqual([
      [theirJapan.body.id, 'JP-2024-01', 'P01'],
      [theirJapan.body.id, 'JP-2024-02', 'P02'],
    ]);
    // The same file again: both rows are CMAC's already.
    const again = await t.http
      .post('/api/import/pledges?dryRun=false')
      .set({ ...cmac.auth, 'content-type': 'text/csv; charset=utf-8' })
      .send(csv);
    expect(again.body).toMatchObject({ created: 0, skipped: 2, errors: [] });
    const [{ n }] = await t.dataSource.query(sql('SELECT COUNT(*) AS n FROM pledges WHERE organisation_id = 1'));
    expect(Number(n)).toBe(1);
  });

  it('migration 1733590000000 goes down to keys unique across the deployment and up again, keeping every row', async () => {
    db = await createTestDatabase(TEST_DB);
    const first = await createTestApp({ seed: true, database: db });
    const donorId = await makeDonor(first, { name: 'Japan' });
    const pledge = await makePledge(first, donorId, { externalRef: 'JP-2024-01', priorityCodes: ['P01', 'P02'] });
    const target = await first.http
      .post('/api/priorities/P01/targets')
      .set('authorization', `Bearer ${first.adminToken}`)
      .send({ amount: '1000000.00', currency: 'USD', source: 'test' });
    expect(target.status).toBe(201);
    await first.close();
    const count = async (ds: { query(text: string): Promise<Array<{ n: number | string }>> }) => {
      const counts: Record<string, number> = {};
      for (const table of ['donors', 'pledges', 'priorities', 'pledge_priorities', 'priority_targets']) {
        counts[table] = Number((await ds.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
      }
      return counts;
    };

    const from = MIGRATIONS.findIndex((m) => m.name === 'KeysPerOrganisation1733590000000');
    const ds = await migrationSource(db).initialize();
    try {
      const before = await count(ds);
      for (let i = MIGRATIONS.length - 1; i >= from; i--) await ds.undoLastMigration({ transaction: 'each' });
      expect(await count(ds)).toEqual(before);
      // Keys unique across the deployment again: a second organisation cannot reuse them.
      await ds.query(sql("INSERT INTO organisations (name, short_name, country_code, currency) VALUES ('Other', 'OTH', 'KH', 'KHR')"));
      const [{ id: other }] = await ds.query(sql("SELECT id FROM organisations WHERE short_name = 'OTH'"));
      await expect(
        ds.query(sql("INSERT INTO donors (organisation_id, name, type, display_currency) VALUES (?, 'Japan', 'government', 'USD')"), [other]),
      ).rejects.toThrow(/unique|duplicate/i);
      await expect(
        ds.query(sql("INSERT INTO priorities (organisation_id, code, rank, title, description) VALUES (?, 'P01', 40, 't', 'd')"), [other]),
      ).rejects.toThrow(/unique|duplicate/i);
      await expect(
        ds.query(sql("INSERT INTO pledge_priorities (organisation_id, pledge_id, priority_code) VALUES (1, ?, 'P99')"), [pledge.id]),
      ).rejects.toThrow(/foreign key/i);
      await ds.query(sql("DELETE FROM organisations WHERE short_name = 'OTH'"));

      expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(MIGRATIONS.slice(from).map((m) => m.name));
      expect(await count(ds)).toEqual(before);
      const earmarks = await ds.query(sql('SELECT priority_code FROM pledge_priorities WHERE pledge_id = ? ORDER BY priority_code'), [pledge.id]);
      expect(earmarks.map((e: { priority_code: string }) => e.priority_code)).toEqual(['P01', 'P02']);
    } finally {
      await ds.destroy();
    }
    t = await createTestApp({ database: db });
    const read = await t.http.get(`/api/pledges/${pledge.id}`).set('authorization', `Bearer ${t.adminToken}`);
    expect(read.status).toBe(200);
    expect((await t.http.get('/api/funding-gap').set('authorization', `Bearer ${t.adminToken}`)).status).toBe(200);
  });
});
