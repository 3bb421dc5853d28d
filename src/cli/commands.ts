import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppModule } from '../app.module';
import { type Actor, actingFor } from '../access/actor';
import { UsersService } from '../auth/users.service';
import { ROLES, type Role } from '../access/roles';
import type { AppConfig } from '../config/app-config';
import { InvalidInputError } from '../common/errors/domain-errors';
import { DigestSender } from '../digests/digest-sender';
import { RunDigests } from '../digests/run-digests';
import { FxService } from '../fx/fx.service';
import { decodeUtf8 } from '../interop/csv';
import { MAX_IMPORT_BYTES, PledgeImportService } from '../interop/pledge-import.service';
import { SeedService } from '../seed/seed.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { LedgerAggregates } from '../ledger/aggregates/ledger-aggregates.service';
import { LedgerFigures } from '../ledger/ledger-figures.service';
import { todayUtc } from '../common/dates';
import { UsageError, type ParsedArgs } from './args';
import { backupSqlite } from './backup';
import { ProgressBar } from './progress';

export const USAGE = `Usage: npm run cli -- <command> [options]

  seed                               load the report's data (seeds/) into the database; idempotent
  import-pledges FILE [--dry-run] [--create-donors] [--organisation SHORT_NAME]
                                     import pledges, receipts, deliveries and instalments from CSV (src/interop/README.md)
  import-rates FILE                  import an ECB euro reference-rate CSV (history or daily layout)
  send-digests [--period YYYY-MM]    queue this period's donor digests, then send the outbox (SMTP_URL)
  verify-aggregates [--days N]       work the funding engine's maintained sums out again from the ledger's rows and
                                     report every difference (exit 1 if any); compares the figures with the rows' SQL on
                                     N days a change is dated (default 60; 0: the sums only); builds them first if needed
  rebuild-aggregates                 throw the maintained sums away and build them again from the rows
  backup FILE                        consistent copy of the SQLite database while the app runs (docs/backup.md)
  create-user --email E --role R [--donor-id N] [--organisation SHORT_NAME]
                                     password from CLI_USER_PASSWORD, or the first line of stdin; the organisation
                                     may be left out while the deployment serves one

The database is the app's: SQLITE_PATH, or DATABASE_URL for PostgreSQL.`;

export const FLAGS = new Set(['dry-run', 'create-donors', 'help']);

/** Who the audit log names for command-line work. */
function cliActor(): Actor {
  return { id: 0, email: `cli:${userInfo().username}`, role: 'admin', donorId: null, organisationId: null };
}

/** `--organisation SHORT_NAME`: whose records the command writes; may be left out while the deployment serves one. */
function organisationOption(args: ParsedArgs): string | undefined {
  const organisation = args.options.get('organisation');
  if (organisation !== undefined && typeof organisation !== 'string') throw new UsageError('--organisation must be a short name, such as ANAMA');
  return organisation;
}

export type Print = (line: string) => void;

/** The app's modules without HTTP. No start-up seeding, digest schedule or background sender. */
async function withContext<T>(config: AppConfig, work: (ctx: INestApplicationContext) => Promise<T>): Promise<T> {
  const quiet: AppConfig = { ...config, seed: false, digests: { ...config.digests, cron: null, senderIntervalMs: null } };
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(quiet), { logger: ['error', 'warn'] });
  try {
    await ctx.init();
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

function onePositional(args: ParsedArgs, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`${args.command} needs exactly one ${what}`);
  return args.positionals[0];
}

async function readLimited(path: string): Promise<Buffer> {
  const info = await stat(path).catch(() => {
    throw new Error(`cannot read ${path}: no such file`);
  });
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  if (info.size > MAX_IMPORT_BYTES) {
    throw new InvalidInputError(`${path} is ${(info.size / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_IMPORT_BYTES / 1024 / 1024} MB: split the file`);
  }
  return readFile(path);
}

async function readStdinLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

/** Runs one command; returns the exit code. Domain errors propagate to cli.ts, which prints them. */
export async function runCommand(args: ParsedArgs, config: AppConfig, print: Print): Promise<number> {
  switch (args.command) {
    case 'seed': {
      const report = await withContext(config, (ctx) => ctx.get(SeedService, { strict: false }).run());
      print(
        `Seeded: ${Object.entries(report)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')} (records already present are left alone)`,
      );
      return 0;
    }
    case 'import-pledges': {
      const file = onePositional(args, 'CSV file');
      const csv = decodeUtf8(await readLimited(file));
      const dryRun = args.options.has('dry-run');
      const createDonors = args.options.has('create-donors');
      const organisation = organisationOption(args);
      const progress = new ProgressBar();
      const report = await withContext(config, async (ctx) => {
        const organisationId = await ctx.get(OrganisationsService, { strict: false }).forCommandLine(organisation);
        return ctx.get(PledgeImportService, { strict: false }).import(actingFor(cliActor(), organisationId), csv, {
          dryRun,
          createDonors,
          onProgress: (phase, done, total) => progress.update(phase === 'validate' ? 'checking' : 'inserting', done, total),
        });
      });
      for (const e of report.errors) print(`row ${e.row}, ${e.field}: ${e.message}`);
      if (report.errors.length) {
        print(`${report.errors.length} error(s) in ${file}: nothing was imported.`);
        return 1;
      }
      print(
        dryRun
          ? `Dry run: ${report.rows} rows, ${report.toCreate} pledge(s) and ${report.receiptsToCreate} receipt(s) would be created, ${report.instalmentsToCreate} instalment(s) planned, ${report.skipped} already imported; donors to create: ${report.donorsToCreate.map((d) => d.name).join(', ') || 'none'}. Nothing was written.`
          : `Imported ${report.created} pledge(s) from ${report.rows} rows; ${report.skipped} were already there. ${report.receiptsCreated} receipt(s) or deliveries, ${report.instalmentsCreated} planned instalment(s) and ${report.donorsCreated} donor(s) created. File sha256 ${report.sha256}.`,
      );
      return 0;
    }
    case 'import-rates': {
      const file = onePositional(args, 'ECB CSV file');
      const csv = decodeUtf8(await readLimited(file));
      const result = await withContext(config, (ctx) => ctx.get(FxService, { strict: false }).importEcb(cliActor(), csv));
      print(`Imported ${result.imported} rate(s); ${result.skipped} were already there; ${result.notQuoted} cells marked N/A.`);
      return 0;
    }
    case 'send-digests': {
      const period = args.options.get('period');
      if (period !== undefined && (period === true || !/^\d{4}-(0[1-9]|1[0-2])$/.test(period)))
        throw new UsageError('--period must be a month written YYYY-MM');
      const { queued, delivery, smtp } = await withContext(config, async (ctx) => {
        const run = await ctx.get(RunDigests, { strict: false }).execute({ actor: cliActor(), period: period || undefined });
        const sender = ctx.get(DigestSender, { strict: false });
        return { queued: run, delivery: await sender.deliverDue(), smtp: sender.enabled };
      });
      print(`Queued ${queued.queued} digest(s) for ${queued.period}.`);
      print(
        smtp
          ? `Sent ${delivery.sent}, ${delivery.retrying} to retry, ${delivery.failed} failed.`
          : 'SMTP_URL is not set: the messages stay in the outbox (/digests).',
      );
      return delivery.failed > 0 ? 1 : 0;
    }
    case 'backup': {
      const destination = onePositional(args, 'destination file');
      if (config.database.type !== 'sqlite') {
        throw new UsageError('backup copies the embedded SQLite database; for PostgreSQL use pg_dump (docs/backup.md)');
      }
      const progress = new ProgressBar();
      const report = await backupSqlite(config.database.path, destination, (done, total) => progress.update('copying', done, total));
      print(`Backed up ${config.database.path} to ${report.destination}: ${report.pages} pages, ${report.bytes} bytes, integrity ${report.integrity}.`);
      return 0;
    }
    case 'verify-aggregates': {
      const daysRaw = args.options.get('days') ?? '60';
      if (typeof daysRaw !== 'string' || !/^[0-9]{1,5}$/.test(daysRaw)) throw new UsageError('--days must be a whole number of days');
      const days = Number(daysRaw);
      const check = await withContext(config, async (ctx) => {
        await ctx.get(LedgerAggregates, { strict: false }).build();
        return ctx.get(LedgerFigures, { strict: false }).checkAggregates(todayUtc(), days);
      });
      print(`Aggregates ${check.status}: ${check.pledges} pledges, ${check.groups} groups; figures compared with the rows on ${check.daysCompared} days.`);
      for (const d of check.differences.slice(0, 50))
        print(`  differs: ${d.key} on ${d.day}: stored [${d.stored.join(', ')}], from the rows [${d.fromRows.join(', ')}]`);
      for (const d of check.figureDifferences.slice(0, 50)) print(`  differs: ${d}`);
      const count = check.differences.length + check.figureDifferences.length;
      print(count === 0 ? 'No difference.' : `${count} differences.`);
      return count === 0 ? 0 : 1;
    }
    case 'rebuild-aggregates': {
      await withContext(config, (ctx) => ctx.get(LedgerAggregates, { strict: false }).rebuild());
      print('Aggregates rebuilt from the rows.');
      return 0;
    }
    case 'create-user': {
      const email = args.options.get('email');
      const role = args.options.get('role');
      const donorIdRaw = args.options.get('donor-id');
      if (typeof email !== 'string') throw new UsageError('create-user needs --email');
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      if (donorIdRaw !== undefined && (typeof donorIdRaw !== 'string' || !/^[1-9][0-9]{0,9}$/.test(donorIdRaw)))
        throw new UsageError('--donor-id must be a donor id');
      const password = process.env.CLI_USER_PASSWORD ?? (await readStdinLine());
      if (password.length < 10) throw new UsageError('the password must be at least 10 characters');
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError('--email must be an email address');
      const organisation = organisationOption(args);
      const user = await withContext(config, async (ctx) => {
        const organisationId = await ctx.get(OrganisationsService, { strict: false }).forCommandLine(organisation);
        const input = { email, password, role: role as Role, donorId: donorIdRaw ? Number(donorIdRaw) : null };
        return ctx.get(UsersService, { strict: false }).create(actingFor(cliActor(), organisationId), input, null, organisationId);
      });
      print(`Created ${user.body.role} ${user.body.email} (user ${user.body.id}).`);
      return 0;
    }
    case undefined:
    case 'help':
      print(USAGE);
      return args.command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${args.command}"`);
  }
}
