import { Injectable } from '@nestjs/common';
import { type Actor, organisationOf } from '../access/actor';
import type { Transaction } from '../database/unit-of-work';
import type { AuditEntryEntity } from './audit-entry.entity';
import { AuditRepository, type AuditQuery } from './audit.repository';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string | number;
  before?: object | null;
  after?: object | null;
  reason?: string | null;
}

/** JSON cannot hold bigint; audit snapshots keep minor units as exact strings. */
function snapshot(value: object | null | undefined): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
}

/** Who did what, when, with the record before and after. Written in the same transaction as the change. */
@Injectable()
export class AuditService {
  constructor(private readonly entries: AuditRepository) {}

  async record(tx: Transaction, actor: Actor, entry: AuditRecord): Promise<void> {
    await this.entries.append(tx, {
      organisationId: actor.organisationId,
      at: new Date(),
      actorId: actor.id || null,
      actorEmail: actor.email,
      action: entry.action,
      entityType: entry.entityType,
      entityId: String(entry.entityId),
      before: snapshot(entry.before),
      after: snapshot(entry.after),
      reason: entry.reason ?? null,
    });
  }

  historyOf(entityType: string, entityId: string | number): Promise<AuditEntryEntity[]> {
    return this.entries.historyOf(entityType, String(entityId));
  }

  /** Per record, its state at the end of the UTC day `day`, where a change (one of `actions`) was recorded after it: that change's `before`. */
  firstBeforeAfter(reader: Transaction, entityType: string, actions: readonly string[], day: string): Promise<Map<string, Record<string, unknown>>> {
    return this.entries.firstBeforeAfter(reader, entityType, actions, day);
  }

  /** A page of the actor's organisation's entries. */
  list(actor: Actor, query: AuditQuery): Promise<AuditEntryEntity[]> {
    return this.entries.page(organisationOf(actor), query);
  }
}
