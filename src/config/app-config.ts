import { resolve } from 'node:path';
import { validateCronExpression } from 'cron';
import { isCurrencyCode } from '../common/money/iso4217';

/** Everything the app reads from the environment, validated once at boot. */
export interface AppConfig {
  port: number;
  /** Project root: views, public assets and seeds are resolved from here (no __dirname under ESM tests). */
  rootDir: string;
  database: ({ type: 'sqlite'; path: string } | { type: 'postgres'; url: string }) & { limits: DatabaseLimits };
  bootstrapAdmin: { email: string; password: string } | null;
  /** The organisation the bootstrap admin belongs to, created with it at first start (BOOTSTRAP_ORGANISATION_*). */
  bootstrapOrganisation: BootstrapOrganisation;
  seed: boolean;
  runMigrations: boolean;
  smtpUrl: string | null;
  mailFrom: string;
  /** Where a donor's reply to a digest goes (`Reply-To`); null: the email says replies are not read and names no address. */
  mailReplyTo: string | null;
  appUrl: string;
  tokenTtlHours: number;
  logRequests: boolean;
  /** HMAC key of CSRF tokens; null: a random key per process (set it when several instances serve one site). */
  csrfSecret: string | null;
  digests: DigestConfig;
  /**
   * Pledges with rows waiting for revaluation whose rows a read of the whole ledger values in memory to stay
   * exact (FIGURES_EXACT_WAITING_PLEDGES, default 2,000); with more, it answers at once from the
   * maintained aggregates and says they are being brought up to date (docs/aggregates.md). It was
   * 20,000 until 2026-12-06: at the tail of a revaluation of the bench's 400k-row ledger one read
   * valued 18,000 pledges in memory, held the event loop about 6 s and took the heap from 240 to
   * 570 MB (the peak RSS of the revaluation reads, 730-780 MB).
   */
  figuresExactWaitingPledges: number;
  /**
   * Rows per window a new or corrected rate marks for revaluation in its own transaction, two
   * windows at most, pledges first (REVALUATION_ROWS_WITH_RATE, default 20,000): a ledger of at
   * most that many pledges and that many receipts is marked whole before the rate is answered;
   * the valuation worker marks the rest of a larger one in the background, and reads say the
   * figures are being brought up to date meanwhile (docs/aggregates.md).
   */
  revaluationRowsWithRate: number;
}

/**
 * How long anything may wait on the database, so a stuck query or lock ends in a 503 the client
 * can retry instead of a request that never answers.
 */
export interface DatabaseLimits {
  /** PostgreSQL: longest a statement may run (statement_timeout). */
  statementTimeoutMs: number;
  /** PostgreSQL: longest a statement waits for a row or table lock (lock_timeout); SQLite: busy_timeout, the wait for the write lock. */
  lockTimeoutMs: number;
  /** PostgreSQL: a session idle inside an open transaction this long is ended (idle_in_transaction_session_timeout). */
  idleInTransactionTimeoutMs: number;
  /** PostgreSQL: longest a request waits for a pooled connection (or for a new one to connect). */
  poolAcquireTimeoutMs: number;
  /** PostgreSQL: pooled connections per process. */
  poolSize: number;
}

/** Donor digests: when the scheduled run fires, how the outbox sender polls and retries, how links are signed. */
export interface DigestConfig {
  /** Cron expression (UTC) of the scheduled run, or null when DIGEST_CRON=off. */
  cron: string | null;
  /** How often the sender looks for due messages when SMTP_URL is set; null when DIGEST_SENDER_INTERVAL_MS=off. */
  senderIntervalMs: number | null;
  /** After this many failed attempts a message is marked failed and no longer retried. */
  maxAttempts: number;
  /** First retry delay; each further attempt doubles it. */
  retryBaseMs: number;
  /** How long a claimed message stays reserved for its sender; a crashed sender's claims expire after it. */
  claimLeaseMs: number;
  /** HMAC key of unsubscribe links; null: a key generated once and kept in the database is used. */
  unsubscribeSecret: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Development credentials for the embedded default only; PostgreSQL deployments must set their own. */
export interface BootstrapOrganisation {
  name: string;
  shortName: string;
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
  /** ISO 4217. */
  currency: string;
}

/**
 * The first organisation's default: ANAMA, the product's first user (../shared/domain/facts.md,
 * "ANAMA"), whose report is the SEED data. Another authority sets BOOTSTRAP_ORGANISATION_*.
 */
export const DEFAULT_ORGANISATION: BootstrapOrganisation = {
  name: 'Mine Action Agency of the Republic of Azerbaijan',
  shortName: 'ANAMA',
  countryCode: 'AZ',
  currency: 'AZN',
};

export const DEV_ADMIN = { email: 'admin@anama.local', password: 'change-me-now' } as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function parseBoolean(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

function parsePositiveInt(name: string, raw: string | undefined, fallback: number, max: number, problems: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    problems.push(`${name} must be a whole number between 1 and ${max} (got "${raw}")`);
    return fallback;
  }
  return Number(raw);
}

function parseSecret(name: string, raw: string | undefined, problems: string[]): string | null {
  const secret = raw?.trim() || null;
  if (secret !== null && secret.length < 32) problems.push(`${name} must be at least 32 characters`);
  return secret;
}

function parseOffOrPositiveInt(name: string, raw: string | undefined, fallback: number, max: number, problems: string[]): number | null {
  if (raw !== undefined && /^off$/i.test(raw.trim())) return null;
  return parsePositiveInt(name, raw?.trim(), fallback, max, problems);
}

function parseDigestConfig(env: NodeJS.ProcessEnv, problems: string[]): DigestConfig {
  const rawCron = env.DIGEST_CRON?.trim();
  let cron: string | null = '0 7 1 * *';
  if (rawCron && /^off$/i.test(rawCron)) cron = null;
  else if (rawCron) {
    const check = validateCronExpression(rawCron);
    if (!check.valid) problems.push(`DIGEST_CRON must be a cron expression such as "0 7 1 * *" or "off" (got "${rawCron}")`);
    cron = rawCron;
  }
  const secret = env.UNSUBSCRIBE_SECRET?.trim() || null;
  if (secret !== null && secret.length < 32) problems.push('UNSUBSCRIBE_SECRET must be at least 32 characters');
  return {
    cron,
    senderIntervalMs: parseOffOrPositiveInt('DIGEST_SENDER_INTERVAL_MS', env.DIGEST_SENDER_INTERVAL_MS, 30_000, 24 * 3600_000, problems),
    maxAttempts: parsePositiveInt('DIGEST_MAX_ATTEMPTS', env.DIGEST_MAX_ATTEMPTS, 8, 100, problems),
    retryBaseMs: parsePositiveInt('DIGEST_RETRY_BASE_MS', env.DIGEST_RETRY_BASE_MS, 60_000, 24 * 3600_000, problems),
    claimLeaseMs: parsePositiveInt('DIGEST_CLAIM_LEASE_MS', env.DIGEST_CLAIM_LEASE_MS, 300_000, 24 * 3600_000, problems),
    unsubscribeSecret: secret,
  };
}

function parseBootstrapOrganisation(env: NodeJS.ProcessEnv, problems: string[]): BootstrapOrganisation {
  const value = (name: string, fallback: string) => env[`BOOTSTRAP_ORGANISATION_${name}`]?.trim() || fallback;
  const organisation: BootstrapOrganisation = {
    name: value('NAME', DEFAULT_ORGANISATION.name),
    shortName: value('SHORT_NAME', DEFAULT_ORGANISATION.shortName),
    countryCode: value('COUNTRY', DEFAULT_ORGANISATION.countryCode),
    currency: value('CURRENCY', DEFAULT_ORGANISATION.currency),
  };
  if (organisation.name.length > 200) problems.push('BOOTSTRAP_ORGANISATION_NAME must be at most 200 characters');
  if (organisation.shortName.length > 40) problems.push('BOOTSTRAP_ORGANISATION_SHORT_NAME must be at most 40 characters');
  if (!/^[A-Z]{2}$/.test(organisation.countryCode)) problems.push('BOOTSTRAP_ORGANISATION_COUNTRY must be two upper-case letters (ISO 3166-1), such as AZ');
  if (!isCurrencyCode(organisation.currency)) problems.push('BOOTSTRAP_ORGANISATION_CURRENCY must be an ISO 4217 code, such as AZN');
  return organisation;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, rootDir = process.cwd()): AppConfig {
  const problems: string[] = [];
  const port = parsePositiveInt('PORT', env.PORT, 3000, 65535, problems);

  let database: AppConfig['database'];
  const url = env.DATABASE_URL?.trim();
  const limits: DatabaseLimits = {
    statementTimeoutMs: parsePositiveInt('DB_STATEMENT_TIMEOUT_MS', env.DB_STATEMENT_TIMEOUT_MS, 60_000, 3600_000, problems),
    lockTimeoutMs: parsePositiveInt('DB_LOCK_TIMEOUT_MS', env.DB_LOCK_TIMEOUT_MS, 10_000, 600_000, problems),
    idleInTransactionTimeoutMs: parsePositiveInt('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, 60_000, 3600_000, problems),
    poolAcquireTimeoutMs: parsePositiveInt('DB_POOL_ACQUIRE_TIMEOUT_MS', env.DB_POOL_ACQUIRE_TIMEOUT_MS, 10_000, 600_000, problems),
    poolSize: parsePositiveInt('DB_POOL_SIZE', env.DB_POOL_SIZE, 10, 200, problems),
  };
  if (url) {
    if (!/^postgres(ql)?:\/\/.+/.test(url)) problems.push('DATABASE_URL must start with postgres:// or postgresql://');
    database = { type: 'postgres', url, limits };
  } else {
    database = { type: 'sqlite', path: resolve(rootDir, env.SQLITE_PATH?.trim() || 'data/tracker.sqlite'), limits };
  }
  const embedded = database.type === 'sqlite';

  const adminEmail = env.BOOTSTRAP_ADMIN_EMAIL?.trim();
  const adminPassword = env.BOOTSTRAP_ADMIN_PASSWORD;
  let bootstrapAdmin: AppConfig['bootstrapAdmin'] = null;
  if (adminEmail || adminPassword) {
    if (!adminEmail || !EMAIL.test(adminEmail)) problems.push('BOOTSTRAP_ADMIN_EMAIL must be an email address');
    if (!adminPassword || adminPassword.length < 10) problems.push('BOOTSTRAP_ADMIN_PASSWORD must be at least 10 characters');
    bootstrapAdmin = { email: (adminEmail ?? '').toLowerCase(), password: adminPassword ?? '' };
  } else if (embedded) {
    bootstrapAdmin = { ...DEV_ADMIN };
  }

  const bootstrapOrganisation = parseBootstrapOrganisation(env, problems);

  const smtpUrl = env.SMTP_URL?.trim() || null;
  if (smtpUrl && !/^smtps?:\/\/.+/.test(smtpUrl)) problems.push('SMTP_URL must start with smtp:// or smtps://');
  const mailFrom = env.MAIL_FROM?.trim() || 'ANAMA Funding Tracker <no-reply@anama.local>';
  const mailReplyTo = env.MAIL_REPLY_TO?.trim() || null;
  if (mailReplyTo && !EMAIL.test(mailReplyTo.replace(/^.*<([^>]+)>\s*$/, '$1')))
    problems.push('MAIL_REPLY_TO must be an email address, optionally with a name: Mine Action Desk <desk@anama.gov.az>');
  const appUrl = (env.APP_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/.+/.test(appUrl)) problems.push('APP_URL must start with http:// or https://');

  const config: AppConfig = {
    port,
    rootDir,
    database,
    bootstrapAdmin,
    bootstrapOrganisation,
    seed: parseBoolean('SEED', env.SEED, embedded, problems),
    runMigrations: parseBoolean('RUN_MIGRATIONS', env.RUN_MIGRATIONS, true, problems),
    smtpUrl,
    mailFrom,
    mailReplyTo,
    appUrl,
    tokenTtlHours: parsePositiveInt('TOKEN_TTL_HOURS', env.TOKEN_TTL_HOURS, 12, 24 * 90, problems),
    figuresExactWaitingPledges: parsePositiveInt('FIGURES_EXACT_WAITING_PLEDGES', env.FIGURES_EXACT_WAITING_PLEDGES, 2_000, 10_000_000, problems),
    revaluationRowsWithRate: parsePositiveInt('REVALUATION_ROWS_WITH_RATE', env.REVALUATION_ROWS_WITH_RATE, 20_000, 10_000_000, problems),
    logRequests: parseBoolean('LOG_REQUESTS', env.LOG_REQUESTS, false, problems),
    csrfSecret: parseSecret('CSRF_SECRET', env.CSRF_SECRET, problems),
    digests: parseDigestConfig(env, problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
