import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { UsersService } from '../auth/users.service';
import { auditTimeRange, parseAuditFilter } from '../audit/audit-query';
import type { AuditEntryEntity } from '../audit/audit-entry.entity';
import { AuditService } from '../audit/audit.service';
import { parsePageRequest, toPage } from '../common/http/pagination';
import { APP_TIME_ZONE_LABEL } from '../common/presentation/format';
import { DonorsService } from '../donors/donors.service';
import { Ledger } from '../ledger/ledger.service';
import { PrioritiesService } from '../priorities/priorities.service';
import { actionLabel, AUDIT_ACTIONS, describeChanges, RECORD_TYPES, recordTypeLabel, type RecordNames } from './audit-labels';

/** Entries per page of the audit log. */
const AUDIT_PAGE = 50;

interface RecordLink {
  type: string;
  name: string;
  href: string | null;
}

function idOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** Who did what to which record, newest first, in words: the audit log page. */
@Injectable()
export class AuditPagesService {
  constructor(
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly donors: DonorsService,
    private readonly ledger: Ledger,
    private readonly priorities: PrioritiesService,
  ) {}

  async auditPage(actor: Actor, query: Record<string, unknown>) {
    const filter = parseAuditFilter(query, 'newest');
    const page = parsePageRequest(query.limit ?? String(AUDIT_PAGE), query.cursor);
    const [rows, users, donors, priorities] = await Promise.all([
      this.audit.list(actor, { ...filter, ...auditTimeRange(filter), newestFirst: filter.order === 'newest', ...page }),
      this.users.list(actor, parsePageRequest('500', undefined)),
      this.donors.list(actor, parsePageRequest('500', undefined)),
      this.priorities.list(actor),
    ]);
    const userEmails = new Map(users.items.map((u) => [u.id, u.email]));
    const donorNames = new Map(donors.items.map((d) => [d.id, d.name]));
    const pledgeIds = new Set<number>();
    for (const e of rows) {
      if (e.entityType === 'pledge' && /^\d+$/.test(e.entityId)) pledgeIds.add(Number(e.entityId));
      for (const snapshot of [e.before, e.after]) {
        const id = idOf(snapshot?.pledgeId);
        if (id !== null) pledgeIds.add(id);
      }
    }
    const pledges = new Map((await this.ledger.findPledges([...pledgeIds])).map((p) => [p.id, { title: p.title, donor: p.donor?.name ?? null }]));
    const names: RecordNames = { donor: (id) => donorNames.get(id), pledge: (id) => pledges.get(id)?.title };
    const priorityTitles = new Map(priorities.map((p) => [p.code, `${p.rank}. ${p.title}`]));

    const record = (e: AuditEntryEntity): RecordLink => {
      const type = recordTypeLabel(e.entityType);
      const snapshot = e.after ?? e.before ?? {};
      const numeric = /^\d+$/.test(e.entityId) ? Number(e.entityId) : null;
      switch (e.entityType) {
        case 'pledge': {
          const p = numeric === null ? undefined : pledges.get(numeric);
          return { type, name: p ? `${p.title}${p.donor ? ` (${p.donor})` : ''}` : `no. ${e.entityId}`, href: `/pledges/${e.entityId}` };
        }
        case 'disbursement': {
          const pledgeId = idOf(snapshot.pledgeId);
          const p = pledgeId === null ? undefined : pledges.get(pledgeId);
          return { type, name: p ? `on ${p.title}` : `no. ${e.entityId}`, href: pledgeId === null ? null : `/pledges/${pledgeId}` };
        }
        case 'donor':
          return { type, name: (numeric !== null && donorNames.get(numeric)) || `no. ${e.entityId}`, href: `/donors/${e.entityId}` };
        case 'donor_contact': {
          const donorId = idOf(snapshot.donorId);
          const email = typeof snapshot.email === 'string' ? snapshot.email : `no. ${e.entityId}`;
          const donor = donorId === null ? undefined : donorNames.get(donorId);
          return { type, name: donor ? `${email} (${donor})` : email, href: donorId === null ? null : `/donors/${donorId}` };
        }
        case 'user':
          return {
            type,
            name: (numeric !== null && userEmails.get(numeric)) || (typeof snapshot.email === 'string' ? snapshot.email : `no. ${e.entityId}`),
            href: null,
          };
        case 'priority':
          return { type, name: priorityTitles.get(e.entityId) ?? e.entityId, href: null };
        case 'digest_run':
          return { type, name: `for ${e.entityId}`, href: null };
        default:
          return { type, name: `no. ${e.entityId}`, href: null };
      }
    };

    const result = toPage(rows, page, (e) => ({
      id: e.id,
      at: new Date(e.at).toISOString(),
      who: e.actorEmail ?? 'the system',
      action: actionLabel(e.action, e.after),
      record: record(e),
      reason: e.reason,
      changes: describeChanges(e.before, e.after, names),
    }));

    const params = new URLSearchParams();
    for (const name of ['actorId', 'action', 'entityType', 'entityId', 'from', 'to'] as const) {
      const value = query[name];
      if (typeof value === 'string' && value !== '') params.set(name, value);
    }
    const older = new URLSearchParams(params);
    if (result.nextCursor) older.set('cursor', result.nextCursor);
    return {
      title: 'Audit log',
      timeZone: APP_TIME_ZONE_LABEL,
      filters: {
        actorId: filter.actorId === undefined ? '' : String(filter.actorId),
        action: filter.action ?? '',
        entityType: filter.entityType ?? '',
        entityId: filter.entityId ?? '',
        from: filter.from ?? '',
        to: filter.to ?? '',
      },
      filtered: params.size > 0,
      users: users.items.map((u) => ({ id: String(u.id), email: u.email })),
      actions: AUDIT_ACTIONS,
      recordTypes: RECORD_TYPES,
      entries: result.items,
      olderHref: result.nextCursor ? `/audit?${older.toString()}` : null,
      newestHref: page.afterId ? `/audit?${params.toString()}` : null,
    };
  }
}
