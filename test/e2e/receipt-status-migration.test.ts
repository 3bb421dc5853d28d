import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { todayUtc } from '../../src/common/dates';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { ReceiptStatusAndSourceCorrections1733200000000 } from '../../src/database/migrations/1733200000000-receipt-status-and-source-corrections';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** The report's data as the seed writes it now: what a migrated database must end up saying too. */
const SEED = JSON.parse(readFileSync(join(process.cwd(), 'seeds', 'report-2025-q1.json'), 'utf8')) as {
  sources: Record<string, string>;
  priorities: Array<{ code: string; title: string; description: string }>;
  pledges: Array<Record<string, unknown> & { ref: string }>;
};
const SOURCE_002 = `002: ${SEED.sources['002']}`;
const seedPledge = (ref: string) => SEED.pledges.find((p) => p.ref === ref) as Record<string, unknown>;

/** What the first seed (before this migration) wrote: the texts these corrections replace. */
const FIRST_SEED = {
  priorities: [
    ['P01', 'Direct financial donations', 'Unearmarked money for the clearance operations of ANAMA and operators; the report names it the most critical need.'],
    ['P02', 'Mine Victim Assistance', 'Medical care, prostheses, psychological support and social and economic reintegration of mine victims.'],
    ['P03', 'Technical Surveys and Feasibility Studies', 'Technical and non-technical survey to define hazardous areas and release land.'],
    ['P04', 'Data Management and Technological Advancements', 'Geo-spatial methods, information management and tasking.'],
    ['P05', 'Support for Female Demining Teams', 'Training, equipment and deployment of female deminers.'],
    ['P06', 'Mechanical Demining Enhancement', 'Machines for uneven terrain and armoured machinery.'],
    ['P07', 'Mine Detection Dogs (MDD) Training', 'Mine detection dogs and the training of dogs and handlers.'],
    ['P08', 'Explosive Containment Chambers', 'Chambers for the safe containment and disposal of explosive items.'],
    ['P09', 'Explosive Materials Transportation Vehicles', 'Vehicles for the safe transport of explosive materials.'],
    ['P10', 'Ground Penetrating Radar (GPR) mounted on drones', 'Drone-mounted GPR with logging and mapping software.'],
    ['P11', 'Demarcation and Fencing', 'Marking and fencing of hazardous areas.'],
    ['P12', 'Explosive Ordnance Risk Education (EORE)', 'Risk education for affected communities and returning IDPs.'],
  ],
  mliTitle: 'Mine detection dogs under the ANAMA-MLI Memorandum of Understanding (up to 30 during 2025-2026)',
  mliNotes:
    'The report says 12 trained dogs have been delivered under the MoU and that MLI pledged up to 30 during 2025-2026; it does not say whether the 12 are part of the 30. Recorded as one pledge of up to 30 with 12 delivered; 2025 is the 20th year of ANAMA-MLI cooperation.',
  deliveryNotes: "Delivered by the report's date; no delivery date given.",
  italyNotes: '"Italy also pledged to allocate 1.5 million Euros": no date, no channel or priority stated.',
};

/** An officer's changes made after the first seed, which the migration must leave as they are. */
interface OfficerEdits {
  italyChannel?: boolean;
  mliTitle?: boolean;
  p10Title?: boolean;
  p02Description?: boolean;
}

const MIGRATED = MIGRATIONS.indexOf(ReceiptStatusAndSourceCorrections1733200000000);

/**
 * A database at the schema just before this migration, holding the first seed's rows for the
 * priorities, Italy and MLI (raw SQL, as that seed wrote them), plus any officer edits.
 */
async function databaseSeededTheOldWay(edits: OfficerEdits): Promise<{ db: TestDatabase; ids: Record<string, number> }> {
  const db = await createTestDatabase();
  const config = loadConfig({ ...db.env, BOOTSTRAP_ADMIN_EMAIL: 'admin@test.local', BOOTSTRAP_ADMIN_PASSWORD: 'admin-password-1', SEED: 'false' });
  const ds = new DataSource({ ...dataSourceOptions(config), migrations: MIGRATIONS.slice(0, MIGRATED) });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const pg = ds.options.type === 'postgres';
    const q = (sql: string, params: unknown[] = []) => {
      let n = 0;
      return ds.query<Array<{ id: number | string }>>(pg ? sql.replace(/\?/g, () => `$${++n}`) : sql, params);
    };
    const id = async (sql: string, params: unknown[]) => Number((await q(`${sql} RETURNING id`, params))[0].id);
    for (const [rank, [code, title, description]] of FIRST_SEED.priorities.entries()) {
      await q('INSERT INTO priorities (code, rank, title, description, source) VALUES (?, ?, ?, ?, ?)', [code, rank + 1, title, description, SOURCE_002]);
    }
    const donor = (name: string, type: string, country: string) =>
      id('INSERT INTO donors (name, type, country_code, source) VALUES (?, ?, ?, ?)', [name, type, country, SOURCE_002]);
    const mliDonor = await donor('Marshall Legacy Institute', 'ngo', 'US');
    const italyDonor = await donor('Italy', 'government', 'IT');
    const italy = await id(
      `INSERT INTO pledges (donor_id, title, kind, amount_minor, currency, in_kind_quantity_is_maximum, source_date, commitment, channel, instrument, source, notes, external_ref)
       VALUES (?, 'Financing of programmes in support of demining', 'cash', 150000000, 'EUR', FALSE, '2025-03-31', 'announced', 'direct', 'Pledge', ?, ?, 'seed:002:italy-pledge')`,
      [italyDonor, SOURCE_002, FIRST_SEED.italyNotes],
    );
    const mli = await id(
      `INSERT INTO pledges (donor_id, title, kind, in_kind_quantity, in_kind_unit, in_kind_quantity_is_maximum, source_date, commitment, channel, channel_name, instrument,
                            source, notes, external_ref, delivered_quantity)
       VALUES (?, ?, 'in_kind', 30, 'mine detection dogs', TRUE, '2025-03-31', 'committed', 'ngo', 'Marshall Legacy Institute', 'Memorandum of Understanding',
               ?, ?, 'seed:002:mli-mdd-2025-2026', 12)`,
      [mliDonor, FIRST_SEED.mliTitle, SOURCE_002, FIRST_SEED.mliNotes],
    );
    await q(`INSERT INTO pledge_priorities (pledge_id, priority_code) VALUES (?, 'P07')`, [mli]);
    const delivery = await id(
      `INSERT INTO disbursements (pledge_id, quantity, received_on, received_on_basis, source, notes) VALUES (?, 12, '2025-03-31', 'on_or_before', ?, ?)`,
      [mli, SOURCE_002, FIRST_SEED.deliveryNotes],
    );
    if (edits.italyChannel) await q(`UPDATE pledges SET channel = 'un_agency', channel_name = 'UNDP' WHERE id = ?`, [italy]);
    if (edits.mliTitle) await q(`UPDATE pledges SET title = 'MLI dogs (officer wording)' WHERE id = ?`, [mli]);
    if (edits.p10Title) await q(`UPDATE priorities SET title = 'GPR on drones (officer wording)' WHERE code = 'P10'`);
    if (edits.p02Description) await q(`UPDATE priorities SET description = 'Officer wording' WHERE code = 'P02'`);
    return { db, ids: { italy, mli, delivery, mliDonor } };
  } finally {
    await ds.destroy();
  }
}

describe(`migration 1733200000000: receipt status and the seeded records corrected to the sources (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp | undefined;
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await t?.close();
    await db?.drop();
    t = db = undefined;
  });

  /** Starts the app on the old database: it applies the pending migration, as a deployment does. */
  async function migrate(edits: OfficerEdits) {
    const old = await databaseSeededTheOldWay(edits);
    db = old.db;
    t = await createTestApp({ database: db });
    const app = t;
    const auth = { authorization: `Bearer ${app.adminToken}` };
    const pledges = (await app.http.get('/api/pledges?limit=50').set(auth)).body.items as Array<{ id: number; externalRef: string }>;
    const byRef = async (ref: string) => {
      const found = pledges.find((p) => p.externalRef === ref);
      if (!found) return undefined;
      const res = await app.http.get(`/api/pledges/${found.id}?currency=EUR`).set(auth);
      expect(res.status).toBe(200);
      return res.body;
    };
    const priorities = (await app.http.get('/api/priorities').set(auth)).body as Array<{ code: string; title: string; description: string }>;
    const audit = async (entityType: string) =>
      app.dataSource.query<Array<Record<string, string | number | null>>>(
        `SELECT actor_id, actor_email, action, entity_id, "before", "after", reason FROM audit_log WHERE entity_type = '${entityType}' ORDER BY id`,
      );
    return { app, auth, ids: old.ids, pledges, byRef, priorities, audit };
  }

  it('splits MLI into the 12 delivered under the MoU and up to 30 still to come, as the seed now says', async () => {
    const { ids, pledges, byRef, audit } = await migrate({});
    expect(pledges).toHaveLength(3);
    const mou = await byRef('seed:002:mli-mdd-mou');
    const thirty = await byRef('seed:002:mli-mdd-2025-2026');
    const seededMou = seedPledge('seed:002:mli-mdd-mou');
    const seededThirty = seedPledge('seed:002:mli-mdd-2025-2026');

    expect(mou).toMatchObject({
      donorId: ids.mliDonor,
      title: seededMou.title,
      notes: seededMou.notes,
      kind: 'in_kind',
      inKind: { quantity: 12, unit: 'mine detection dogs', upTo: false, value: null },
      pledgedOn: null,
      sourceDate: '2025-03-31',
      commitment: 'committed',
      channel: 'ngo',
      channelName: 'Marshall Legacy Institute',
      instrument: 'Memorandum of Understanding',
      source: SOURCE_002,
      priorityCodes: ['P07'],
      deliveredQuantity: 12,
      status: 'fully_disbursed',
      receiptExpectation: 'not_documented',
      receiptDueOn: null,
      receiptStatus: 'received',
      outstandingQuantity: 0,
      notDocumentedQuantity: 0,
    });
    // The seeded delivery itself moved, with its date and basis.
    expect(mou.disbursements).toEqual([expect.objectContaining({ id: ids.delivery, quantity: 12, receivedOn: '2025-03-31', receivedOnBasis: 'on_or_before' })]);
    expect(mou.createdAt).toBe(thirty.createdAt);

    const stillDue = todayUtc() <= '2026-12-31';
    expect(thirty).toMatchObject({
      id: ids.mli,
      title: seededThirty.title,
      notes: seededThirty.notes,
      instrument: seededThirty.instrument,
      inKind: { quantity: 30, unit: 'mine detection dogs', upTo: true },
      deliveredQuantity: 0,
      status: 'committed',
      receiptDueOn: '2026-12-31',
      receiptStatus: stillDue ? 'not_documented' : 'outstanding',
      notDocumentedQuantity: stillDue ? 30 : 0,
      outstandingQuantity: stillDue ? 0 : 30,
      disbursements: [],
    });
    expect(seededThirty).toMatchObject({ receiptDueOn: thirty.receiptDueOn, inKind: { quantity: 30, upTo: true } });

    // Each correction says why, as the system, on the record it changed.
    expect(mou.history).toEqual([expect.objectContaining({ action: 'pledge.source_correction', actorEmail: 'system', before: null })]);
    expect(mou.history[0].reason).toMatch(/booked the 12 against the 30/);
    expect(thirty.history).toEqual([
      expect.objectContaining({
        action: 'pledge.source_correction',
        actorEmail: 'system',
        before: expect.objectContaining({ title: FIRST_SEED.mliTitle, deliveredQuantity: 12, receiptDueOn: null }),
        after: expect.objectContaining({ title: seededThirty.title, deliveredQuantity: 0, receiptDueOn: '2026-12-31' }),
      }),
    ]);
    const moved = await audit('disbursement');
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ actor_id: null, actor_email: 'system', action: 'disbursement.source_correction', entity_id: String(ids.delivery) });
    expect(JSON.parse(String(moved[0].before))).toEqual({ pledgeId: ids.mli });
    expect(JSON.parse(String(moved[0].after))).toEqual({ pledgeId: mou.id });
  });

  it('leaves Italy’s channel unstated and its receipt not documented, and puts the priorities in the report’s words', async () => {
    const { byRef, priorities, audit } = await migrate({});
    const italy = await byRef('seed:002:italy-pledge');
    expect(seedPledge('seed:002:italy-pledge')).toMatchObject({ channel: null, channelName: null });
    expect(italy).toMatchObject({
      channel: null,
      channelName: null,
      receiptExpectation: 'not_documented',
      receiptStatus: 'not_documented',
      received: { amount: '0.00', currency: 'EUR' },
      outstanding: { amount: '0.00', currency: 'EUR' },
      receiptNotDocumented: { amount: '1500000.00', currency: 'EUR' },
    });
    expect(italy.history).toEqual([
      expect.objectContaining({ action: 'pledge.source_correction', actorEmail: 'system', before: { channel: 'direct' }, after: { channel: null } }),
    ]);

    expect(priorities.map((p) => [p.code, p.title, p.description])).toEqual(SEED.priorities.map((p) => [p.code, p.title, p.description]));
    expect(priorities.find((p) => p.code === 'P10')?.title).toBe('Ground Penetrating Radar (GPR)');
    const corrections = await audit('priority');
    expect(corrections).toHaveLength(12);
    expect(corrections.find((c) => c.entity_id === 'P10')).toMatchObject({ action: 'priority.source_correction', actor_email: 'system' });
    expect(JSON.parse(String(corrections.find((c) => c.entity_id === 'P10')?.after))).toEqual({
      title: 'Ground Penetrating Radar (GPR)',
      description: 'Mounted on a drone with data logging and mapping software integrated for detection of deep buried minimum metallic mines.',
    });
    // P07's title was already the report's: only its description changed.
    expect(Object.keys(JSON.parse(String(corrections.find((c) => c.entity_id === 'P07')?.after)))).toEqual(['description']);
  });

  it('leaves alone every record an officer changed after the seed, and corrects the rest', async () => {
    const { ids, pledges, byRef, priorities, audit } = await migrate({ italyChannel: true, mliTitle: true, p10Title: true, p02Description: true });
    expect(pledges).toHaveLength(2);
    expect(await byRef('seed:002:mli-mdd-mou')).toBeUndefined();
    const mli = await byRef('seed:002:mli-mdd-2025-2026');
    expect(mli).toMatchObject({ title: 'MLI dogs (officer wording)', deliveredQuantity: 12, receiptDueOn: null, history: [] });
    expect(mli.disbursements).toEqual([expect.objectContaining({ id: ids.delivery })]);
    expect(await byRef('seed:002:italy-pledge')).toMatchObject({ channel: 'un_agency', channelName: 'UNDP', history: [] });
    expect(await audit('disbursement')).toEqual([]);

    const byCode = new Map(priorities.map((p) => [p.code, p]));
    const seeded = new Map(SEED.priorities.map((p) => [p.code, p]));
    expect(byCode.get('P10')).toMatchObject({ title: 'GPR on drones (officer wording)', description: seeded.get('P10')?.description });
    expect(byCode.get('P02')).toMatchObject({ title: 'Mine Victim Assistance', description: 'Officer wording' });
    expect(byCode.get('P01')).toMatchObject({ description: seeded.get('P01')?.description });
    // P02 has nothing left to correct: its title was the report's already.
    expect((await audit('priority')).map((c) => c.entity_id)).toEqual(['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'P09', 'P10', 'P11', 'P12']);
  });

  it('reverts only once every pledge has a channel, keeps its corrections, and corrects nothing twice when run again', async () => {
    const { app, ids, audit } = await migrate({});
    const countAudit = async () => (await audit('pledge')).length + (await audit('disbursement')).length + (await audit('priority')).length;
    const corrections = await countAudit();
    // Later migrations are undone first, down to this one.
    const later = MIGRATIONS.length - 1 - MIGRATIONS.indexOf(ReceiptStatusAndSourceCorrections1733200000000);
    for (let i = 0; i < later; i++) await app.dataSource.undoLastMigration({ transaction: 'each' });
    await expect(app.dataSource.undoLastMigration({ transaction: 'each' })).rejects.toThrow(/1 pledge\(s\) have no channel/);
    await app.dataSource.query(`UPDATE pledges SET channel = 'other' WHERE id = ${ids.italy}`);
    await app.dataSource.undoLastMigration({ transaction: 'each' });
    const columns = async () =>
      (app.dataSource.options.type === 'postgres'
        ? await app.dataSource.query<Array<{ name: string }>>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'pledges'`)
        : await app.dataSource.query<Array<{ name: string }>>(`SELECT name FROM pragma_table_info('pledges')`)
      ).map((c) => c.name);
    expect(await columns()).not.toContain('receipt_expectation');

    expect(await app.dataSource.runMigrations({ transaction: 'each' })).toHaveLength(1 + later);
    expect(await columns()).toEqual(expect.arrayContaining(['receipt_expectation', 'receipt_due_on']));
    expect(await countAudit()).toBe(corrections);
    const [{ n }] = await app.dataSource.query<Array<{ n: number | string }>>(`SELECT COUNT(*) AS n FROM pledges WHERE external_ref = 'seed:002:mli-mdd-mou'`);
    expect(Number(n)).toBe(1);
  });

  it('keeps the pledges table whole: ids continue, references, uniqueness and indexes hold, and a pledge may have no channel', async () => {
    const { app, auth, pledges } = await migrate({});
    const highest = Math.max(...pledges.map((p) => p.id));
    const donorId = (await app.http.post('/api/donors').set(auth).send({ name: 'After the migration', type: 'government' })).body.id;
    const created = await app.http
      .post('/api/pledges')
      .set(auth)
      .send({
        donorId,
        title: 'Pledge with no channel stated',
        kind: 'in_kind',
        inKind: { quantity: 2, unit: 'machines' },
        channel: null,
        receiptExpectation: 'owed',
        receiptDueOn: '2026-06-30',
        priorityCodes: ['P06'],
      });
    expect(created.status).toBe(201);
    expect(created.body.id).toBeGreaterThan(highest);
    expect(created.body).toMatchObject({
      channel: null,
      receiptExpectation: 'owed',
      receiptDueOn: '2026-06-30',
      receiptStatus: 'outstanding',
      outstandingQuantity: 2,
    });

    const pg = app.dataSource.options.type === 'postgres';
    const insert = (donor: number, ref: string) =>
      app.dataSource.query(
        `INSERT INTO pledges (organisation_id, donor_id, title, kind, commitment, external_ref) VALUES (1, ${donor}, 'Raw', 'cash', 'announced', '${ref}')`,
      );
    await expect(insert(999_999, 'raw-unknown-donor')).rejects.toThrow(/foreign key|FOREIGN KEY/i);
    await expect(insert(donorId, 'seed:002:italy-pledge')).rejects.toThrow(/unique|UNIQUE/i);
    const indexes: Array<{ name: string }> = pg
      ? await app.dataSource.query(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'pledges'`)
      : await app.dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pledges' AND sql IS NOT NULL`);
    expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['ix_pledges_donor', 'ix_pledges_pledged_on', 'ix_pledges_unvalued', 'ix_pledges_kind']));
    const [unvalued]: Array<{ sql: string }> = pg
      ? await app.dataSource.query(`SELECT indexdef AS sql FROM pg_indexes WHERE indexname = 'ix_pledges_unvalued'`)
      : await app.dataSource.query(`SELECT sql FROM sqlite_master WHERE name = 'ix_pledges_unvalued'`);
    expect(unvalued.sql).toMatch(/WHERE \(?valued_at IS NULL\)?/i);
  });
});
