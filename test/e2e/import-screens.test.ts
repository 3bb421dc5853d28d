import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { DonorEntity } from '../../src/donors/donor.entity';
import { DisbursementEntity, PledgeEntity } from '../../src/ledger/pledge.entity';
import { seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

const HEADER = 'externalRef,recordKind,donor,donorType,donorCountryCode,title,kind,amount,currency,pledgedOn,channel,priorityCodes,source,receivedOn';

/** Issue 14, the pledges import from the browser (`/import`): check, create donors when asked, import; on the database TEST_DB names. */
describe('pledges import screen', () => {
  let t: TestApp;
  let officer: WebSession;
  const counts = async () => ({
    pledges: await t.dataSource.getRepository(PledgeEntity).count(),
    receipts: await t.dataSource.getRepository(DisbursementEntity).count(),
    donors: await t.dataSource.getRepository(DonorEntity).count(),
  });

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    const user = await makeUser(t, 'officer');
    officer = await signInWeb(t, user.email, user.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  const file = (rows: string[]) => [HEADER, ...rows].join('\n');
  const good = file([
    'SCR-1,pledge,Screen Test Donor,government,NO,Clearance support,cash,1000.00,USD,2024-10-11,direct,P01,Letter p. 2,',
    'SCR-1,receipt,,,,,,400.00,USD,,,,Bank advice p. 1,2024-11-01',
  ]);

  it('shows the dry run by row and column and the donors it would create; imports only on confirmation, creating them only when ticked', async () => {
    await officer.get('/import');
    const before = await counts();
    const checked = await officer.upload('/import/check', { name: 'pledges.csv', content: good });
    expect(checked.status).toBe(200);
    expect(checked.text).toContain('Check the pledges file');
    expect(checked.text).toContain('<strong id="import-to-create">1 pledge(s)</strong> and 1 receipt(s)');
    expect(checked.text).toContain('<th scope="row">Screen Test Donor</th><td>government</td><td>NO</td>');
    expect(checked.text).toContain('id="createDonors"');
    expect(await counts()).toEqual(before);

    const id = /action="\/import\/([0-9a-f-]{36})"/.exec(checked.text)?.[1] as string;
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(checked.text)?.[1] as string;
    // Not ticked: the rows naming the missing donor are refused, named by row and column, and nothing is written.
    const refused = await officer.post(`/import/${id}`, { idempotencyKey: key });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Nothing was imported');
    expect(refused.text).toMatch(/<td class="num">2<\/td><th scope="row"><code>donor<\/code><\/th><td>there is no donor named &quot;Screen Test Donor&quot;/);
    expect(await counts()).toEqual(before);

    const key2 = /name="idempotencyKey" value="([^"]+)"/.exec(refused.text)?.[1] as string;
    const imported = await officer.post(`/import/${id}`, { idempotencyKey: key2, createDonors: 'true' });
    expect(imported.status).toBe(303);
    const page = await officer.get(imported.headers.location);
    expect(page.text).toContain('Imported 1 pledge(s) and 1 receipt(s) or deliveries; created 1 donor(s).');
    expect(await counts()).toEqual({ pledges: before.pledges + 1, receipts: before.receipts + 1, donors: before.donors + 1 });

    // A second click on the same form finds the file taken: nothing more is imported.
    const replay = await officer.post(`/import/${id}`, { idempotencyKey: key2, createDonors: 'true' });
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('upload the file again');
    expect(await counts()).toEqual({ pledges: before.pledges + 1, receipts: before.receipts + 1, donors: before.donors + 1 });
  });

  it('a file with planned instalments says how many it would plan, and after the import how many it planned', async () => {
    const header = 'externalRef,recordKind,donor,donorType,title,kind,amount,currency,pledgedOn,channel,priorityCodes,dueOn';
    const csv = [
      header,
      'SCR-I,pledge,Screen Schedule Donor,government,Scheduled support,cash,1000.00,USD,2024-10-11,direct,P01,',
      'SCR-I,instalment,,,,,600.00,,,,,2025-03-31',
      'SCR-I,instalment,,,,,400.00,,,,,2025-06-30',
    ].join('\n');
    await officer.get('/import');
    const checked = await officer.upload('/import/check', { name: 'pledges.csv', content: csv });
    expect(checked.status).toBe(200);
    expect(checked.text).toContain('<strong id="import-to-create">1 pledge(s)</strong> and 0 receipt(s) or deliveries, with 2 planned instalment(s)');
    const id = /action="\/import\/([0-9a-f-]{36})"/.exec(checked.text)?.[1] as string;
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(checked.text)?.[1] as string;
    const imported = await officer.post(`/import/${id}`, { idempotencyKey: key, createDonors: 'true' });
    expect(imported.status).toBe(303);
    expect((await officer.get(imported.headers.location)).text).toContain(
      'Imported 1 pledge(s) and 0 receipt(s) or deliveries; planned 2 instalment(s); created 1 donor(s).',
    );
  });

  it('a file with a bad row shows every problem by row and column, offers no import, and saves nothing', async () => {
    await officer.get('/import');
    const before = await counts();
    const bad = file([
      'BAD-1,pledge,Screen Test Donor,,,<script>alert(1)</script>,cash,12.345,USD,2024-10-11,direct,P01,,',
      'BAD-1,receipt,,,,,,1.00,USD,,,,,2999-01-01',
      'BAD-2,refund,,,,,,,,,,,,',
    ]);
    const checked = await officer.upload('/import/check', { name: 'bad.csv', content: bad });
    expect(checked.status).toBe(200);
    expect(checked.text).toContain('The file has 3 problem(s)');
    expect(checked.text).toMatch(/<td class="num">2<\/td><th scope="row"><code>amount<\/code><\/th>/);
    expect(checked.text).toMatch(/<td class="num">3<\/td><th scope="row"><code>receivedOn<\/code><\/th>/);
    expect(checked.text).toMatch(/<td class="num">4<\/td><th scope="row"><code>recordKind<\/code><\/th>/);
    expect(checked.text).not.toContain('<script>alert(1)</script>');
    expect(checked.text).not.toMatch(/action="\/import\/[0-9a-f-]{36}"/);
    expect(await counts()).toEqual(before);
  });

  it('no file, an empty one, a stale confirmation or a missing CSRF token is refused with a message and saves nothing', async () => {
    await officer.get('/import');
    const before = await counts();
    const none = await officer.upload('/import/check', null);
    expect(none.status).toBe(400);
    expect(none.text).toContain('id="file-error"');
    expect(none.text).toContain('Choose a pledges CSV file');
    const empty = await officer.upload('/import/check', { name: 'empty.csv', content: ' \n' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Choose a pledges CSV file');
    const stale = await officer.post('/import/00000000-0000-0000-0000-000000000000', { createDonors: 'true' });
    expect(stale.status).toBe(400);
    expect(stale.text).toContain('upload the file again');
    const forged = await t.http
      .post('/import/check')
      .set('accept', 'text/html')
      .set('cookie', [...officer.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
      .attach('file', Buffer.from(good), 'pledges.csv');
    expect(forged.status).toBe(403);
    expect(await counts()).toEqual(before);
  });
});
