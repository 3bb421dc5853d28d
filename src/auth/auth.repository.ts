import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { AuthTokenEntity, UserEntity } from './user.entity';

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

  listUsers(afterId: number, limit: number): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).find({ where: { id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit + 1 });
  }

  /** A live token with its user (active users only), for sessions whose expiry slides with use. */
  async findLiveToken(tokenHash: string, now: Date): Promise<{ token: AuthTokenEntity; user: UserEntity } | null> {
    const token = await this.dataSource.getRepository(AuthTokenEntity).findOne({
      where: { tokenHash, revokedAt: IsNull(), expiresAt: MoreThan(now) },
    });
    if (!token) return null;
    const user = await this.findUserById(token.userId);
    return user?.active ? { token, user } : null;
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

  updateLoginState(tx: EntityManager, userId: number, failedLogins: number, lockedUntil: Date | null): Promise<unknown> {
    return tx.getRepository(UserEntity).update({ id: userId }, { failedLogins, lockedUntil });
  }

  insertToken(tx: EntityManager, token: Partial<AuthTokenEntity>): Promise<AuthTokenEntity> {
    return tx.getRepository(AuthTokenEntity).save(tx.getRepository(AuthTokenEntity).create(token));
  }

  revokeToken(tx: EntityManager, tokenHash: string, now: Date): Promise<unknown> {
    return tx.getRepository(AuthTokenEntity).update({ tokenHash, revokedAt: IsNull() }, { revokedAt: now });
  }
}
