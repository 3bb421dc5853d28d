import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receipt status as its own fact, and the seeded records corrected to what the sources say (issue 11).
 *
 * Schema:
 * - `pledges.receipt_expectation`: 'not_documented' (nobody has said whether the money or goods are
 *   owed) or 'owed' (an officer states the balance is owed). Existing rows get 'not_documented':
 *   no record so far stated otherwise, and the sources say nothing of receipt for most pledges.
 * - `pledges.receipt_due_on`: the date by which the donor promised the money or goods; once it has
 *   passed with a balance left, the balance is outstanding. Existing rows get NULL (no date was
 *   ever recorded).
 * - `pledges.channel` may be NULL: the source does not say how the money comes. PostgreSQL drops
 *   the NOT NULL in place; SQLite cannot, so the table is rebuilt from its own stored definition
 *   with only that constraint removed, and its indexes, triggers and AUTOINCREMENT counter are put
 *   back as they were (migrations run with foreign keys off on SQLite, so the tables that reference
 *   pledges keep pointing at it by name).
 *
 * Data: the records the first seed wrote where the sources say something else. Each correction
 * applies only while the row still holds exactly what that seed wrote, so a desk officer's later
 * edit is never overwritten, and each writes an audit entry (actor "system") saying why.
 * - Italy's channel: the report does not name one; the seed said "direct".
 * - MLI: the report names two things, 12 dogs already delivered under the ANAMA-MLI Memorandum of
 *   Understanding and, "additionally", a pledge of up to 30 dogs during 2025-2026. The seed booked
 *   the 12 against the 30. The 12 become their own pledge with the delivery; the 30 keep no
 *   delivery and are due by 2026-12-31.
 * - Priority titles and descriptions in the report's own words.
 *
 * The texts are written out here rather than read from seeds/: a migration must do the same thing
 * whenever it runs, whatever the seed file says later.
 */

const SYSTEM = 'system';
const SOURCE_002 = '002';

const ITALY_REF = 'seed:002:italy-pledge';
const MLI_30_REF = 'seed:002:mli-mdd-2025-2026';
const MLI_MOU_REF = 'seed:002:mli-mdd-mou';

/** What the first seed wrote for MLI's pledge and its delivery: the correction applies only to exactly this. */
const MLI_30_SEEDED = {
  title: 'Mine detection dogs under the ANAMA-MLI Memorandum of Understanding (up to 30 during 2025-2026)',
  instrument: 'Memorandum of Understanding',
  notes:
    'The report says 12 trained dogs have been delivered under the MoU and that MLI pledged up to 30 during 2025-2026; it does not say whether the 12 are part of the 30. Recorded as one pledge of up to 30 with 12 delivered; 2025 is the 20th year of ANAMA-MLI cooperation.',
  deliveryNotes: "Delivered by the report's date; no delivery date given.",
};

const MLI_30_CORRECTED = {
  title: 'Up to 30 mine detection dogs during 2025-2026',
  instrument: 'Pledge',
  notes:
    'The report says MLI "has pledged to donate up to 30 Mine Detection Dogs during 2025-2026", in addition to the 12 dogs already delivered under the Memorandum of Understanding (recorded as their own pledge, seed:002:mli-mdd-mou). It records no delivery under this pledge. Due by 2026-12-31, the end of the period the report names. 2025 is the 20th year of ANAMA-MLI cooperation.',
  receiptDueOn: '2026-12-31',
};

const MLI_MOU = {
  title: '12 trained mine detection dogs delivered under the ANAMA-MLI Memorandum of Understanding',
  quantity: 12,
  unit: 'mine detection dogs',
  sourceDate: '2025-03-31',
  commitment: 'committed',
  channel: 'ngo',
  channelName: 'Marshall Legacy Institute',
  instrument: 'Memorandum of Understanding',
  notes:
    'The report says a Memorandum of Understanding was signed between ANAMA and MLI, "under which 12 specially trained mine detection dogs have been delivered to ANAMA"; it gives no date for the MoU or the delivery. Separate from MLI\'s pledge of up to 30 dogs during 2025-2026 (seed:002:mli-mdd-2025-2026).',
  priorityCode: 'P07',
};

/** Each priority as the first seed wrote it, and in the words of document 002, "Key Priorities for International Assistance". */
const PRIORITY_TEXTS: Array<{ code: string; seeded: { title: string; description: string }; source: { title: string; description: string } }> = [
  {
    code: 'P01',
    seeded: {
      title: 'Direct financial donations',
      description: 'Unearmarked money for the clearance operations of ANAMA and operators; the report names it the most critical need.',
    },
    source: {
      title: 'Direct financial donations',
      description:
        'The most critical form of assistance needed at this juncture is direct financial donations. Such contributions are essential to amplify the humanitarian mine action efforts and further augment the operational scope of ANAMA and relevant operators.',
    },
  },
  {
    code: 'P02',
    seeded: {
      title: 'Mine Victim Assistance',
      description: 'Medical care, prostheses, psychological support and social and economic reintegration of mine victims.',
    },
    source: {
      title: 'Mine Victim Assistance',
      description:
        'Assisting in delivery of medical care, social-economic contribution to the people in Azerbaijan affected by landmines and other EO, including providing prostheses, psychological support for their rehabilitation and reintegration to society.',
    },
  },
  {
    code: 'P03',
    seeded: {
      title: 'Technical Surveys and Feasibility Studies',
      description: 'Technical and non-technical survey to define hazardous areas and release land.',
    },
    source: {
      title: 'Technical Surveys and Feasibility Studies',
      description: 'Streamlining humanitarian mine clearance efforts through accelerated surveys and studies.',
    },
  },
  {
    code: 'P04',
    seeded: { title: 'Data Management and Technological Advancements', description: 'Geo-spatial methods, information management and tasking.' },
    source: {
      title: 'Data Management and Technological Advancements',
      description:
        'Implementing geo-spatial methodologies and technology layering to refine clearance needs and optimize the tasking process within the national work plan.',
    },
  },
  {
    code: 'P05',
    seeded: { title: 'Support for Female Demining Teams', description: 'Training, equipment and deployment of female deminers.' },
    source: {
      title: 'Support for Female Demining Teams',
      description:
        'Encouraging and empowering women in return, rehabilitation, reintegration and reconstruction phase by supporting the training and integration of female deminers, leveraging international partnerships for institutional capacity building.',
    },
  },
  {
    code: 'P06',
    seeded: { title: 'Mechanical Demining Enhancement', description: 'Machines for uneven terrain and armoured machinery.' },
    source: {
      title: 'Mechanical Demining Enhancement',
      description: 'Upgrading mechanical demining capabilities with specialized equipment for uneven terrains and armored machinery for safer operations.',
    },
  },
  {
    code: 'P07',
    seeded: { title: 'Mine Detection Dogs (MDD) Training', description: 'Mine detection dogs and the training of dogs and handlers.' },
    source: {
      title: 'Mine Detection Dogs (MDD) Training',
      description:
        'Enhancing the MDD program with international expertise to maintain high competency levels through established training procedures and continuous on-site assistance.',
    },
  },
  {
    code: 'P08',
    seeded: { title: 'Explosive Containment Chambers', description: 'Chambers for the safe containment and disposal of explosive items.' },
    source: {
      title: 'Explosive Containment Chambers',
      description:
        'Procuring specialized containment chambers to safely store and transport detected explosive ordnance, ensuring secure disposal and minimizing risks to personnel and surrounding environments.',
    },
  },
  {
    code: 'P09',
    seeded: { title: 'Explosive Materials Transportation Vehicles', description: 'Vehicles for the safe transport of explosive materials.' },
    source: {
      title: 'Explosive Materials Transportation Vehicles',
      description:
        'Acquiring purpose-built vehicles equipped with advanced safety features for the secure transportation of explosive materials from contaminated sites to designated disposal locations.',
    },
  },
  {
    code: 'P10',
    seeded: { title: 'Ground Penetrating Radar (GPR) mounted on drones', description: 'Drone-mounted GPR with logging and mapping software.' },
    source: {
      title: 'Ground Penetrating Radar (GPR)',
      description: 'Mounted on a drone with data logging and mapping software integrated for detection of deep buried minimum metallic mines.',
    },
  },
  {
    code: 'P11',
    seeded: { title: 'Demarcation and Fencing', description: 'Marking and fencing of hazardous areas.' },
    source: {
      title: 'Demarcation and Fencing',
      description: 'Implementing visible markers and fencing to prevent access to hazardous areas and mitigate mine migration due to seasonal weather changes.',
    },
  },
  {
    code: 'P12',
    seeded: { title: 'Explosive Ordnance Risk Education (EORE)', description: 'Risk education for affected communities and returning IDPs.' },
    source: {
      title: 'Explosive Ordnance Risk Education (EORE)',
      description: 'Integrating EORE to raise awareness through direct and indirect methods.',
    },
  },
];

/** The channel column as TypeORM created it on SQLite, with and without its NOT NULL. */
const SQLITE_CHANNEL_NOT_NULL = '"channel" varchar(12) NOT NULL';
const SQLITE_CHANNEL_NULLABLE = '"channel" varchar(12)';

export class ReceiptStatusAndSourceCorrections1733200000000 implements MigrationInterface {
  name = 'ReceiptStatusAndSourceCorrections1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE pledges ADD COLUMN receipt_expectation varchar(16) NOT NULL DEFAULT 'not_documented'`);
    await queryRunner.query('ALTER TABLE pledges ADD COLUMN receipt_due_on date NULL');
    if (isPostgres(queryRunner)) await queryRunner.query('ALTER TABLE pledges ALTER COLUMN channel DROP NOT NULL');
    else await dropSqliteChannelNotNull(queryRunner);

    const sql = new Sql(queryRunner);
    await correctItalyChannel(sql);
    await splitMliPledges(sql);
    await correctPriorityTexts(sql);
  }

  /**
   * Drops the receipt columns; the data corrections stay (they are corrections of fact, in the audit
   * log). Refused while a pledge has no channel: the code before this migration needs one, and
   * guessing one would put back the very error this migration corrected. On SQLite the channel
   * column stays nullable: TypeORM reverts with foreign keys on, where dropping and rebuilding
   * pledges would fail on every row that references it, and the older code never writes NULL.
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ n }] = (await queryRunner.query('SELECT COUNT(*) AS n FROM pledges WHERE channel IS NULL')) as Array<{ n: number | string }>;
    if (Number(n) > 0) throw new Error(`${n} pledge(s) have no channel (the source does not say one); set a channel on each before reverting this migration`);
    if (isPostgres(queryRunner)) await queryRunner.query('ALTER TABLE pledges ALTER COLUMN channel SET NOT NULL');
    await queryRunner.query('ALTER TABLE pledges DROP COLUMN receipt_due_on');
    await queryRunner.query('ALTER TABLE pledges DROP COLUMN receipt_expectation');
  }
}

function isPostgres(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.options.type === 'postgres';
}

/** Raw SQL written with `?` placeholders, numbered `$n` on PostgreSQL; audit entries as AuditService writes them. */
class Sql {
  private readonly postgres: boolean;

  constructor(private readonly queryRunner: QueryRunner) {
    this.postgres = isPostgres(queryRunner);
  }

  query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    let n = 0;
    return this.queryRunner.query(this.postgres ? text.replace(/\?/g, () => `$${++n}`) : text, params) as Promise<T[]>;
  }

  /** An audit_log row by the system: the time as TypeORM stores a Date on each database, snapshots as JSON text. */
  async audit(action: string, entityType: string, entityId: string | number, before: object | null, after: object | null, reason: string): Promise<void> {
    const now = new Date().toISOString();
    await this.query(
      'INSERT INTO audit_log (at, actor_id, actor_email, action, entity_type, entity_id, "before", "after", reason) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)',
      [
        this.postgres ? now : now.replace('T', ' ').replace('Z', ''),
        SYSTEM,
        action,
        entityType,
        String(entityId),
        before === null ? null : JSON.stringify(before),
        after === null ? null : JSON.stringify(after),
        reason,
      ],
    );
  }
}

/**
 * SQLite cannot change a column's constraints in place: the documented way is a new table with the
 * new definition, the rows copied across, the old table dropped and the new one renamed, with
 * foreign keys off (TypeORM turns them off before a migration's transaction). The new definition
 * is the stored one without the channel's NOT NULL, so every other column, default, unique and
 * foreign key stays exactly as it was. A column already nullable (a database reverted and
 * migrated again) is left as it is.
 */
async function dropSqliteChannelNotNull(queryRunner: QueryRunner): Promise<void> {
  const [table] = (await queryRunner.query(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'pledges'`)) as Array<{ sql: string }>;
  const [{ foreign_keys: foreignKeys }] = (await queryRunner.query('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>;
  if (foreignKeys) throw new Error('pledges can only be rebuilt with foreign keys off: run this migration through DataSource.runMigrations');
  const count = (text: string) => table.sql.split(text).length - 1;
  if (count(SQLITE_CHANNEL_NOT_NULL) === 0 && count(`${SQLITE_CHANNEL_NULLABLE},`) === 1) return;
  if (count(SQLITE_CHANNEL_NOT_NULL) !== 1) throw new Error(`pledges: expected ${SQLITE_CHANNEL_NOT_NULL} once in its definition: ${table.sql}`);
  const head = 'CREATE TABLE "pledges" (';
  if (!table.sql.startsWith(head)) throw new Error(`pledges: unexpected definition ${table.sql.slice(0, 60)}`);
  const rebuilt = 'CREATE TABLE "pledges_rebuilt" (' + table.sql.slice(head.length).replace(SQLITE_CHANNEL_NOT_NULL, SQLITE_CHANNEL_NULLABLE);

  const dependents = (await queryRunner.query(
    `SELECT sql FROM sqlite_master WHERE tbl_name = 'pledges' AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`,
  )) as Array<{ sql: string }>;
  const [sequence] = (await queryRunner.query(`SELECT seq FROM sqlite_sequence WHERE name = 'pledges'`)) as Array<{ seq: number }>;
  const columns = ((await queryRunner.query(`SELECT name FROM pragma_table_info('pledges') ORDER BY cid`)) as Array<{ name: string }>)
    .map((c) => `"${c.name}"`)
    .join(', ');

  await queryRunner.query(rebuilt);
  await queryRunner.query(`INSERT INTO "pledges_rebuilt" (${columns}) SELECT ${columns} FROM "pledges"`);
  await queryRunner.query('DROP TABLE "pledges"');
  await queryRunner.query('ALTER TABLE "pledges_rebuilt" RENAME TO "pledges"');
  for (const d of dependents) await queryRunner.query(d.sql);
  if (sequence) await queryRunner.query(`UPDATE sqlite_sequence SET seq = ? WHERE name = 'pledges'`, [sequence.seq]);
  const broken = (await queryRunner.query('PRAGMA foreign_key_check')) as unknown[];
  if (broken.length) throw new Error(`pledges rebuild left ${broken.length} broken foreign key(s): ${JSON.stringify(broken.slice(0, 5))}`);
}

async function correctItalyChannel(sql: Sql): Promise<void> {
  const [italy] = await sql.query<{ id: number | string }>(`SELECT id FROM pledges WHERE external_ref = ? AND channel = 'direct' AND channel_name IS NULL`, [
    ITALY_REF,
  ]);
  if (!italy) return;
  await sql.query('UPDATE pledges SET channel = NULL, updated_at = CURRENT_TIMESTAMP WHERE id = ?', [italy.id]);
  await sql.audit(
    'pledge.source_correction',
    'pledge',
    italy.id,
    { channel: 'direct' },
    { channel: null },
    'Document 002 says only that "Italy also pledged to allocate 1.5 million Euros"; it names no channel. The first seed had recorded "direct".',
  );
}

/**
 * Moves the 12 dogs delivered under the MoU off the pledge of up to 30 onto a pledge of their own.
 * Applies only when the pledge of 30 and its one delivery are exactly as the first seed wrote them,
 * and the MoU pledge does not exist yet.
 */
async function splitMliPledges(sql: Sql): Promise<void> {
  const [mli] = await sql.query<{
    id: number | string;
    donor_id: number | string;
    source: string | null;
    created_at: string | Date;
    created_by: number | null;
  }>(
    `SELECT id, donor_id, source, created_at, created_by FROM pledges
      WHERE external_ref = ? AND kind = 'in_kind' AND title = ? AND instrument = ? AND notes = ?
        AND in_kind_quantity = 30 AND in_kind_quantity_is_maximum = TRUE AND in_kind_unit = ? AND unit_value_minor IS NULL
        AND delivered_quantity = 12 AND receipt_due_on IS NULL AND cancelled_at IS NULL`,
    [MLI_30_REF, MLI_30_SEEDED.title, MLI_30_SEEDED.instrument, MLI_30_SEEDED.notes, MLI_MOU.unit],
  );
  if (!mli) return;
  const deliveries = await sql.query<{ id: number | string; quantity: number; received_on: string; received_on_basis: string; notes: string | null }>(
    'SELECT id, quantity, received_on, received_on_basis, notes FROM disbursements WHERE pledge_id = ?',
    [mli.id],
  );
  const [delivery] = deliveries;
  const seededDelivery =
    deliveries.length === 1 &&
    Number(delivery.quantity) === MLI_MOU.quantity &&
    String(delivery.received_on).slice(0, 10) === MLI_MOU.sourceDate &&
    delivery.received_on_basis === 'on_or_before' &&
    delivery.notes === MLI_30_SEEDED.deliveryNotes;
  if (!seededDelivery) return;
  if ((await sql.query('SELECT id FROM pledges WHERE external_ref = ?', [MLI_MOU_REF])).length) return;

  // The MoU pledge was in the ledger, booked against the wrong pledge, since the seed wrote it: it
  // keeps that creation time, so "what was known on a day" sees the delivery with its own pledge.
  await sql.query(
    `INSERT INTO pledges (donor_id, title, kind, in_kind_quantity, in_kind_unit, in_kind_quantity_is_maximum, pledged_on, source_date, commitment, channel,
                          channel_name, instrument, source, notes, external_ref, disbursed_minor, delivered_quantity, receipt_expectation, created_by, created_at)
     VALUES (?, ?, 'in_kind', ?, ?, FALSE, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 'not_documented', ?, ?)`,
    [
      mli.donor_id,
      MLI_MOU.title,
      MLI_MOU.quantity,
      MLI_MOU.unit,
      MLI_MOU.sourceDate,
      MLI_MOU.commitment,
      MLI_MOU.channel,
      MLI_MOU.channelName,
      MLI_MOU.instrument,
      mli.source,
      MLI_MOU.notes,
      MLI_MOU_REF,
      mli.created_by,
      mli.created_at,
    ],
  );
  const [mou] = await sql.query<{ id: number | string }>('SELECT id FROM pledges WHERE external_ref = ?', [MLI_MOU_REF]);
  await sql.query('INSERT INTO pledge_priorities (pledge_id, priority_code, share_bp) SELECT ?, code, NULL FROM priorities WHERE code = ?', [
    mou.id,
    MLI_MOU.priorityCode,
  ]);
  // The delivery's stored values depend on its pledge (the unit value): valued again with the new one.
  await sql.query('UPDATE disbursements SET pledge_id = ?, valued_at = NULL WHERE id = ?', [mou.id, delivery.id]);
  await sql.query(
    `UPDATE pledges SET delivered_quantity = (SELECT COALESCE(SUM(d.quantity), 0) FROM disbursements d WHERE d.pledge_id = pledges.id), updated_at = CURRENT_TIMESTAMP
      WHERE id IN (?, ?)`,
    [mli.id, mou.id],
  );
  await sql.query('UPDATE pledges SET title = ?, instrument = ?, notes = ?, receipt_due_on = ? WHERE id = ?', [
    MLI_30_CORRECTED.title,
    MLI_30_CORRECTED.instrument,
    MLI_30_CORRECTED.notes,
    MLI_30_CORRECTED.receiptDueOn,
    mli.id,
  ]);

  const why =
    'Document 002 names two things: 12 trained dogs already delivered under the ANAMA-MLI Memorandum of Understanding and, "additionally", a pledge of up to 30 dogs during 2025-2026. The first seed booked the 12 against the 30.';
  await sql.audit(
    'pledge.source_correction',
    'pledge',
    mou.id,
    null,
    {
      externalRef: MLI_MOU_REF,
      title: MLI_MOU.title,
      kind: 'in_kind',
      inKind: { quantity: MLI_MOU.quantity, unit: MLI_MOU.unit, upTo: false },
      sourceDate: MLI_MOU.sourceDate,
      commitment: MLI_MOU.commitment,
      channel: MLI_MOU.channel,
      channelName: MLI_MOU.channelName,
      instrument: MLI_MOU.instrument,
      priorityCodes: [MLI_MOU.priorityCode],
      deliveredQuantity: MLI_MOU.quantity,
    },
    `${why} The 12 are recorded here, with their delivery.`,
  );
  await sql.audit(
    'disbursement.source_correction',
    'disbursement',
    delivery.id,
    { pledgeId: Number(mli.id) },
    { pledgeId: Number(mou.id) },
    `${why} The delivery of 12 belongs to the MoU pledge.`,
  );
  await sql.audit(
    'pledge.source_correction',
    'pledge',
    mli.id,
    { title: MLI_30_SEEDED.title, instrument: MLI_30_SEEDED.instrument, notes: MLI_30_SEEDED.notes, deliveredQuantity: 12, receiptDueOn: null },
    {
      title: MLI_30_CORRECTED.title,
      instrument: MLI_30_CORRECTED.instrument,
      notes: MLI_30_CORRECTED.notes,
      deliveredQuantity: 0,
      receiptDueOn: MLI_30_CORRECTED.receiptDueOn,
    },
    `${why} Nothing is recorded as delivered under the pledge of up to 30, due "during 2025-2026", so by 2026-12-31.`,
  );
}

/** Each title and description the officers have not changed since the seed, in the report's words. */
async function correctPriorityTexts(sql: Sql): Promise<void> {
  for (const p of PRIORITY_TEXTS) {
    const [row] = await sql.query<{ title: string; description: string }>('SELECT title, description FROM priorities WHERE code = ?', [p.code]);
    if (!row) continue;
    const before: Record<string, string> = {};
    const after: Record<string, string> = {};
    for (const field of ['title', 'description'] as const) {
      if (row[field] !== p.seeded[field] || p.seeded[field] === p.source[field]) continue;
      await sql.query(`UPDATE priorities SET ${field} = ? WHERE code = ? AND ${field} = ?`, [p.source[field], p.code, p.seeded[field]]);
      before[field] = p.seeded[field];
      after[field] = p.source[field];
    }
    if (Object.keys(after).length === 0) continue;
    await sql.audit(
      'priority.source_correction',
      'priority',
      p.code,
      before,
      after,
      `In the words of document ${SOURCE_002}, "Key Priorities for International Assistance"; the first seed had paraphrased them.`,
    );
  }
}
