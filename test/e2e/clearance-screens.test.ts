import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditEntryEntity } from '../../src/audit/audit-entry.entity';
import { ClearanceProgressEntity } from '../../src/funding/clearance-progress.entity';
import { ClearanceResultEntity } from '../../src/funding/clearance-result.entity';
import { Q1_2025_BY_DISTRICT, Q1_2025_PAGE, Q1_2025_SOURCE } from '../../src/database/migrations/1733520000000-clearance-results';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/** Issue 14, clearance progress from the browser (`/clearance`), with the report's Q1 2025 districts seeded; on the database TEST_DB names. */
describe('clearance progress screen', () => {
  let t: TestApp;
  let officer: WebSession;
  const counts = async () => ({
    results: await t.dataSource.getRepository(ClearanceResultEntity).count(),
    figures: await t.dataSource.getRepository(ClearanceProgressEntity).count(),
  });

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    const user = await makeUser(t, 'officer');
    officer = await signInWeb(t, user.email, user.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("seeds the report's Q1 2025 districts with source and page; they add up to Table 5's totals, and the seed file and the migration hold the same rows", async () => {
    const rows = await t.dataSource.getRepository(ClearanceResultEntity).find({ where: { periodStart: '2025-01-01', periodEnd: '2025-03-31' } });
    expect(rows).toHaveLength(13);
    expect(rows.every((r) => r.source === Q1_2025_SOURCE && r.sourcePage === Q1_2025_PAGE && r.operator === null)).toBe(true);
    const tenths = rows.reduce((sum, r) => sum + Math.round(Number(r.hectares) * 10), 0);
    expect(tenths).toBe(110024);
    expect(rows.reduce((sum, r) => sum + (r.itemsFound as number), 0)).toBe(13956);
    const seed = JSON.parse(await readFile(join(process.cwd(), 'seeds', 'clearance-results.json'), 'utf8')) as {
      source: string;
      sourcePage: string;
      byDistrict: Array<{ district: string; hectares: string; itemsFound: number }>;
    };
    expect({ source: seed.source, page: seed.sourcePage }).toEqual({ source: Q1_2025_SOURCE, page: Q1_2025_PAGE });
    expect(seed.byDistrict.map((d) => [d.district, d.hectares, d.itemsFound])).toEqual(Q1_2025_BY_DISTRICT.map((r) => [...r]));

    const page = await officer.get('/clearance');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<td class="num">11002\.4<\/td><td class="num">13956<\/td><td>sum of the districts below<\/td>/);
    expect(page.text).toContain('<th scope="row">Khankendi</th><td class="num">134.2</td><td class="num">8857</td>');
    expect(page.text).toContain('By operator, 1 January 2025 to 31 March 2025: not recorded.');
  });

  it('records a result per operator and a contaminated-area estimate, with source and page, audited; the estimate feeds the projection', async () => {
    await officer.get('/clearance');
    const result = await officer.post('/clearance/result', {
      periodStart: '2025-04-01',
      periodEnd: '2025-06-30',
      operator: 'ANAMA',
      hectares: '1,500.5',
      itemsFound: '',
      source: 'ANAMA quarterly report Q2 2025',
      sourcePage: 'page 9',
    });
    expect(result.status).toBe(303);
    const page = await officer.get(result.headers.location);
    expect(page.text).toContain('Clearance result recorded.');
    expect(page.text).toMatch(/<th scope="row">ANAMA<\/th><td class="num">1500\.5<\/td><td class="num">not recorded<\/td>/);

    const before = await t.http.get('/api/funding-gap?currency=USD&asOf=2025-07-01').set('authorization', `Bearer ${t.adminToken}`);
    const area = await officer.post('/clearance/area', {
      metric: 'contaminated_area',
      hectares: '1000000.0',
      asOf: '2025-06-30',
      source: 'ANAMA estimate of June 2025',
      sourcePage: 'Annex 1',
    });
    expect(area.status).toBe(303);
    const after = await t.http.get('/api/funding-gap?currency=USD&asOf=2025-07-01').set('authorization', `Bearer ${t.adminToken}`);
    expect(after.body.projection.remainingHectares).not.toEqual(before.body.projection.remainingHectares);
    expect(after.body.projection.remainingHectares).toBe('809205.8');
    const audits = await t.dataSource
      .getRepository(AuditEntryEntity)
      .find({ where: [{ action: 'clearance_result.create' }, { action: 'clearance_figure.create' }] });
    expect(audits).toHaveLength(2);
  });

  it('hostile or contradictory input is refused beside the field and saves nothing', async () => {
    await officer.get('/clearance');
    const before = await counts();
    const bad = await officer.post('/clearance/result', {
      periodStart: '2025-06-30',
      periodEnd: '2025-04-01',
      district: '<script>alert(1)</script>\u0000',
      hectares: '-5',
      itemsFound: '1.5',
      source: '',
    });
    expect(bad.status).toBe(400);
    for (const id of ['result-district-error', 'result-hectares-error', 'result-itemsFound-error', 'result-source-error'])
      expect(bad.text).toContain(`id="${id}"`);
    expect(bad.text).not.toContain('<script>alert(1)</script>');
    const backwards = await officer.post('/clearance/result', { periodStart: '2025-06-30', periodEnd: '2025-04-01', hectares: '5', source: 'Report Q2' });
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('periodEnd must be on or after periodStart');
    const nothing = await officer.post('/clearance/result', { periodStart: '2025-04-01', periodEnd: '2025-06-30', source: 'Report Q2' });
    expect(nothing.status).toBe(400);
    expect(nothing.text).toContain('give the area cleared, the items found, or both');
    const area = await officer.post('/clearance/area', { metric: 'cleared_to_date', hectares: '1e6', asOf: '2999-01-01', source: 'x' });
    expect(area.status).toBe(400);
    for (const id of ['area-hectares-error', 'area-asOf-error', 'area-source-error']) expect(area.text).toContain(`id="${id}"`);
    const noStart = await officer.post('/clearance/area', { metric: 'cleared_to_date', hectares: '200000.0', asOf: '2025-06-30', source: 'Report Q2' });
    expect(noStart.status).toBe(400);
    expect(noStart.text).toContain('needs the day clearance is counted from');
    expect(await counts()).toEqual(before);
  });
});
