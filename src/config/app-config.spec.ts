import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEFAULT_ORGANISATION, DEV_ADMIN, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to the embedded database, seeded, with the documented development admin', () => {
    const config = loadConfig({}, '/srv/tracker');
    expect(config).toMatchObject({
      port: 3000,
      database: { type: 'sqlite', path: '/srv/tracker/data/tracker.sqlite' },
      seed: true,
      bootstrapAdmin: DEV_ADMIN,
      smtpUrl: null,
      appUrl: 'http://localhost:3000',
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set, unseeded and without a default admin', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h/db' }, '/srv');
    expect(config.database).toMatchObject({ type: 'postgres', url: 'postgres://u@h/db' });
    expect(config.seed).toBe(false);
    expect(config.bootstrapAdmin).toBeNull();
  });

  it('names the first organisation ANAMA by default, or as BOOTSTRAP_ORGANISATION_* say, and refuses a bad country or currency', () => {
    expect(loadConfig({}, '/srv').bootstrapOrganisation).toEqual(DEFAULT_ORGANISATION);
    expect(DEFAULT_ORGANISATION).toMatchObject({ shortName: 'ANAMA', countryCode: 'AZ', currency: 'AZN' });
    const other = { BOOTSTRAP_ORGANISATION_NAME: 'Cambodian Mine Action Centre', BOOTSTRAP_ORGANISATION_SHORT_NAME: 'CMAC' };
    expect(loadConfig({ ...other, BOOTSTRAP_ORGANISATION_COUNTRY: 'KH', BOOTSTRAP_ORGANISATION_CURRENCY: 'KHR' }, '/srv').bootstrapOrganisation).toEqual({
      name: 'Cambodian Mine Action Centre',
      shortName: 'CMAC',
      countryCode: 'KH',
      currency: 'KHR',
    });
    expect(() => loadConfig({ BOOTSTRAP_ORGANISATION_COUNTRY: 'khm' }, '/srv')).toThrow(/BOOTSTRAP_ORGANISATION_COUNTRY must be two upper-case letters/);
    expect(() => loadConfig({ BOOTSTRAP_ORGANISATION_CURRENCY: 'XYZ' }, '/srv')).toThrow(/BOOTSTRAP_ORGANISATION_CURRENCY must be an ISO 4217 code/);
  });

  it('takes a reply-to address for digests, with or without a name, and refuses anything else', () => {
    expect(loadConfig({}, '/srv').mailReplyTo).toBeNull();
    expect(loadConfig({ MAIL_REPLY_TO: 'Mine Action Desk <desk@anama.example>' }, '/srv').mailReplyTo).toBe('Mine Action Desk <desk@anama.example>');
    expect(loadConfig({ MAIL_REPLY_TO: 'desk@anama.example' }, '/srv').mailReplyTo).toBe('desk@anama.example');
    expect(() => loadConfig({ MAIL_REPLY_TO: 'the desk' }, '/srv')).toThrow(/MAIL_REPLY_TO must be an email address/);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SEED: 'maybe', BOOTSTRAP_ADMIN_EMAIL: 'nope', APP_URL: 'ftp://x' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'SEED', 'BOOTSTRAP_ADMIN_EMAIL', 'BOOTSTRAP_ADMIN_PASSWORD', 'APP_URL']) expect(problems).toContain(name);
    }
  });

  it('database limits default to bounded waits and name a bad value', () => {
    expect(loadConfig({}, '/srv').database.limits).toEqual({
      statementTimeoutMs: 60_000,
      lockTimeoutMs: 10_000,
      idleInTransactionTimeoutMs: 60_000,
      poolAcquireTimeoutMs: 10_000,
      poolSize: 10,
    });
    expect(loadConfig({ DB_LOCK_TIMEOUT_MS: '500' }, '/srv').database.limits.lockTimeoutMs).toBe(500);
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: 'soon' }, '/srv')).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
  });
});
