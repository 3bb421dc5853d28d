import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { memoryPages, validateXML } from 'xmllint-wasm';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../support/test-app';
import { makeDonor, seedReferenceData } from '../support/factories';
import { parseCsv } from '../../src/interop/csv';
import { PLEDGE_IMPORT_COLUMNS } from '../../src/interop/pledge-csv';
import { runRuleset, type Ruleset } from '../support/iati-rulesets';
import { addYears, todayUtc } from '../../src/common/dates';

const SCHEMA_DIR = join(process.cwd(), 'schemas', 'iati-2.03');
/** The IATI Standard's own rulesets (IATI-Rulesets, version-2.03): source and licence in schemas/iati-rulesets/README.md. */
const RULESETS = JSON.parse(readFileSync(join(process.cwd(), 'schemas', 'iati-rulesets', 'standard.json'), 'utf8')) as Ruleset;

/** Every rule of standard.json on an export, "now" being the moment the file says it was generated. */
function rulesetReport(xml: string) {
  const generated = /generated-datetime="([^"]+)"/.exec(xml) as RegExpExecArray;
  return runRuleset(RULESETS, xml, { now: new Date(generated[1]) });
}

/**
 * Validates against the official IATI 2.03 schema with libxml2's own validator, compiled to
 * WebAssembly (npm xmllint-wasm): the same checks as `xmllint --schema`, no system program needed.
 */
async function xmllint(xml: string): Promise<{ status: number; output: string }> {
  const read = (name: string) => readFileSync(join(SCHEMA_DIR, name), 'utf8');
  const result = await validateXML({
    xml: [{ fileName: 'export.xml', contents: xml }],
    schema: [{ fileName: 'iati-activities-schema.xsd', contents: read('iati-activities-schema.xsd') }],
    preload: [
      { fileName: 'iati-common.xsd', contents: read('iati-common.xsd') },
      { fileName: 'xml.xsd', contents: read('xml.xsd') },
    ],
    maxMemoryPages: memoryPages.GiB,
  });
  return { status: result.valid ? 0 : 1, output: result.valid ? 'export.xml validates' : result.rawOutput };
}

/** Pledge totals per currency from the API: what the funding-gap page sums. */
async function totalsPerCurrency(t: TestApp): Promise<Record<string, string>> {
  const res = await t.http.get('/api/pledges?limit=500').set('authorization', `Bearer ${t.adminToken}`);
  const totals: Record<string, bigint> = {};
  for (const p of res.body.items as Array<{ amount: string | null; currency: string | null; inKind: { quantity: number; unit: string } | null }>) {
    if (p.amount && p.currency) totals[p.currency] = (totals[p.currency] ?? 0n) + BigInt(p.amount.replace('.', ''));
    if (p.inKind) totals[p.inKind.unit] = (totals[p.inKind.unit] ?? 0n) + BigInt(p.inKind.quantity);
  }
  return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v.toString()]));
}

describe('exports: IATI 2.03 and CSV', () => {
  let seeded: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    seeded = await createTestApp({ seed: true });
    auth = { authorization: `Bearer ${seeded.adminToken}` };
  });
  afterAll(() => seeded.close());

  it('the IATI export of the seed data validates against the official 2.03 schema', async () => {
    const res = await seeded.http.get('/api/export/iati-activities.xml').set(auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const xml = res.text;
    const lint = await xmllint(xml);
    expect(lint.output).toContain('validates');
    expect(lint.status).toBe(0);
    // The validator does reject: the same file without its required reporting-org fails.
    const broken = await xmllint(xml.replace(/<reporting-org [\s\S]*?<\/reporting-org>/, ''));
    expect(broken.status).toBe(1);
    expect(broken.output).toContain('reporting-org');

    expect(xml.match(/<iati-activity /g)).toHaveLength(8);
    // Saudi Arabia: committed 3,000,000 USD (type 11) and 3,000,000 USD received (type 1).
    const saudi = xml.split('</iati-activity>').find((a) => a.includes('Saudi Arabia (KSrelief)')) as string;
    expect(saudi).toContain('<reporting-org ref="AZ-ANAMA" type="10">');
    expect(saudi).toContain('<participating-org role="1" type="10"><narrative>Saudi Arabia (KSrelief)</narrative></participating-org>');
    expect(saudi).toContain('<recipient-country code="AZ" percentage="100">');
    expect(saudi).toContain('<sector vocabulary="1" code="15250" percentage="100">');
    expect(saudi).toContain(
      '<transaction-type code="11"/>\n      <transaction-date iso-date="2024-01-16"/>\n      <value currency="USD" value-date="2024-01-16">3000000.00</value>',
    );
    expect(saudi).toContain(
      '<transaction-type code="1"/>\n      <transaction-date iso-date="2024-03-31"/>\n      <value currency="USD" value-date="2024-03-31">3000000.00</value>',
    );
    // Saudi Arabia's money arrived "in the first quarter of 2024": the date written is a bound, and says so.
    expect(saudi).toContain('<narrative>Funds received. Received on or before 2024-03-31; the source gives no exact day.</narrative>');
    expect(saudi).toContain('<activity-date iso-date="2024-01-16" type="1"><narrative>Pledged on 2024-01-16.</narrative></activity-date>');
    // Italy's pledge is only announced: an incoming pledge (13), EUR, dated by its source document, which the text says.
    const italy = xml.split('</iati-activity>').find((a) => a.includes('<narrative>Italy</narrative>')) as string;
    expect(italy).toContain('<transaction-type code="13"/>');
    expect(italy).toContain('<value currency="EUR" value-date="2025-03-31">1500000.00</value>');
    expect(italy).toContain('<activity-status code="1"/>');
    const sourceDated =
      'The source gives no date for the pledge: 2025-03-31 is the date of the source document that records it, so it was made on or before that day.';
    expect(italy).toContain(`<activity-date iso-date="2025-03-31" type="1"><narrative>${sourceDated}</narrative></activity-date>`);
    expect(italy).toContain(`<narrative>Pledge: Financing of programmes in support of demining ${sourceDated}</narrative>`);
    // Its channel is not stated: nobody is reported as implementing it, ANAMA only as accountable.
    expect(italy).not.toContain('role="4"');
    expect(italy).toContain('<participating-org ref="AZ-ANAMA" role="2" type="10">');
    // Every date written is one the ledger holds: the pledge, source and receipt dates, and MLI's promised end.
    const documented = new Set(['2024-01-16', '2024-03-31', '2025-03-31', '2026-12-31']);
    const written = [...xml.matchAll(/(?:iso-date|value-date)="([^"]+)"/g)].map((m) => m[1]);
    expect(written.filter((d) => !documented.has(d))).toEqual([]);
    const mli = xml.split('</iati-activity>').find((a) => a.includes('Up to 30 mine detection dogs')) as string;
    expect(mli).toContain(
      '<activity-date iso-date="2026-12-31" type="3"><narrative>The date by which the donor promised the money or goods.</narrative></activity-date>',
    );
    expect(mli).not.toMatch(/<activity-date [^>]*type="2"/);
    // The EU money goes through UNDP: UNDP implements, ANAMA is accountable.
    const eu = xml.split('</iati-activity>').find((a) => a.includes('European Union')) as string;
    expect(eu).toContain('<participating-org role="4" type="40"><narrative>UNDP</narrative></participating-org>');
    // Croatia's dogs have no value in the sources: described, no transaction.
    const croatia = xml.split('</iati-activity>').find((a) => a.includes('<narrative>Croatia</narrative>')) as string;
    expect(croatia).toContain('In-kind contribution: 8 mine detection dogs; not valued in the source, so no financial transaction is reported.');
    expect(croatia).not.toContain('<transaction>');
  });

  it('an in-kind pledge with a unit value exports its valued amount and its deliveries, and still validates', async () => {
    const t = await createTestApp();
    try {
      await seedReferenceData(t);
      const donorId = await makeDonor(t, { name: 'Valued <Goods> & Co' });
      const h = { authorization: `Bearer ${t.adminToken}` };
      const pledge = await t.http
        .post('/api/pledges')
        .set(h)
        .send({
          donorId,
          title: 'Armoured machines',
          kind: 'in_kind',
          inKind: { quantity: 3, unit: 'demining machines', unitValue: { amount: '250000.00', currency: 'EUR' } },
          pledgedOn: '2024-10-11',
          status: 'committed',
          channel: 'direct',
          priorityCodes: ['P06'],
        });
      expect(pledge.status).toBe(201);
      const delivery = await t.http.post(`/api/pledges/${pledge.body.id}/disbursements`).set(h).send({ quantity: 2, receivedOn: '2024-11-01' });
      expect(delivery.status).toBe(201);
      const xml = (await t.http.get('/api/export/iati-activities.xml').set(h)).text;
      expect((await xmllint(xml)).status).toBe(0);
      expect(xml).toContain('<narrative>Valued &lt;Goods&gt; &amp; Co</narrative>');
      expect(xml).toContain('<value currency="EUR" value-date="2024-10-11">750000.00</value>');
      expect(xml).toContain('<value currency="EUR" value-date="2024-11-01">500000.00</value>');
      expect(xml).toContain('<narrative>2 demining machines delivered in kind. Received on 2024-11-01.</narrative>');
    } finally {
      await t.close();
    }
  });

  it('planned instalments export as planned disbursements (cash, not of a cancelled pledge), and the file still validates', async () => {
    const t = await createTestApp();
    try {
      await seedReferenceData(t);
      const h = { authorization: `Bearer ${t.adminToken}` };
      const donorId = await makeDonor(t, { name: 'Scheduled Donor' });
      const create = async (body: Record<string, unknown>) => {
        const res = await t.http
          .post('/api/pledges')
          .set(h)
          .send({ donorId, status: 'committed', channel: 'direct', priorityCodes: ['P01'], pledgedOn: '2024-10-11', ...body });
        expect(res.status).toBe(201);
        return res.body.id as number;
      };
      const cash = await create({ title: 'Scheduled clearance', kind: 'cash', amount: '1000000.00', currency: 'EUR' });
      const withdrawn = await create({ title: 'Withdrawn later', kind: 'cash', amount: '9000.00', currency: 'EUR' });
      const dogs = await create({ title: 'Scheduled dogs', kind: 'in_kind', inKind: { quantity: 4, unit: 'dogs' } });
      for (const [pledgeId, body] of [
        [cash, { dueOn: '2025-03-31', amount: '250000.00' }],
        [cash, { dueOn: '2025-06-30', amount: '750000.00' }],
        [withdrawn, { dueOn: '2025-03-31', amount: '9000.00' }],
        [dogs, { dueOn: '2025-03-31', quantity: 4 }],
      ] as const) {
        expect((await t.http.post(`/api/pledges/${pledgeId}/instalments`).set(h).send(body)).status).toBe(201);
      }
      expect((await t.http.post(`/api/pledges/${withdrawn}/cancel`).set(h).send({ reason: 'Withdrawn by the donor (letter)' })).status).toBe(200);
      const xml = (await t.http.get('/api/export/iati-activities.xml').set(h)).text;
      const lint = await xmllint(xml);
      expect(lint.output).toContain('validates');
      const activity = (title: string) => xml.split('</iati-activity>').find((a) => a.includes(`<title><narrative>${title}</narrative></title>`)) as string;
      const planned = activity('Scheduled clearance').match(/<planned-disbursement [\s\S]*?<\/planned-disbursement>/g) ?? [];
      expect(planned).toHaveLength(2);
      expect(planned[0]).toContain('<period-start iso-date="2025-03-31"/>');
      expect(planned[0]).toContain('<value currency="EUR" value-date="2025-03-31">250000.00</value>');
      expect(planned[0]).toContain('<provider-org type="10"><narrative>Scheduled Donor</narrative></provider-org>');
      expect(planned[1]).toContain('<value currency="EUR" value-date="2025-06-30">750000.00</value>');
      expect(activity('Withdrawn later')).not.toContain('<planned-disbursement');
      expect(activity('Scheduled dogs')).not.toContain('<planned-disbursement');
      // The schema holds the order: a planned disbursement after the transactions is refused.
      const misplaced = xml.replace(/(<planned-disbursement [\s\S]*?<\/planned-disbursement>\n)([\s\S]*?<\/transaction>\n)/, '$2$1');
      expect(misplaced).not.toBe(xml);
      expect((await xmllint(misplaced)).status).toBe(1);
    } finally {
      await t.close();
    }
  });

  it("the export passes the IATI Standard's own rulesets: seed data, instalments, receipts, a cancelled pledge and in kind", async () => {
    const t = await createTestApp({ seed: true });
    try {
      const h = { authorization: `Bearer ${t.adminToken}` };
      const donorId = await makeDonor(t, { name: 'Rules & Checks Donor' });
      const create = async (body: Record<string, unknown>) => {
        const res = await t.http
          .post('/api/pledges')
          .set(h)
          .send({ donorId, status: 'committed', channel: 'direct', priorityCodes: ['P01'], pledgedOn: '2024-10-11', ...body });
        expect(res.status).toBe(201);
        return res.body.id as number;
      };
      const scheduled = await create({ title: 'Quarterly clearance', kind: 'cash', amount: '1000000.00', currency: 'EUR', receiptDueOn: '2025-12-31' });
      for (const [dueOn, amount] of [
        ['2025-03-31', '250000.00'],
        ['2025-06-30', '250000.00'],
        ['2025-09-30', '250000.00'],
        ['2025-12-31', '250000.00'],
      ])
        expect((await t.http.post(`/api/pledges/${scheduled}/instalments`).set(h).send({ dueOn, amount })).status).toBe(201);
      for (const [receivedOn, amount] of [
        ['2025-03-20', '250000.00'],
        ['2025-07-02', '125000.00'],
      ])
        expect((await t.http.post(`/api/pledges/${scheduled}/disbursements`).set(h).send({ amount, receivedOn })).status).toBe(201);
      const cancelled = await create({ title: 'Withdrawn later', kind: 'cash', amount: '9000.00', currency: 'USD', channel: 'un_agency', channelName: 'UNDP' });
      expect((await t.http.post(`/api/pledges/${cancelled}/instalments`).set(h).send({ dueOn: '2025-03-31', amount: '9000.00' })).status).toBe(201);
      expect((await t.http.post(`/api/pledges/${cancelled}/disbursements`).set(h).send({ amount: '1000.00', receivedOn: '2024-12-01' })).status).toBe(201);
      expect((await t.http.post(`/api/pledges/${cancelled}/cancel`).set(h).send({ reason: 'Withdrawn by the donor (letter)' })).status).toBe(200);
      const machines = await create({
        title: 'Armoured machines',
        kind: 'in_kind',
        inKind: { quantity: 3, unit: 'demining machines', unitValue: { amount: '250000.00', currency: 'EUR' } },
      });
      expect((await t.http.post(`/api/pledges/${machines}/instalments`).set(h).send({ dueOn: '2025-03-31', quantity: 3 })).status).toBe(201);
      expect((await t.http.post(`/api/pledges/${machines}/disbursements`).set(h).send({ quantity: 2, receivedOn: '2024-11-01' })).status).toBe(201);
      // Dates the API accepts that IATI's rules refuse as they stand: a pledge dated ahead (its commitment
      // would be a transaction after the file), and a promised date before the pledge's own.
      const ahead = addYears(todayUtc(), 1);
      await create({ title: 'Pledged for next year', kind: 'cash', amount: '50000.00', currency: 'USD', pledgedOn: ahead, status: 'committed' });
      await create({ title: 'Promised before pledged', kind: 'cash', amount: '7000.00', currency: 'EUR', pledgedOn: '2024-10-11', receiptDueOn: '2024-06-30' });

      const xml = (await t.http.get('/api/export/iati-activities.xml').set(h)).text;
      expect((await xmllint(xml)).status).toBe(0);
      const report = rulesetReport(xml);
      // Listed by rule and activity, so a failure reads as what to fix.
      expect(report.failures.map((f) => `${f.rule} (${f.type}, ${f.severity}) ${f.activity}: ${f.message} [${f.found}]`)).toEqual([]);
      // The rules did run on it: every activity rule type the export can meet, each more than once.
      const activities = xml.match(/<iati-activity /g)?.length ?? 0;
      for (const type of ['atleast_one', 'unique', 'startswith', 'one_or_all', 'date_now', 'date_order', 'regex_matches', 'no_spaces', 'range', 'if_then'])
        expect(report.evaluated[type]).toBeGreaterThanOrEqual(activities);
      // The ahead-dated commitment is reported on the day it was entered, and says why; the early promise stays in the text.
      const aheadActivity = xml.split('</iati-activity>').find((a) => a.includes('<narrative>Pledged for next year</narrative>')) as string;
      expect(aheadActivity).toContain(`<activity-date iso-date="${ahead}" type="1">`);
      expect(aheadActivity).toMatch(
        /<transaction-date iso-date="(\d{4}-\d{2}-\d{2})"\/>[\s\S]*the day it was entered in the ledger, because IATI allows no transaction dated after the file/,
      );
      expect(aheadActivity).not.toContain(`<transaction-date iso-date="${ahead}"/>`);
      const early = xml.split('</iati-activity>').find((a) => a.includes('<narrative>Promised before pledged</narrative>')) as string;
      expect(early).not.toMatch(/<activity-date [^>]*type="3"/);
      expect(early).toContain("The donor promised the money or goods by 2024-06-30, before the pledge's own date (2024-10-11)");
      // Only the rule that needs the Registry's organisation-identifier prefixes is left, and it is named.
      expect(report.notEvaluated.map((n) => n.rule)).toEqual(['1.14.8']);
      expect(xml).toContain('<planned-disbursement ');

      // The same rules refuse the same export broken in ways the schema accepts.
      const id = `AZ-ANAMA-pledge-${scheduled}`;
      const broken = xml
        .replace(`<iati-identifier>${id}</iati-identifier>`, `<iati-identifier>${id}/x</iati-identifier>`)
        .replace('<period-end iso-date="2025-06-30"/>', '<period-end iso-date="2025-06-29"/>');
      expect((await xmllint(broken)).status).toBe(0);
      expect(
        rulesetReport(broken)
          .failures.map((f) => `${f.rule} ${f.activity}`)
          .sort(),
      ).toEqual([`1.3.13 ${id}/x`, `8.6.3 ${id}/x`]);
    } finally {
      await t.close();
    }
  });

  it('IATI is for admin and leadership; an empty ledger is a 422, not an invalid file', async () => {
    const officer = await seeded.tokenFor('officer');
    expect((await seeded.http.get('/api/export/iati-activities.xml').set('authorization', `Bearer ${officer}`)).status).toBe(403);
    const leadership = await seeded.tokenFor('leadership');
    expect((await seeded.http.get('/api/export/iati-activities.xml').set('authorization', `Bearer ${leadership}`)).status).toBe(200);
    const empty = await createTestApp();
    try {
      const res = await empty.http.get('/api/export/iati-activities.xml').set('authorization', `Bearer ${empty.adminToken}`);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ statusCode: 422, details: [{ field: 'pledges', message: 'there are no pledges to export yet' }] });
    } finally {
      await empty.close();
    }
  });

  it('CSV exports escape cells a spreadsheet would run as formulas', async () => {
    const t = await createTestApp();
    try {
      await seedReferenceData(t);
      const donorId = await makeDonor(t, { name: '=cmd|calc' });
      const h = { authorization: `Bearer ${t.adminToken}` };
      const made = await t.http.post('/api/pledges').set(h).send({
        donorId,
        title: '+SUM(A1:A9)',
        kind: 'cash',
        amount: '10.00',
        currency: 'USD',
        channel: 'direct',
        priorityCodes: [],
        notes: '@risk, "quoted"\ttab',
      });
      expect(made.status).toBe(201);
      await t.http.post(`/api/pledges/${made.body.id}/disbursements`).set(h).send({ amount: '4.00', receivedOn: '2024-11-01', reference: '-42' });
      const pledges = await t.http.get('/api/export/pledges.csv').set(h);
      expect(pledges.status).toBe(200);
      expect(pledges.headers['content-disposition']).toBe('attachment; filename="pledges.csv"');
      const line = pledges.text.split('\r\n')[1];
      expect(line.startsWith(`mat-pledge-${made.body.id},pledge,'=cmd|calc,government,DK,'+SUM(A1:A9),cash,10.00,USD,`)).toBe(true);
      // Its receipt follows it.
      const receipt = pledges.text.split('\r\n')[2];
      expect(receipt.startsWith(`mat-pledge-${made.body.id},receipt,'=cmd|calc,,,,,4.00,USD,`)).toBe(true);
      // The escaped donor name is the donor's name again on import: the file re-imports into the same database as it is.
      const again = await t.http.post('/api/import/pledges?dryRun=true').set(h).set('content-type', 'text/csv').send(pledges.text);
      expect(again.body).toMatchObject({ skipped: 1, toCreate: 0, receiptsSkipped: 1, errors: [] });
      expect(line).toContain(`"'@risk, ""quoted""\ttab"`);
      const disbursements = await t.http.get('/api/export/disbursements.csv').set(h);
      const row = disbursements.text.split('\r\n')[1].split(',');
      expect(row.slice(0, 8)).toEqual([
        expect.any(String),
        String(made.body.id),
        `mat-pledge-${made.body.id}`,
        "'=cmd|calc",
        '2024-11-01',
        'exact',
        '4.00',
        'USD',
      ]);
      // A plain number cannot run as a formula: it is written as it is (one rule for every export, src/common/csv.ts).
      expect(row[15]).toBe('-42');
    } finally {
      await t.close();
    }
  });

  it('the pledges CSV carries receipts and deliveries and re-imports, donors and all, into an empty database: exporting again gives the same records', async () => {
    const exported = await seeded.http.get('/api/export/pledges.csv').set(auth);
    expect(exported.status).toBe(200);
    const file = parseCsv(exported.text.replace(/^\uFEFF/, ''));
    const kindAt = file.header.indexOf('recordKind');
    const kinds = file.rows.map((r) => r.cells[kindAt]);
    // The seed's receipts: Saudi Arabia's money, Croatia's 8 dogs, MLI's 12 dogs.
    expect(kinds.filter((k) => k === 'pledge')).toHaveLength(8);
    expect(kinds.filter((k) => k === 'receipt').length + kinds.filter((k) => k === 'delivery').length).toBeGreaterThanOrEqual(3);
    const receiptRows = kinds.length - 8;

    const target = await createTestApp();
    try {
      const h = { authorization: `Bearer ${target.adminToken}`, 'content-type': 'text/csv' };
      // The empty database gets what a pledges file refers to but does not carry: rates and priorities. No donors.
      await seedReferenceData(target);
      const rates = readFileSync(join(process.cwd(), 'test', 'fixtures', 'ecb', 'eurofxref-daily.csv'), 'utf8');
      expect((await target.http.post('/api/fx-rates/import?format=ecb').set(h).send(rates)).status).toBe(200);
      expect((await target.http.get('/api/donors').set(h)).body.items).toEqual([]);

      const refused = await target.http.post('/api/import/pledges?dryRun=true').set(h).send(exported.text);
      expect(refused.body.errors.length).toBe(8);
      expect(refused.body.errors[0]).toMatchObject({ field: 'donor', message: expect.stringContaining('there is no donor named') });

      const seededDonors = (await seeded.http.get('/api/donors?limit=500').set(auth)).body.items as Array<{
        name: string;
        type: string;
        countryCode: string | null;
      }>;
      const dry = await target.http.post('/api/import/pledges?dryRun=true&createDonors=true').set(h).send(exported.text);
      expect(dry.body).toMatchObject({ rows: kinds.length, toCreate: 8, receiptsToCreate: receiptRows, errors: [] });
      const donorsOf = (list: Array<{ name: string; type: string; countryCode: string | null }>) =>
        list.map((d) => ({ name: d.name, type: d.type, countryCode: d.countryCode })).sort((x, y) => x.name.localeCompare(y.name));
      expect(donorsOf(dry.body.donorsToCreate)).toEqual(donorsOf(seededDonors));
      expect((await target.http.get('/api/donors').set(h)).body.items).toEqual([]);

      const real = await target.http.post('/api/import/pledges?dryRun=false&createDonors=true').set(h).send(exported.text);
      expect(real.body).toMatchObject({ created: 8, receiptsCreated: receiptRows, donorsCreated: seededDonors.length, errors: [] });
      expect(donorsOf((await target.http.get('/api/donors?limit=500').set(h)).body.items)).toEqual(donorsOf(seededDonors));

      // The same records: every import column of every row (ids and creation times are the new database's own).
      const reExported = await target.http.get('/api/export/pledges.csv').set(h);
      const records = (text: string) => {
        const table = parseCsv(text.replace(/^\uFEFF/, ''));
        return table.rows.map((r) => r.cells.slice(0, PLEDGE_IMPORT_COLUMNS.length).join('|')).sort();
      };
      expect(records(reExported.text)).toEqual(records(exported.text));
      // What arrived goes through too: the same pledged and received figures, per donor and per priority.
      const gap = async (app: TestApp, headers: Record<string, string>) => {
        const res = await app.http.get('/api/funding-gap?currency=USD&asOf=2025-03-31').set(headers);
        expect(res.status).toBe(200);
        return {
          foreign: [res.body.foreign.pledged, res.body.foreign.received, res.body.foreign.receiptNotDocumented],
          byDonor: res.body.byDonor.map((d: { name: string; pledged: unknown; received: unknown }) => [d.name, d.pledged, d.received]).sort(),
          byPriority: res.body.byPriority.map((p: { code: string; pledged: unknown; received: unknown }) => [p.code, p.pledged, p.received]),
        };
      };
      const seededGap = await gap(seeded, auth);
      expect(seededGap.foreign[1]).not.toEqual({ amount: '0.00', currency: 'USD' });
      expect(await gap(target, h)).toEqual(seededGap);
      expect(await totalsPerCurrency(target)).toEqual(await totalsPerCurrency(seeded));

      // Importing the same file again creates nothing: its pledges are there, so their receipts are left out too.
      const again = await target.http.post('/api/import/pledges?dryRun=false&createDonors=true').set(h).send(exported.text);
      expect(again.body).toMatchObject({ created: 0, skipped: 8, receiptsCreated: 0, receiptsSkipped: receiptRows, donorsCreated: 0, errors: [] });
    } finally {
      await target.close();
    }
  });

  it('the pledges CSV carries planned instalments (cash, in kind, of a cancelled pledge) and re-imports them: exporting again gives the same rows', async () => {
    const source = await createTestApp();
    const target = await createTestApp();
    try {
      await seedReferenceData(source);
      const h = { authorization: `Bearer ${source.adminToken}` };
      const donorId = await makeDonor(source, { name: 'Round Trip Donor' });
      const create = async (body: Record<string, unknown>) => {
        const res = await source.http
          .post('/api/pledges')
          .set(h)
          .send({ donorId, status: 'committed', channel: 'direct', priorityCodes: ['P01'], pledgedOn: '2024-10-11', ...body });
        expect(res.status).toBe(201);
        return res.body.id as number;
      };
      const cash = await create({ title: 'Quarterly money', kind: 'cash', amount: '1000000.00', currency: 'EUR', externalRef: 'RT-CASH' });
      const dogs = await create({ title: 'Dogs in two lots', kind: 'in_kind', inKind: { quantity: 6, unit: 'dogs' } });
      const withdrawn = await create({ title: 'Withdrawn with a plan', kind: 'cash', amount: '9000.00', currency: 'USD' });
      for (const [pledgeId, body] of [
        [cash, { dueOn: '2025-06-30', amount: '750000.00' }],
        [cash, { dueOn: '2025-03-31', amount: '250000.00' }],
        [dogs, { dueOn: '2025-03-31', quantity: 2 }],
        [dogs, { dueOn: '2025-09-30', quantity: 4 }],
        [withdrawn, { dueOn: '2025-03-31', amount: '9000.00' }],
      ] as const)
        expect((await source.http.post(`/api/pledges/${pledgeId}/instalments`).set(h).send(body)).status).toBe(201);
      expect((await source.http.post(`/api/pledges/${cash}/disbursements`).set(h).send({ amount: '300000.00', receivedOn: '2025-03-20' })).status).toBe(201);
      expect((await source.http.post(`/api/pledges/${withdrawn}/cancel`).set(h).send({ reason: 'Withdrawn by the donor (letter)' })).status).toBe(200);

      const exported = await source.http.get('/api/export/pledges.csv').set(h);
      const table = parseCsv(exported.text.replace(/^\uFEFF/, ''));
      const col = (name: string) => table.header.indexOf(name);
      const instalmentRows = table.rows.filter((r) => r.cells[col('recordKind')] === 'instalment');
      // Each follows its pledge, in matching order (due date first), with amount (cash) or inKindQuantity (in kind).
      expect(instalmentRows.map((r) => [r.cells[col('externalRef')], r.cells[col('dueOn')], r.cells[col('amount')], r.cells[col('inKindQuantity')]])).toEqual([
        ['RT-CASH', '2025-03-31', '250000.00', ''],
        ['RT-CASH', '2025-06-30', '750000.00', ''],
        [`mat-pledge-${dogs}`, '2025-03-31', '', '2'],
        [`mat-pledge-${dogs}`, '2025-09-30', '', '4'],
        [`mat-pledge-${withdrawn}`, '2025-03-31', '9000.00', ''],
      ]);

      const th = { authorization: `Bearer ${target.adminToken}`, 'content-type': 'text/csv' };
      await seedReferenceData(target);
      const rates = readFileSync(join(process.cwd(), 'test', 'fixtures', 'ecb', 'eurofxref-daily.csv'), 'utf8');
      expect((await target.http.post('/api/fx-rates/import?format=ecb').set(th).send(rates)).status).toBe(200);
      const real = await target.http.post('/api/import/pledges?dryRun=false&createDonors=true').set(th).send(exported.text);
      expect(real.body).toMatchObject({ errors: [], created: 3, instalmentsCreated: 5, receiptsCreated: 1, cancelled: 1 });
      const records = (text: string) =>
        parseCsv(text.replace(/^\uFEFF/, ''))
          .rows.map((r) => r.cells.slice(0, PLEDGE_IMPORT_COLUMNS.length).join('|'))
          .sort();
      const reExported = await target.http.get('/api/export/pledges.csv').set({ authorization: th.authorization });
      expect(records(reExported.text)).toEqual(records(exported.text));
      // States follow from the same schedule and receipts: the first cash instalment received, the second partly.
      const imported = (await target.http.get('/api/pledges?limit=10').set({ authorization: th.authorization })).body.items as Array<{
        id: number;
        externalRef: string;
      }>;
      const rt = imported.find((p) => p.externalRef === 'RT-CASH') as { id: number };
      const schedule = (await target.http.get(`/api/pledges/${rt.id}`).set({ authorization: th.authorization })).body.instalments as Array<{ state: string }>;
      expect(schedule.map((i) => i.state)[0]).toBe('received');
      expect(['partly_received', 'overdue']).toContain(schedule[1].state);
    } finally {
      await source.close();
      await target.close();
    }
  });

  it('rate coverage shows each pair’s first and last date and its gaps, in the API and on /rates', async () => {
    const coverage = await seeded.http.get('/api/fx-rates/coverage').set(auth);
    expect(coverage.status).toBe(200);
    const usd = coverage.body.find((r: { quote: string; base: string }) => r.base === 'EUR' && r.quote === 'USD');
    expect(usd).toMatchObject({ first: '1999-01-04', last: '2024-10-11' });
    expect(usd.gaps).toEqual([]);
    // ISK was not quoted by the ECB from December 2008 to 2018: one long gap.
    const isk = coverage.body.find((r: { quote: string; base: string }) => r.base === 'EUR' && r.quote === 'ISK');
    expect(isk.gaps).toEqual([{ from: '2008-12-09', to: '2018-02-01', days: 3341 }]);

    const page = await seeded.http.get('/rates').set(auth);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('<th scope="row">EUR/ISK</th>');
    expect(page.text).toContain('2008-12-09 to 2018-02-01 (3341 days)');
    expect(page.text).toContain('<th scope="row">EUR/USD</th>');
    const donorUser = await seeded.tokenFor('donor', 1);
    expect((await seeded.http.get('/rates').set('authorization', `Bearer ${donorUser}`)).status).toBe(403);
  });
});
