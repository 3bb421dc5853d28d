import { Injectable } from '@nestjs/common';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import type { Transaction } from '../database/unit-of-work';
import { StagedUploadEntity, type StagedKind } from './staged-upload.entity';

/** The staged_uploads table. */
@Injectable()
export class StagingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Replaces the user's earlier upload of this kind and drops every expired one. */
  async replace(tx: Transaction, upload: Omit<StagedUploadEntity, 'createdAt'>, now: Date): Promise<void> {
    const repo = tx.getRepository(StagedUploadEntity);
    await repo.delete({ expiresAt: LessThan(now) });
    await repo.delete({ userId: upload.userId, kind: upload.kind });
    await repo.insert(upload);
  }

  findLive(userId: number, kind: StagedKind, id: string, now: Date, tx?: Transaction): Promise<StagedUploadEntity | null> {
    return (tx ?? this.dataSource.manager).getRepository(StagedUploadEntity).findOne({ where: { id, userId, kind, expiresAt: MoreThan(now) } });
  }

  /** Removes it; true when this call did (so two confirmations cannot both apply it). */
  async remove(tx: Transaction, id: string): Promise<boolean> {
    const result = await tx.getRepository(StagedUploadEntity).delete({ id });
    return (result.affected ?? 0) === 1;
  }
}
