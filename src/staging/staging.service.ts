import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Actor, organisationOf } from '../access/actor';
import { InvalidInputError } from '../common/errors/domain-errors';
import { UnitOfWork } from '../database/unit-of-work';
import type { StagedKind } from './staged-upload.entity';
import { StagingRepository } from './staging.repository';

/** How long a previewed upload waits for its confirmation. */
export const STAGED_UPLOAD_MINUTES = 60;

export interface StagedUpload {
  id: string;
  fileName: string | null;
  content: string;
}

/**
 * Uploads between their preview and their confirmation: a user stages a file, reads what it would
 * do, and confirms by its id; the bytes applied are the bytes previewed. One staged file per user
 * and kind; an expired or already applied one is refused with a message that says what to do.
 */
@Injectable()
export class StagingService {
  constructor(
    private readonly staged: StagingRepository,
    private readonly uow: UnitOfWork,
  ) {}

  async stage(actor: Actor, kind: StagedKind, content: string, fileName: string | null): Promise<string> {
    const id = randomUUID();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + STAGED_UPLOAD_MINUTES * 60_000);
    await this.uow.transaction(
      (tx) =>
        this.staged.replace(
          tx,
          { id, organisationId: organisationOf(actor), userId: actor.id, kind, fileName: fileName?.slice(0, 200) ?? null, content, expiresAt },
          now,
        ),
      {
        derivedOnly: true,
      },
    );
    return id;
  }

  async get(actor: Actor, kind: StagedKind, id: string): Promise<StagedUpload> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.staged.findLive(actor.id, kind, id, new Date()) : null;
    if (!row) throw gone();
    return { id: row.id, fileName: row.fileName, content: row.content };
  }

  /**
   * Takes a staged upload to apply it: it is removed in the same step, so a second confirmation
   * (a double click, another tab) finds nothing. What applying it writes is its own transaction.
   */
  async take(actor: Actor, kind: StagedKind, id: string): Promise<StagedUpload> {
    return this.uow.transaction(
      async (tx) => {
        const row = /^[0-9a-f-]{36}$/.test(id) ? await this.staged.findLive(actor.id, kind, id, new Date(), tx) : null;
        if (!row || !(await this.staged.remove(tx, row.id))) throw gone();
        return { id: row.id, fileName: row.fileName, content: row.content };
      },
      { derivedOnly: true },
    );
  }
}

function gone(): InvalidInputError {
  return InvalidInputError.field('file', `This upload was already applied or is more than ${STAGED_UPLOAD_MINUTES} minutes old: upload the file again`);
}
