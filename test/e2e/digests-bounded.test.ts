import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { DIGEST_PLEDGES_LISTED } from '../../src/digests/digest-content.service';
import { createTestApp, TestApp } from '../support/test-app';
import { makeDonor, seedReferenceData } from '../support/factories';

const HEADER =
  'externalRef,donor,title,kind,amount,currency,inKindQuantity,inKindUnit,inKindUpTo,unitValue,pledgedOn,sourceDate,status,channel,channelName,instrument,priorityCodes,priorityShares,source,notes';

/** Imports `count` USD pledges of 1.00, 2.00, … for the donor, dated one day apart from 2020-01-01. */
async function importPledges(t: TestApp, donorName: string, count: number, prefix: string): Promise<void> {
  const day = (i: number) => new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
  const lines = Array.from(
    { length: count },
    (_, i) => `${prefix}-${i + 1},${donorName},Pledge ${prefix} ${i + 1},cash,${i + 1}.00,USD,,,,,${day(i)},,committed,direct,,,,,,`,
  );
  const res = await t.http
    .post('/api/import/pledges')
    .set({ authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/csv' })
    .send([HEADER, ...lines].join('\n'));
  expect(res.body).toMatchObject({ created: count, errors: [] });
}

describe('a digest lists a bounded number of pledges, whatever the donor has', () => {
  let t: TestApp;
  let few: number;
  let many: number;
  const auth = () => ({ authorization: `Bearer ${t.adminToken}` });
  const preview = async (donorId: number) => (await t.http.get(`/api/digests/preview/${donorId}?period=2025-03`).set(auth())).text;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    few = await makeDonor(t, { name: 'Few Pledges' });
    many = await makeDonor(t, { name: 'Many Pledges' });
    await importPledges(t, 'Few Pledges', 5, 'F');
    await importPledges(t, 'Many Pledges', 2_500, 'M');
  });
  afterAll(() => t.close());

  it('a donor with few pledges sees them all, and no "more" line', async () => {
    const html = await preview(few);
    expect(html.match(/Pledge F \d+/g)).toHaveLength(5);
    expect(html).not.toContain('more are counted in the totals');
  });

  it('2,500 pledges: the largest and the latest are listed, the rest counted and linked, the totals cover all', async () => {
    const html = await preview(many);
    const listed = [...html.matchAll(/Pledge M (\d+)/g)].map((m) => Number(m[1]));
    expect(listed).toHaveLength(DIGEST_PLEDGES_LISTED);
    // The largest are also the latest here (amount and date both grow with the number).
    expect(listed).toEqual(Array.from({ length: DIGEST_PLEDGES_LISTED }, (_, i) => 2_500 - i));
    expect(html).toContain(`The ${DIGEST_PLEDGES_LISTED} largest and latest of your 2,500 pledges; 2,480 more are counted in the totals`);
    expect(html).toContain(`/donors/${many}`);
    // 1 + 2 + … + 2,500 = 3,126,250.00 USD pledged, none received.
    expect(html).toContain('<strong><span title="3,126,250.00 USD">3,126,250 USD</span></strong> pledged');
  });

  it('the message does not grow with the number of pledges', async () => {
    const small = (await preview(few)).length;
    const large = (await preview(many)).length;
    // 20 lines instead of 5, and one more sentence: a few KB, not 2,500 lines' worth.
    expect(large).toBeLessThan(small + 20_000);
  });
});
