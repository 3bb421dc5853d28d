import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { AuditEntryEntity } from '../../src/audit/audit-entry.entity';
import { DonorEntity } from '../../src/donors/donor.entity';
import { DisbursementEntity, PledgeEntity, PledgePriorityEntity } from '../../src/ledger/pledge.entity';
import { InstalmentEntity } from '../../src/ledger/instalment.entity';
import { createTestApp, TestApp } from '../support/test-app';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';

/** The columns of a file written before receipts had their own columns: such files still import. */
const HEADER =
  'externalRef,donor,title,kind,amount,currency,inKindQuantity,inKindUnit,inKindUpTo,unitValue,pledgedOn,sourceDate,status,channel,channelName,instrument,priorityCodes,priorityShares,source,notes';
/** The template's header: the version 1 columns with what is known of receipt, the record kind, the donor to create, and receipt and delivery rows' own columns. */
const RECEIPT_COLUMNS = 'receiptExpectation,receiptDueOn';
const TEMPLATE_HEADER =
  'externalRef,recordKind,donor,donorType,donorCountryCode,title,kind,amount,currency,inKindQuantity,inKindUnit,inKindUpTo,unitValue,pledgedOn,sourceDate,status,channel,channelName,instrument,priorityCodes,priorityShares,source,notes,receiptExpectation,receiptDueOn,receivedOn,receivedOnBasis,receivedQuantity,reference,overDisbursementReason,cancelledAt,cancelReason,dueOn';

/** Version 2 files: a record kind per row, the donor to create, and receipt and delivery rows. */
const FULL_HEADER = TEMPLATE_HEADER;
/** A version 2 row from the cells it fills. */
const line = (cells: Record<string, string>) =>
  FULL_HEADER.split(',')
    .map((c) => cells[c] ?? '')
    .join(',');

describe('POST /api/import/pledges (CSV)', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  const donorName = 'Kingdom of Import Tests';

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    await makeDonor(t, { name: donorName });
    await makeDonor(t, { name: 'Second Donor' });
    auth = { authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/csv; charset=utf-8' };
  });
  afterAll(() => t.close());

  const countPledges = () => t.dataSource.getRepository(PledgeEntity).count();
  const post = (csv: string | Buffer, query = 'dryRun=false', headers: Record<string, string> = auth) =>
    t.http.post(`/api/import/pledges?${query}`).set(headers).send(csv);

  const good = [
    HEADER,
    `IMP-1,${donorName},Cash for clearance teams,cash,1250000.00,EUR,,,,,2024-10-11,,committed,direct,,Agreement,P01;P07,60;40,Letter of 11 Oct 2024,`,
    `IMP-2,${donorName},"Dogs, with handler training",in_kind,,EUR,8,mine detection dogs,false,15000.00,,2025-03-31,announced,ngo,"Marshall ""Legacy"" Institute",MoU,P07,,Report Q1,"line one\nline two"`,
    `IMP-3,second donor,Unearmarked money,cash,500000,USD,,,,,,,,un_agency,UNDP,,,,,`,
  ].join('\r\n');

  it('a dry run reports what it would do and writes nothing', async () => {
    const before = await countPledges();
    const res = await post(good, 'dryRun=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, rows: 3, created: 0, skipped: 0, toCreate: 3, errors: [] });
    expect(await countPledges()).toBe(before);
  });

  it('imports every row in one go, with the same columns the API would store, and one audit entry', async () => {
    const before = await countPledges();
    const res = await post(good);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: false, rows: 3, created: 3, skipped: 0, errors: [] });
    expect(await countPledges()).toBe(before + 3);

    const repo = t.dataSource.getRepository(PledgeEntity);
    const cash = await repo.findOneOrFail({ where: { externalRef: 'IMP-1' } });
    expect(cash).toMatchObject({
      kind: 'cash',
      amountMinor: 125000000n,
      currency: 'EUR',
      pledgedOn: '2024-10-11',
      commitment: 'committed',
      channel: 'direct',
      instrument: 'Agreement',
      createdBy: 1,
    });
    const earmarks = await t.dataSource.getRepository(PledgePriorityEntity).find({ where: { pledgeId: cash.id }, order: { priorityCode: 'ASC' } });
    expect(earmarks.map((e) => [e.priorityCode, e.shareBasisPoints])).toEqual([
      ['P01', 6000],
      ['P07', 4000],
    ]);
    const dogs = await repo.findOneOrFail({ where: { externalRef: 'IMP-2' } });
    expect(dogs).toMatchObject({
      title: 'Dogs, with handler training',
      kind: 'in_kind',
      inKindQuantity: 8,
      inKindUnit: 'mine detection dogs',
      inKindQuantityIsMaximum: false,
      unitValueMinor: 1500000n,
      amountMinor: 12000000n,
      currency: 'EUR',
      channelName: 'Marshall "Legacy" Institute',
      notes: 'line one\nline two',
      commitment: 'announced',
    });
    const undp = await repo.findOneOrFail({ where: { externalRef: 'IMP-3' } });
    expect(undp).toMatchObject({ amountMinor: 50000000n, currency: 'USD', commitment: 'announced', channel: 'un_agency', pledgedOn: null });
    // A file without the receipt columns says nothing about receipt: not documented, no date.
    expect([cash, dogs, undp].map((p) => [p.receiptExpectation, p.receiptDueOn])).toEqual([
      ['not_documented', null],
      ['not_documented', null],
      ['not_documented', null],
    ]);

    const api = await t.http.get(`/api/pledges/${cash.id}`).set('authorization', `Bearer ${t.adminToken}`);
    expect(api.body).toMatchObject({
      amount: '1250000.00',
      currency: 'EUR',
      status: 'committed',
      priorityCodes: ['P01', 'P07'],
      priorityShares: ['60.00', '40.00'],
      externalRef: 'IMP-1',
    });

    const audits = await t.dataSource.getRepository(AuditEntryEntity).find({ where: { action: 'pledge.import' } });
    expect(audits).toHaveLength(1);
    expect(audits[0].after).toMatchObject({ rows: 3, created: 3, skipped: 0, sha256: res.body.sha256 });
  });

  it('reads what is known of receipt, and an empty channel as "not stated"; a bad value is named by its column', async () => {
    const csv = [
      `${HEADER},${RECEIPT_COLUMNS}`,
      `RCP-1,${donorName},Owed by June,cash,100.00,USD,,,,,2024-10-11,,committed,un_agency,UNDP,,,,,,owed,2026-06-30`,
      `RCP-2,${donorName},Channel not stated,cash,100.00,USD,,,,,2024-10-11,,announced,,,,,,,,,`,
    ].join('\r\n');
    const res = await post(csv);
    expect(res.body).toMatchObject({ rows: 2, created: 2, errors: [] });
    const repo = t.dataSource.getRepository(PledgeEntity);
    expect(await repo.findOneOrFail({ where: { externalRef: 'RCP-1' } })).toMatchObject({
      receiptExpectation: 'owed',
      receiptDueOn: '2026-06-30',
      channel: 'un_agency',
    });
    expect(await repo.findOneOrFail({ where: { externalRef: 'RCP-2' } })).toMatchObject({
      receiptExpectation: 'not_documented',
      receiptDueOn: null,
      channel: null,
    });

    const bad = [
      `${HEADER},${RECEIPT_COLUMNS}`,
      `RCP-3,${donorName},Late,cash,100.00,USD,,,,,2024-10-11,,committed,direct,,,,,,,late,31/12/2026`,
      `RCP-4,${donorName},Bad channel,cash,100.00,USD,,,,,2024-10-11,,committed,bank,,,,,,,,`,
    ].join('\r\n');
    const refused = await post(bad, 'dryRun=true');
    expect(refused.body.errors).toEqual([
      { row: 2, field: 'receiptExpectation', message: 'receiptExpectation must be not_documented or owed' },
      { row: 2, field: 'receiptDueOn', message: expect.stringMatching(/^receiptDueOn /) },
      { row: 3, field: 'channel', message: 'channel must be one of direct, un_agency, ngo, other, or null when the source does not say' },
    ]);
  });

  it('the same file twice creates nothing new', async () => {
    const before = await countPledges();
    const res = await post(good);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 3, created: 0, skipped: 3, errors: [] });
    expect(await countPledges()).toBe(before);
  });

  it('recognises an exported mat-pledge-<id> reference as the pledge it names', async () => {
    const donorId = await makeDonor(t);
    const made = await makePledge(t, donorId);
    const donor = (await t.http.get(`/api/donors/${donorId}`).set('authorization', `Bearer ${t.adminToken}`)).body.name;
    const before = await countPledges();
    const res = await post(`${HEADER}\nmat-pledge-${made.id},${donor},Same pledge,cash,1000000.00,USD,,,,,2024-06-03,,committed,direct,,,P01,,,`);
    expect(res.body).toMatchObject({ created: 0, skipped: 1, errors: [] });
    expect(await countPledges()).toBe(before);
  });

  describe('bad input: every problem named by row and column, nothing written', () => {
    const expectRefused = async (csv: string | Buffer, errors: Array<{ row: number; field: string; message?: unknown }>) => {
      const before = await countPledges();
      const dry = await post(csv, 'dryRun=true');
      expect(dry.status).toBe(200);
      expect(dry.body.errors).toEqual(errors.map((e) => ({ message: expect.any(String), ...e })));
      const real = await post(csv);
      expect(real.status).toBe(422);
      expect(real.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', created: 0 });
      expect(real.body.details).toHaveLength(errors.length);
      expect(await countPledges()).toBe(before);
      return real.body;
    };

    it('one bad row among good ones imports nothing, and every error is listed', async () => {
      const body = await expectRefused(
        [
          HEADER,
          `BAD-1,${donorName},Fine row,cash,100.00,USD,,,,,,,,direct,,,,,,`,
          `BAD-2,Nobody At All,Unknown donor,cash,100.00,USD,,,,,,,,direct,,,,,,`,
          `BAD-3,${donorName},Unknown currency,cash,100.00,XYZ,,,,,,,,direct,,,,,,`,
          `BAD-4,${donorName},Too many decimals,cash,100.001,USD,,,,,,,,direct,,,,,,`,
          `BAD-1,${donorName},Duplicate ref,cash,100.00,USD,,,,,,,,direct,,,,,,`,
          `BAD-6,${donorName},Bad date and priority,cash,100.00,USD,,,,,2024-02-30,,,direct,,,P99,,,`,
          `BAD-7,${donorName},No rate for this date,cash,100.00,EUR,,,,,2001-01-01,,,direct,,,,,,`,
          `BAD-8,${donorName},Cash with dogs,cash,100.00,USD,3,dogs,,,,,,direct,,,,,,`,
          `,${donorName},No reference,cash,100.00,USD,,,,,,,,direct,,,,,,`,
        ].join('\n'),
        [
          {
            row: 3,
            field: 'donor',
            message:
              'there is no donor named "Nobody At All": add the donor first, correct the name, or ask for missing donors to be created (createDonors=true)',
          },
          { row: 4, field: 'currency', message: 'currency must be an ISO 4217 code in upper case, such as USD, EUR or AZN' },
          { row: 5, field: 'amount', message: 'amount has 3 decimals but USD has 2' },
          { row: 6, field: 'externalRef', message: 'externalRef "BAD-1" is already used on row 2 of this file' },
          { row: 7, field: 'pledgedOn', message: 'pledgedOn must be a real date written YYYY-MM-DD' },
          { row: 8, field: 'currency', message: 'no EUR/USD rate on or before 2001-01-01: import or enter one first' },
          { row: 9, field: 'inKindQuantity' },
          { row: 9, field: 'inKindUnit' },
          { row: 10, field: 'externalRef' },
        ],
      );
      expect(body.message).toContain('row 3, donor');
    });

    it('receipt and delivery rows: checked against their pledge in the file with the rules of POST /api/pledges/:id/disbursements', async () => {
      const receiptsBefore = await t.dataSource.getRepository(DisbursementEntity).count();
      await expectRefused(
        [
          `${FULL_HEADER}`,
          line({
            externalRef: 'RC-1',
            recordKind: 'pledge',
            donor: donorName,
            title: 'Cash',
            kind: 'cash',
            amount: '100.00',
            currency: 'USD',
            channel: 'direct',
          }),
          line({ externalRef: 'RC-1', recordKind: 'receipt', amount: '60.00', currency: 'USD', receivedOn: '2024-11-01' }),
          line({ externalRef: 'RC-1', recordKind: 'receipt', amount: '50.00', currency: 'USD', receivedOn: '2024-11-02' }),
          line({ externalRef: 'RC-2', recordKind: 'receipt', amount: '1.00', currency: 'USD', receivedOn: '2024-11-02' }),
          line({
            externalRef: 'RC-3',
            donor: donorName,
            title: 'Dogs',
            kind: 'in_kind',
            inKindQuantity: '4',
            inKindUnit: 'dogs',
            inKindUpTo: 'false',
            channel: 'direct',
          }),
          line({ externalRef: 'RC-3', recordKind: 'receipt', receivedOn: '2024-11-02', receivedQuantity: '2' }),
          line({
            externalRef: 'RC-3',
            recordKind: 'delivery',
            title: 'Title on a delivery',
            receivedOn: '2999-01-01',
            receivedOnBasis: 'maybe',
            receivedQuantity: '2',
          }),
          line({ externalRef: 'RC-1', recordKind: 'refund', amount: '1.00', currency: 'USD', receivedOn: '2024-11-02' }),
        ].join('\n'),
        [
          { row: 4, field: 'amount', message: expect.stringContaining('is more than the 40.00 USD balance still to receive') },
          { row: 5, field: 'externalRef', message: 'no pledge row of this file has externalRef "RC-2": a receipt row is imported with its pledge\'s row' },
          { row: 7, field: 'recordKind', message: 'an in-kind pledge takes delivery rows, not receipt rows' },
          { row: 8, field: 'title', message: "a delivery row leaves title empty: it belongs on the pledge's row" },
          { row: 8, field: 'receivedOn' },
          { row: 8, field: 'receivedOnBasis', message: 'receivedOnBasis must be exact or on_or_before' },
          { row: 9, field: 'recordKind', message: 'recordKind must be one of pledge, receipt, delivery, instalment (empty means pledge)' },
        ],
      );
      expect(await t.dataSource.getRepository(DisbursementEntity).count()).toBe(receiptsBefore);
    });

    it('a deactivated donor is refused by row and column; a missing one only with createDonors, and then it needs a donorType', async () => {
      const retired = 'Retired Import Donor';
      const retiredId = await makeDonor(t, { name: retired });
      expect((await t.http.patch(`/api/donors/${retiredId}`).set('authorization', auth.authorization).send({ active: false })).status).toBe(200);
      const csv = [
        FULL_HEADER,
        line({
          externalRef: 'DA-1',
          recordKind: 'pledge',
          donor: retired,
          title: 'To a retired donor',
          kind: 'cash',
          amount: '100.00',
          currency: 'USD',
          channel: 'direct',
        }),
        line({
          externalRef: 'DA-2',
          recordKind: 'pledge',
          donor: 'Brand New Donor',
          title: 'No type',
          kind: 'cash',
          amount: '100.00',
          currency: 'USD',
          channel: 'direct',
        }),
        line({
          externalRef: 'DA-3',
          recordKind: 'pledge',
          donor: 'Another New Donor',
          donorType: 'charity',
          donorCountryCode: 'XX1',
          title: 'Bad type',
          kind: 'cash',
          amount: '100.00',
          currency: 'USD',
          channel: 'direct',
        }),
      ].join('\n');
      const donorsBefore = await t.dataSource.getRepository(DonorEntity).count();
      await expectRefused(csv, [
        { row: 2, field: 'donor', message: `donor "${retired}" is deactivated and takes no new pledges: reactivate it on its page, or correct the name` },
        { row: 3, field: 'donor', message: expect.stringContaining('there is no donor named "Brand New Donor"') },
        { row: 4, field: 'donor', message: expect.stringContaining('there is no donor named "Another New Donor"') },
      ]);
      const asked = await post(csv, 'dryRun=false&createDonors=true');
      expect(asked.status).toBe(422);
      expect(asked.body.errors).toEqual([
        { row: 2, field: 'donor', message: expect.stringContaining('is deactivated') },
        {
          row: 3,
          field: 'donorType',
          message: 'donorType is needed to create donor "Brand New Donor": one of government, multilateral, ngo, foundation, private',
        },
        { row: 4, field: 'donorType', message: 'type must be one of government, multilateral, ngo, foundation, private' },
        { row: 4, field: 'donorCountryCode', message: expect.any(String) },
      ]);
      expect(await t.dataSource.getRepository(DonorEntity).count()).toBe(donorsBefore);
      // Fixed, the same file creates the donor it names once, and the pledges of both rows go to it.
      const fixed = [
        FULL_HEADER,
        line({
          externalRef: 'DA-2',
          recordKind: 'pledge',
          donor: 'Brand New Donor',
          donorType: 'ngo',
          donorCountryCode: 'DK',
          title: 'One',
          kind: 'cash',
          amount: '100.00',
          currency: 'USD',
          channel: 'direct',
        }),
        line({
          externalRef: 'DA-3',
          recordKind: 'pledge',
          donor: 'Brand New Donor',
          title: 'Two',
          kind: 'cash',
          amount: '100.00',
          currency: 'USD',
          channel: 'direct',
        }),
        line({ externalRef: 'DA-3', recordKind: 'receipt', donor: 'Brand New Donor', amount: '100.00', currency: 'USD', receivedOn: '2024-11-02' }),
      ].join('\n');
      const dry = await post(fixed, 'dryRun=true&createDonors=true');
      expect(dry.body).toMatchObject({
        toCreate: 2,
        receiptsToCreate: 1,
        donorsToCreate: [{ name: 'Brand New Donor', type: 'ngo', countryCode: 'DK', row: 2 }],
        errors: [],
      });
      const done = await post(fixed, 'dryRun=false&createDonors=true');
      expect(done.body).toMatchObject({ created: 2, receiptsCreated: 1, donorsCreated: 1, errors: [] });
      const made = await t.dataSource.getRepository(DonorEntity).findOneByOrFail({ name: 'Brand New Donor' });
      expect(made).toMatchObject({ type: 'ngo', countryCode: 'DK', active: true, source: expect.stringContaining('Pledges CSV import') });
      const pledges = await t.dataSource.getRepository(PledgeEntity).findBy({ donorId: made.id });
      expect(pledges.map((p) => p.externalRef).sort()).toEqual(['DA-2', 'DA-3']);
      expect(pledges.find((p) => p.externalRef === 'DA-3')?.disbursedMinor).toBe(10000n);
      const audit = await t.dataSource.getRepository(AuditEntryEntity).findOneByOrFail({ action: 'donor.create', entityId: String(made.id) });
      expect(audit.actorId).toBeTruthy();
    });

    it('a cancelled pledge: imported with its receipts, then cancelled at the time and for the reason the file gives; it exports the same', async () => {
      const cancelledAt = '2025-05-03T09:30:00.000Z';
      const bad = [
        FULL_HEADER,
        line({
          externalRef: 'CX-1',
          donor: donorName,
          title: 'Withdrawn',
          kind: 'cash',
          amount: '100.00',
          currency: 'USD',
          channel: 'direct',
          cancelledAt: '3 May 2025',
          cancelReason: 'no',
        }),
        line({
          externalRef: 'CX-2',
          donor: donorName,
          title: 'Half a cancellation',
          kind: 'cash',
          amount: '100.00',
          currency: 'USD',
          channel: 'direct',
          cancelReason: 'Donor letter of 3 May',
        }),
      ].join('\n');
      await expectRefused(bad, [
        { row: 2, field: 'cancelledAt' },
        { row: 2, field: 'cancelReason' },
        { row: 3, field: 'cancelledAt' },
      ]);
      const good = [
        FULL_HEADER,
        line({
          externalRef: 'CX-3',
          donor: donorName,
          title: 'Withdrawn after a first payment',
          kind: 'cash',
          amount: '100.00',
          currency: 'USD',
          channel: 'direct',
          cancelledAt,
          cancelReason: 'Donor letter of 3 May 2025 withdraws the rest',
        }),
        line({ externalRef: 'CX-3', recordKind: 'receipt', amount: '40.00', currency: 'USD', receivedOn: '2024-11-04' }),
      ].join('\n');
      expect((await post(good, 'dryRun=true')).body).toMatchObject({ toCreate: 1, receiptsToCreate: 1, cancelled: 1, errors: [] });
      expect((await post(good)).body).toMatchObject({ created: 1, receiptsCreated: 1, cancelled: 1, errors: [] });
      const pledge = await t.dataSource.getRepository(PledgeEntity).findOneByOrFail({ externalRef: 'CX-3' });
      expect(pledge.cancelReason).toBe('Donor letter of 3 May 2025 withdraws the rest');
      expect(new Date(pledge.cancelledAt as Date).toISOString()).toBe(cancelledAt);
      expect(pledge.disbursedMinor).toBe(4000n);
      const exported = await t.http.get('/api/export/pledges.csv').set('authorization', auth.authorization);
      const row = exported.text.split('\r\n').find((l) => l.startsWith('CX-3,pledge,')) as string;
      expect(row).toContain(`,${cancelledAt},Donor letter of 3 May 2025 withdraws the rest,`);
    });

    it('a priority code that does not exist', async () => {
      await expectRefused(`${HEADER}\nPRI-1,${donorName},Earmarked,cash,100.00,USD,,,,,,,,direct,,,P01;P99,,,`, [
        { row: 2, field: 'priorityCodes', message: 'unknown priority code(s): P99' },
      ]);
    });

    it('semicolon-separated file', async () => {
      await expectRefused(HEADER.replace(/,/g, ';') + `\nX;${donorName};t;cash`, [
        { row: 1, field: 'header', message: 'the columns are separated by semicolons: save the file as comma-separated CSV' },
      ]);
    });

    it('no header row', async () => {
      await expectRefused(`IMP-9,${donorName},No header,cash,100.00,USD,,,,,,,,direct,,,,,,`, [{ row: 1, field: 'header' }]);
    });

    it('a quote left open', async () => {
      await expectRefused(`${HEADER}\nQ-1,${donorName},"Never closed,cash,100.00,USD,,,,,,,,direct,,,,,,\nQ-2,x`, [
        { row: 2, field: 'column 3', message: 'a quoted cell opened on row 2, column 3 is never closed' },
      ]);
    });

    it('an empty file, and a header without rows', async () => {
      await expectRefused('', [{ row: 1, field: 'file', message: 'the file is empty: it needs a header row and at least one data row' }]);
      await expectRefused(`${HEADER}\r\n`, [{ row: 2, field: 'file', message: 'the file has a header but no data rows' }]);
    });

    it('text that is not UTF-8 (a Windows-1252 export)', async () => {
      const latin1 = Buffer.concat([
        Buffer.from(`${HEADER}\nW-1,${donorName},Po`),
        Buffer.from([0xfe]),
        Buffer.from('ega dogs,cash,1.00,USD,,,,,,,,direct,,,,,,'),
      ]);
      await expectRefused(latin1, [{ row: 2, field: 'character 31' }]);
    });

    it('a row with a missing cell, and an unknown column', async () => {
      await expectRefused(`${HEADER}\nM-1,${donorName},Short row,cash,100.00,USD`, [
        { row: 2, field: 'row', message: 'row 2 has 6 cells but the header has 20: check for a stray comma or an unquoted line break' },
      ]);
      await expectRefused(`${HEADER},colour\nM-2,${donorName},x,cash,100.00,USD,,,,,,,,direct,,,,,,,red`, [{ row: 1, field: 'column 21' }]);
    });

    it('a file over 50 MB is refused with 413 before it is read', async () => {
      const before = await countPledges();
      const huge = `${HEADER}\n` + `H-0,${donorName},${'x'.repeat(280)},cash,1.00,USD,,,,,,,,direct,,,,,,\n`.repeat(180_000);
      expect(Buffer.byteLength(huge)).toBeGreaterThan(50 * 1024 * 1024);
      const res = await post(huge);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await countPledges()).toBe(before);
    });
  });

  describe("planned instalments (recordKind instalment, keyed by the pledge's externalRef)", () => {
    const pledgeRow = (ref: string, cells: Record<string, string> = {}) =>
      line({
        externalRef: ref,
        recordKind: 'pledge',
        donor: donorName,
        title: `Scheduled ${ref}`,
        kind: 'cash',
        amount: '1000.00',
        currency: 'USD',
        channel: 'direct',
        ...cells,
      });
    const instalment = (ref: string, cells: Record<string, string>) => line({ externalRef: ref, recordKind: 'instalment', ...cells });

    it("a dry run names every row that does not fit, with the API's rule and message; nothing is written", async () => {
      const instalmentsBefore = await t.dataSource.getRepository(InstalmentEntity).count();
      const pledgesBefore = await countPledges();
      const csv = [
        FULL_HEADER,
        pledgeRow('IN-1'),
        instalment('IN-1', { dueOn: '2025-03-31', amount: '600.00' }),
        instalment('IN-1', { dueOn: '2025-06-30', amount: '300.00' }),
        // 600 + 300 are planned: 100.00 USD is left, so 200.00 does not fit (the API's words).
        instalment('IN-1', { dueOn: '2025-09-30', amount: '200.00' }),
        pledgeRow('IN-2', { kind: 'in_kind', amount: '', currency: '', inKindQuantity: '4', inKindUnit: 'dogs' }),
        instalment('IN-2', { dueOn: '2025-03-31', amount: '2.00' }),
        instalment('IN-2', { dueOn: '2025-03-31', inKindQuantity: '5' }),
        instalment('IN-9', { dueOn: '2025-03-31', amount: '1.00' }),
        instalment('IN-1', { dueOn: '2025-02-30', amount: '1.00', receivedOn: '2025-01-01' }),
      ].join('\n');
      const dry = await post(csv, 'dryRun=true');
      expect(dry.status).toBe(200);
      expect(dry.body.errors).toEqual([
        { row: 5, field: 'amount', message: 'the schedule may not add up to more than the pledge: 100.00 USD is left unscheduled' },
        { row: 7, field: 'amount', message: 'an in-kind pledge plans instalments as a quantity, not an amount' },
        { row: 8, field: 'inKindQuantity', message: 'the schedule may not add up to more than the pledge: 4 dogs is left unscheduled' },
        { row: 9, field: 'externalRef', message: 'no pledge row of this file has externalRef "IN-9": an instalment row is imported with its pledge\'s row' },
        { row: 10, field: 'receivedOn', message: expect.stringContaining('leaves receivedOn empty') },
        { row: 10, field: 'dueOn', message: expect.stringContaining('dueOn') },
      ]);
      const real = await post(csv);
      expect(real.status).toBe(422);
      expect(real.body.details).toHaveLength(6);
      expect(await countPledges()).toBe(pledgesBefore);
      expect(await t.dataSource.getRepository(InstalmentEntity).count()).toBe(instalmentsBefore);
    });

    it('imports a schedule with its pledge (cash and in kind), once: a second import skips the rows', async () => {
      const csv = [
        FULL_HEADER,
        pledgeRow('INS-1'),
        instalment('INS-1', { dueOn: '2025-06-30', amount: '400.00' }),
        instalment('INS-1', { dueOn: '2025-03-31', amount: '600.00' }),
        pledgeRow('INS-2', { kind: 'in_kind', amount: '', currency: '', inKindQuantity: '4', inKindUnit: 'dogs' }),
        instalment('INS-2', { dueOn: '2025-03-31', inKindQuantity: '4' }),
      ].join('\n');
      const dry = await post(csv, 'dryRun=true');
      expect(dry.body).toMatchObject({ errors: [], toCreate: 2, instalmentsToCreate: 3, instalmentsSkipped: 0 });
      const res = await post(csv);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ errors: [], created: 2, instalmentsCreated: 3 });
      const ids = await t.dataSource.getRepository(PledgeEntity).find({ where: [{ externalRef: 'INS-1' }, { externalRef: 'INS-2' }] });
      const scheduleOf = async (ref: string) =>
        (await t.http.get(`/api/pledges/${ids.find((p) => p.externalRef === ref)?.id}`).set('authorization', `Bearer ${t.adminToken}`)).body.instalments;
      expect((await scheduleOf('INS-1')).map((i: { dueOn: string; amount: { amount: string } }) => [i.dueOn, i.amount.amount])).toEqual([
        ['2025-03-31', '600.00'],
        ['2025-06-30', '400.00'],
      ]);
      expect((await scheduleOf('INS-2')).map((i: { dueOn: string; quantity: number }) => [i.dueOn, i.quantity])).toEqual([['2025-03-31', 4]]);
      const audit = await t.dataSource.getRepository(AuditEntryEntity).findOne({ where: { action: 'pledge.import' }, order: { id: 'DESC' } });
      expect(audit?.after).toMatchObject({ instalmentsCreated: 3 });
      const again = await post(csv);
      expect(again.body).toMatchObject({ errors: [], created: 0, skipped: 2, instalmentsCreated: 0, instalmentsSkipped: 3 });
    });
  });

  it('accepts a BOM and CRLF line ends', async () => {
    const res = await post(`\uFEFF${HEADER}\r\nBOM-1,${donorName},With a BOM,cash,10.00,USD,,,,,,,,direct,,,,,,\r\n`);
    expect(res.body).toMatchObject({ created: 1, errors: [] });
  });

  it('undoes the export’s formula escaping, so an escaped title comes back as typed', async () => {
    const res = await post(`${HEADER}\nF-1,${donorName},'=HYPERLINK(1),cash,10.00,USD,,,,,,,,direct,,,,,,`);
    expect(res.body.errors).toEqual([]);
    const row = await t.dataSource.getRepository(PledgeEntity).findOneByOrFail({ externalRef: 'F-1' });
    expect(row.title).toBe('=HYPERLINK(1)');
  });

  it('needs a desk officer or admin; the template is downloadable', async () => {
    const leadership = await t.tokenFor('leadership');
    const refused = await post(good, 'dryRun=true', { authorization: `Bearer ${leadership}`, 'content-type': 'text/csv' });
    expect(refused.status).toBe(403);
    const template = await t.http.get('/api/import/pledges/template.csv').set('authorization', `Bearer ${leadership}`);
    expect(template.status).toBe(200);
    expect(template.text.split('\r\n')[0]).toBe(TEMPLATE_HEADER);
    // Its donor is made up: as it is, the template creates nothing already in the ledger, and nothing at all unless asked to create the donor.
    const asIs = await post(template.text, 'dryRun=true');
    expect(asIs.body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [2, 'donor'],
      [4, 'donor'],
    ]);
    const created = await post(template.text, 'dryRun=true&createDonors=true');
    expect(created.body).toMatchObject({ rows: 4, toCreate: 2, receiptsToCreate: 2, errors: [] });
    expect(created.body.donorsToCreate).toEqual([
      { name: 'Example donor (replace with the name on its donor page)', type: 'government', countryCode: 'HR', row: 2 },
    ]);
    const check = await post(template.text.replaceAll('Example donor (replace with the name on its donor page)', donorName), 'dryRun=true');
    expect(check.body).toMatchObject({ rows: 4, toCreate: 2, receiptsToCreate: 2, donorsToCreate: [], errors: [] });
  });
});
