import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createTestApp, TestApp } from '../support/test-app';
import { makeDonor, seedReferenceData } from '../support/factories';
import { signInWeb, type WebSession } from './web-support';
import { ADMIN } from '../support/test-app';

const HEADER =
  'externalRef,donor,title,kind,amount,currency,inKindQuantity,inKindUnit,inKindUpTo,unitValue,pledgedOn,sourceDate,status,channel,channelName,instrument,priorityCodes,priorityShares,source,notes';

describe('"Download as CSV" on the pledges list', () => {
  let t: TestApp;
  let web: WebSession;
  let donorId: number;
  const ROWS = 1_203; // more than two pages of 500

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    donorId = await makeDonor(t, { name: 'Many Pledges Donor' });
    await makeDonor(t, { name: 'Other Donor' });
    const lines = Array.from(
      { length: ROWS },
      (_, i) => `CSV-${i + 1},Many Pledges Donor,Pledge ${i + 1},cash,${i + 1}.00,USD,,,,,2024-10-11,,committed,direct,,,,,,`,
    );
    lines.push('CSV-OTHER,Other Donor,Not this donor,cash,5.00,USD,,,,,2024-10-11,,committed,direct,,,,,,');
    const imported = await t.http
      .post('/api/import/pledges')
      .set({ authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/csv' })
      .send([HEADER, ...lines].join('\n'));
    expect(imported.body).toMatchObject({ created: ROWS + 1, errors: [] });
    web = await signInWeb(t, ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  it('holds every row the filters select, not the first page', async () => {
    const res = await web.get(`/pledges.csv?donorId=${donorId}&sort=oldest`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = res.text.split('\r\n').filter((line) => line !== '');
    expect(rows).toHaveLength(ROWS + 1); // the header and every pledge of that donor
    expect(rows[1]).toContain(',Pledge 1,');
    expect(rows[ROWS]).toContain(`,Pledge ${ROWS},`);
    expect(new Set(rows.slice(1).map((r) => r.split(',')[0])).size).toBe(ROWS); // no row twice
    expect(res.text).not.toContain('Not this donor');
  });

  it('newest first gives the same rows in the other order', async () => {
    const rows = (await web.get(`/pledges.csv?donorId=${donorId}`)).text.split('\r\n').filter((line) => line !== '');
    expect(rows).toHaveLength(ROWS + 1);
    expect(rows[1]).toContain(`,Pledge ${ROWS},`);
  });

  it('a bad filter is an error page, not half a file', async () => {
    const res = await web.get('/pledges.csv?status=nonsense');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).not.toContain('text/csv');
  });
});
