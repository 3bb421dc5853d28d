#!/usr/bin/env node
/**
 * Donor digests for 1,000 donors, one run, on the BUILT app (npm run build first):
 *   render alone (the baseline: ledger reads, conversions, both Handlebars parts, per contact),
 *   render and queue (RunDigests: the same work plus the outbox writes), a second run for the same
 *   period (queues nothing), and delivery to an SMTP server on loopback (smtp-server, in this
 *   process) in messages per second.
 * Usage: npm run build && node bench/digests.bench.mjs
 *   DATABASE_URL set: PostgreSQL, in a database of its own created on that server and dropped afterwards.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { fmt, freshDatabase, printTable, ROOT, writeResult } from './lib/harness.mjs';
import { createSyntheticLedger } from './lib/synthetic.mjs';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const dist = (path) => require(join(ROOT, 'dist', path));

const DONORS = 1000;
const PERIOD = '2025-03';

async function startSmtp() {
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        accepted++;
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.server.address().port, accepted: () => accepted, close: () => new Promise((r) => server.close(r)) };
}

const seconds = (started) => Number(process.hrtime.bigint() - started) / 1e9;

export async function runDigests() {
  const database = await freshDatabase('digests');
  try {
    return await measure(database);
  } finally {
    await database.drop();
  }
}

async function measure(database) {
  const pg = database.kind === 'postgres';
  const ledger = await createSyntheticLedger({
    ...(pg ? { databaseUrl: database.env.DATABASE_URL } : { sqlitePath: database.env.SQLITE_PATH }),
    donors: DONORS,
    pledges: 5 * DONORS,
    disbursements: 10 * DONORS,
  });

  const smtp = await startSmtp();
  const { NestFactory } = require('@nestjs/core');
  const { AppModule } = dist('app.module.js');
  const { loadConfig } = dist('config/app-config.js');
  const env = {
    ...database.env,
    SEED: 'false',
    BOOTSTRAP_ADMIN_EMAIL: 'bench-admin@anama.local',
    BOOTSTRAP_ADMIN_PASSWORD: 'bench-password-1',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    DIGEST_CRON: 'off',
    DIGEST_SENDER_INTERVAL_MS: 'off',
  };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig(env, ROOT)), { logger: ['error', 'warn'] });
  await app.init();
  const { DataSource } = require('typeorm');
  const dataSource = app.get(DataSource);
  const { RunDigests } = dist('digests/run-digests.js');
  const { DigestSender } = dist('digests/digest-sender.js');
  const { DigestContentService } = dist('digests/digest-content.service.js');
  const { DigestRenderer } = dist('digests/digest-renderer.js');
  const { UnsubscribeService } = dist('digests/unsubscribe.service.js');
  const { DonorsService } = dist('donors/donors.service.js');
  const { SYSTEM_ACTOR } = dist('access/actor.js');

  // One contact per donor.
  const values = Array.from({ length: DONORS }, (_, i) => i + 1);
  for (let i = 0; i < values.length; i += 200) {
    const chunk = values.slice(i, i + 200);
    const params = pg ? chunk.map((_, j) => `(1, $${2 * j + 1}, $${2 * j + 2})`).join(',') : chunk.map(() => '(1, ?, ?)').join(',');
    await dataSource.query(
      `INSERT INTO donor_contacts (organisation_id, donor_id, email) VALUES ${params}`,
      chunk.flatMap((id) => [id, `contact${id}@donor.example`]),
    );
  }

  // Baseline: the rendering a run does, without writing anything. Run twice, the first pass only
  // warming the caches (rates, compiled templates) that the measured run would find warm too.
  const content = app.get(DigestContentService);
  const renderer = app.get(DigestRenderer);
  const links = app.get(UnsubscribeService);
  const donors = app.get(DonorsService);
  const renderAll = async () => {
    const snapshot = content.snapshot();
    let count = 0;
    let bytes = 0;
    for (const recipient of await donors.digestRecipients(null)) {
      const donor = await donors.findDonor(recipient.donorId);
      const view = await content.build(snapshot, donor, PERIOD, null);
      for (const contact of recipient.contacts) {
        const link = await links.linksFor(contact.id);
        const out = await renderer.render({ ...view, links: { ...view.links, unsubscribe: link.page } });
        bytes += out.html.length + out.text.length;
        count++;
      }
    }
    return { count, bytes };
  };
  await renderAll();
  const renderStarted = process.hrtime.bigint();
  const { count: rendered, bytes: htmlBytes } = await renderAll();
  const renderOnlyS = seconds(renderStarted);

  const runStarted = process.hrtime.bigint();
  const run = await app.get(RunDigests).execute({ actor: { ...SYSTEM_ACTOR, organisationId: 1 }, period: PERIOD });
  const renderAndQueueS = seconds(runStarted);

  const againStarted = process.hrtime.bigint();
  const again = await app.get(RunDigests).execute({ actor: { ...SYSTEM_ACTOR, organisationId: 1 }, period: PERIOD });
  const secondRunS = seconds(againStarted);

  const sendStarted = process.hrtime.bigint();
  const delivery = await app.get(DigestSender).deliverDue();
  const deliveryS = seconds(sendStarted);

  await app.close();
  await smtp.close();

  const result = {
    database: pg ? 'postgres' : 'sqlite',
    donors: DONORS,
    ledger: ledger.counts,
    rendered,
    averageMessageKb: htmlBytes / rendered / 1024,
    renderOnlyS,
    renderAndQueueS,
    queueOverheadRatio: renderAndQueueS / renderOnlyS,
    queued: run.queued,
    secondRunQueued: again.queued,
    secondRunS,
    delivered: delivery.sent,
    deliveryFailures: delivery.failed + delivery.retrying,
    smtpAccepted: smtp.accepted(),
    deliveryS,
    deliveryPerSecond: delivery.sent / deliveryS,
  };
  printTable(`digests for ${DONORS} donors (${result.database}; ledger ${ledger.counts.pledges} pledges, ${ledger.counts.disbursements} disbursements)`, [
    ['render alone (baseline)', `${fmt(renderOnlyS, 2)} s`, `${fmt(rendered / renderOnlyS)} digests/s, ${fmt(result.averageMessageKb, 1)} kB each`],
    ['render and queue (RunDigests)', `${fmt(renderAndQueueS, 2)} s`, `${fmt(result.queueOverheadRatio, 2)}× the baseline, ${run.queued} queued`],
    ['second run, same period', `${fmt(secondRunS, 2)} s`, `${again.queued} queued (must be 0)`],
    [
      'delivery to local SMTP',
      `${fmt(result.deliveryPerSecond)} msg/s`,
      `${delivery.sent} sent in ${fmt(deliveryS, 2)} s, ${result.deliveryFailures} failures, server accepted ${smtp.accepted()}`,
    ],
  ]);
  writeResult(`digests-${result.database}`, result);
  if (run.queued !== DONORS || again.queued !== 0 || delivery.sent !== DONORS || smtp.accepted() !== DONORS) {
    throw new Error('digest bench: counts are wrong (see the table)');
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDigests().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
