import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, MoreThan, Not } from 'typeorm';
import { SqlQuery } from '../database/sql-statements';
import { KNOWN_ADDRESSES_KEPT } from './sign-in-policy';
import { AuthTokenEntity, PasswordResetEntity, UserEntity } from './user.entity';
import type { Role } from '../access/roles';

/** bigint comes back as a number from SQLite and a string from PostgreSQL; epoch milliseconds fit a double exactly. */
function epochMs(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/**
 * Counts one sign-in attempt in its bucket, in one statement, unless the bucket is waiting out a
 * delay: then nothing is written and no row comes back. Failures last counted before
 * `forgetBefore` start again from one. Concurrent attempts queue on the row (PostgreSQL's
 * ON CONFLICT takes a row lock; SQLite runs it behind the UnitOfWork's write lock), so each gets
 * its own count: 40 parallel attempts count 1 to 40, never 1 forty times.
 */
const COUNT_ATTEMPT = new SqlQuery<{ failures: number }>(
  `INSERT INTO sign_in_buckets (bucket, failures, delayed_until_ms, updated_at_ms) VALUES (?, 1, NULL, CAST(? AS bigint))
   ON CONFLICT (bucket) DO UPDATE SET
     failures = CASE WHEN sign_in_buckets.updated_at_ms < CAST(? AS bigint) THEN 1 ELSE sign_in_buckets.failures + 1 END,
     updated_at_ms = excluded.updated_at_ms
   WHERE sign_in_buckets.delayed_until_ms IS NULL OR sign_in_buckets.delayed_until_ms <= CAST(? AS bigint)
   RETURNING failures`,
);
const DELAY_BUCKET = new SqlQuery(`UPDATE sign_in_buckets SET delayed_until_ms = CAST(? AS bigint) WHERE bucket = ?`);
const BUCKET_DELAY = new SqlQuery<{ delayed_until_ms: string | number | null }>(`SELECT delayed_until_ms FROM sign_in_buckets WHERE bucket = ?`);
/** Gives back the attempts up to and including a successful one; attempts counted after it stay. */
const RELEASE_BUCKET = new SqlQuery(
  `UPDATE sign_in_buckets SET failures = CASE WHEN failures > ? THEN failures - ? ELSE 0 END, delayed_until_ms = NULL WHERE bucket = ?`,
);
const PRUNE_BUCKETS = new SqlQuery(`DELETE FROM sign_in_buckets WHERE updated_at_ms < CAST(? AS bigint)`);
const KNOWN_ADDRESS = new SqlQuery<{ known: number }>(
  `SELECT 1 AS known FROM user_sign_in_addresses WHERE user_id = ? AND address = ? AND last_success_at_ms >= CAST(? AS bigint)`,
);
const REMEMBER_ADDRESS = new SqlQuery(
  `INSERT INTO user_sign_in_addresses (user_id, address, last_success_at_ms) VALUES (?, ?, CAST(? AS bigint))
   ON CONFLICT (user_id, address) DO UPDATE SET last_success_at_ms = excluded.last_success_at_ms`,
);
const FORGET_ADDRESSES = new SqlQuery(
  `DELETE FROM user_sign_in_addresses WHERE user_id = ? AND (last_success_at_ms < CAST(? AS bigint) OR id NOT IN (
     SELECT id FROM user_sign_in_addresses WHERE user_id = ? ORDER BY last_success_at_ms DESC, id DESC LIMIT ${KNOWN_ADDRESSES_KEPT}))`,
);

/** A live token (not revoked, not expired) of an active user. */
const LIVE_TOKEN = new SqlQuery<{
  token_id: number | string;
  expires_at: unknown;
  created_at: unknown;
  user_id: number | string;
  email: string;
  role: string;
  donor_id: number | string | null;
  organisation_id: number | string | null;
}>(
  `SELECT t.id AS token_id, t.expires_at AS expires_at, t.created_at AS created_at, u.id AS user_id, u.email AS email, u.role AS role, u.donor_id AS donor_id,
          u.organisation_id AS organisation_id
     FROM auth_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.active = TRUE`,
);

/** A live token and what a request needs of its user. */
export interface LiveToken {
  tokenId: number;
  expiresAt: Date;
  createdAt: Date;
  user: Pick<UserEntity, 'id' | 'email' | 'role' | 'donorId' | 'organisationId'>;
}

@Injectable()
export class AuthRepository {
  constructor(private readonly dataSource: DataSource) {}

  countUsers(): Promise<number> {
    return this.dataSource.getRepository(UserEntity).count();
  }

  findUserByEmail(email: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOne({ where: { email: email.toLowerCase() } });
  }

  findUserById(id: number): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOne({ where: { id } });
  }

  /** A page of the organisation's users by id. */
  listUsers(organisationId: number, afterId: number, limit: number): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).find({ where: { organisationId, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit + 1 });
  }

  /**
   * A live token with its user (active users only), for sessions whose expiry slides with use.
   * Every page request and every uncached API token asks: one prepared join instead of two
   * TypeORM finds (whose query building was a tenth of a cached page's CPU). Dates pass through
   * the driver's own conversions, as a find's would.
   */
  async findLiveToken(tokenHash: string, now: Date): Promise<LiveToken | null> {
    const driver = this.dataSource.driver;
    const columns = this.tokenColumns();
    const [row] = await LIVE_TOKEN.run(this.dataSource.manager, [tokenHash, driver.preparePersistentValue(now, columns.expiresAt)]);
    if (!row) return null;
    return {
      tokenId: Number(row.token_id),
      expiresAt: driver.prepareHydratedValue(row.expires_at, columns.expiresAt) as Date,
      createdAt: driver.prepareHydratedValue(row.created_at, columns.createdAt) as Date,
      user: {
        id: Number(row.user_id),
        email: row.email,
        role: row.role as Role,
        donorId: row.donor_id === null ? null : Number(row.donor_id),
        organisationId: row.organisation_id === null ? null : Number(row.organisation_id),
      },
    };
  }

  private tokenColumns() {
    const metadata = this.dataSource.getMetadata(AuthTokenEntity);
    const column = (property: string) => {
      const found = metadata.findColumnWithPropertyName(property);
      if (!found) throw new Error(`AuthTokenEntity has no column ${property}`);
      return found;
    };
    return { expiresAt: column('expiresAt'), createdAt: column('createdAt') };
  }

  extendToken(tx: EntityManager, tokenId: number, expiresAt: Date): Promise<unknown> {
    return tx.getRepository(AuthTokenEntity).update({ id: tokenId, revokedAt: IsNull() }, { expiresAt });
  }

  emailTaken(tx: EntityManager, email: string): Promise<boolean> {
    return tx.getRepository(UserEntity).exists({ where: { email } });
  }

  insertUser(tx: EntityManager, user: Partial<UserEntity>): Promise<UserEntity> {
    return tx.getRepository(UserEntity).save(tx.getRepository(UserEntity).create(user));
  }

  /** The bucket's count including this attempt, or null when the bucket is delayed and nothing was counted. */
  async countSignInAttempt(tx: EntityManager, bucket: string, nowMs: number, forgetBeforeMs: number): Promise<number | null> {
    const [row] = await COUNT_ATTEMPT.run(tx, [bucket, nowMs, forgetBeforeMs, nowMs]);
    return row ? Number(row.failures) : null;
  }

  async delaySignIns(tx: EntityManager, bucket: string, untilMs: number): Promise<void> {
    await DELAY_BUCKET.run(tx, [untilMs, bucket]);
  }

  async signInDelayedUntil(tx: EntityManager, bucket: string): Promise<number | null> {
    const [row] = await BUCKET_DELAY.run(tx, [bucket]);
    return epochMs(row?.delayed_until_ms);
  }

  async releaseSignInBucket(tx: EntityManager, bucket: string, attempts: number): Promise<void> {
    await RELEASE_BUCKET.run(tx, [attempts, attempts, bucket]);
  }

  async pruneSignInBuckets(tx: EntityManager, beforeMs: number): Promise<void> {
    await PRUNE_BUCKETS.run(tx, [beforeMs]);
  }

  /** Whether the user signed in from this address since `sinceMs`; user 0 (no such account) never did. */
  async isKnownSignInAddress(userId: number, address: string, sinceMs: number): Promise<boolean> {
    return (await KNOWN_ADDRESS.run(this.dataSource.manager, [userId, address, sinceMs])).length > 0;
  }

  /** Remembers a successful sign-in's address; keeps the most recent few, none older than `forgetBeforeMs`. */
  async rememberSignInAddress(tx: EntityManager, userId: number, address: string, nowMs: number, forgetBeforeMs: number): Promise<void> {
    await REMEMBER_ADDRESS.run(tx, [userId, address, nowMs]);
    await FORGET_ADDRESSES.run(tx, [userId, forgetBeforeMs, userId]);
  }

  insertToken(tx: EntityManager, token: Partial<AuthTokenEntity>): Promise<AuthTokenEntity> {
    return tx.getRepository(AuthTokenEntity).save(tx.getRepository(AuthTokenEntity).create(token));
  }

  revokeToken(tx: EntityManager, tokenHash: string, now: Date): Promise<unknown> {
    return tx.getRepository(AuthTokenEntity).update({ tokenHash, revokedAt: IsNull() }, { revokedAt: now });
  }
  findUserInTx(tx: EntityManager, id: number): Promise<UserEntity | null> {
    return tx.getRepository(UserEntity).findOne({ where: { id } });
  }

  /** The organisation's user (null for another organisation's). */
  findOrganisationUser(organisationId: number, id: number): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOne({ where: { organisationId, id } });
  }

  /** The organisation's user, to change it in `tx` (null for another organisation's). */
  findOrganisationUserInTx(tx: EntityManager, organisationId: number, id: number): Promise<UserEntity | null> {
    return tx.getRepository(UserEntity).findOne({ where: { organisationId, id } });
  }

  /** The organisation's active admins other than `exceptUserId`: its last one may not be deactivated or demoted. */
  countOtherActiveAdmins(tx: EntityManager, organisationId: number, exceptUserId: number): Promise<number> {
    return tx.getRepository(UserEntity).count({ where: { organisationId, role: 'admin', active: true, id: Not(exceptUserId) } });
  }

  async updateUser(tx: EntityManager, id: number, patch: { role: Role; donorId: number | null; active: boolean }): Promise<void> {
    await tx.getRepository(UserEntity).update({ id }, patch);
  }

  async setPasswordHash(tx: EntityManager, id: number, passwordHash: string): Promise<void> {
    await tx.getRepository(UserEntity).update({ id }, { passwordHash });
  }

  /** Ends every live token of a user (sign-ins on every instance), except the one named. */
  async revokeUserTokens(tx: EntityManager, userId: number, now: Date, exceptTokenHash: string | null = null): Promise<void> {
    const where = { userId, revokedAt: IsNull(), ...(exceptTokenHash ? { tokenHash: Not(exceptTokenHash) } : {}) };
    await tx.getRepository(AuthTokenEntity).update(where, { revokedAt: now });
  }

  insertPasswordReset(tx: EntityManager, reset: Pick<PasswordResetEntity, 'userId' | 'tokenHash' | 'expiresAt' | 'issuedBy'>): Promise<PasswordResetEntity> {
    return tx.getRepository(PasswordResetEntity).save(tx.getRepository(PasswordResetEntity).create(reset));
  }

  /** Marks a user's unused reset links as used, so only the newest one works. */
  async voidPasswordResets(tx: EntityManager, userId: number, now: Date): Promise<void> {
    await tx.getRepository(PasswordResetEntity).update({ userId, usedAt: IsNull() }, { usedAt: now });
  }

  findLivePasswordReset(tx: EntityManager | null, tokenHash: string, now: Date): Promise<PasswordResetEntity | null> {
    const manager = tx ?? this.dataSource.manager;
    return manager.getRepository(PasswordResetEntity).findOne({ where: { tokenHash, usedAt: IsNull(), expiresAt: MoreThan(now) } });
  }

  /** Uses a live link once: true when this call used it. */
  async usePasswordReset(tx: EntityManager, id: number, now: Date): Promise<boolean> {
    const result = await tx.getRepository(PasswordResetEntity).update({ id, usedAt: IsNull() }, { usedAt: now });
    return (result.affected ?? 0) === 1;
  }
}
