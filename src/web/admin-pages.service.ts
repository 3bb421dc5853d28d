import { Injectable } from '@nestjs/common';
import type { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { InvalidInputError } from '../common/errors/domain-errors';
import { parsePageRequest, toPage } from '../common/http/pagination';
import { DonorsRepository } from '../donors/donors.repository';
import { DonorsService } from '../donors/donors.service';
import { displayCurrencyOf, FundingGapService } from '../funding/funding-gap.service';
import { todayUtc } from '../common/dates';
import { goodsText } from '../common/presentation/goods';
import { parsePledgeListQuery } from '../pledges/pledge-query';
import { PledgesService } from '../pledges/pledges.service';
import { actionLabel, describeChanges } from './pledge-list';
import { signOfDecimal } from '../common/presentation/format';

function single(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** View models for the donor, audit and user screens. */
@Injectable()
export class AdminPagesService {
  constructor(
    private readonly donors: DonorsService,
    private readonly donorRecords: DonorsRepository,
    private readonly pledges: PledgesService,
    private readonly audit: AuditService,
    private readonly funding: FundingGapService,
  ) {}

  async donorsPage(actor: Actor, query: Record<string, unknown>) {
    const page = parsePageRequest(query.limit, query.cursor);
    const result = await this.donors.list(actor, page);
    return {
      title: 'Donors',
      canAdd: actor.role === 'admin' || actor.role === 'officer',
      donors: result.items.map((d) => ({
        id: d.id,
        name: d.name,
        type: d.type,
        countryCode: d.countryCode,
        active: d.active,
        contacts: d.contacts.length,
        digestContacts: d.contacts.filter((c) => c.digestEnabled && !c.unsubscribedAt).length,
      })),
      nextPageHref: result.nextCursor ? `/donors?cursor=${encodeURIComponent(result.nextCursor)}` : null,
    };
  }

  /** One donor with its contacts, digest settings and pledges; another donor's page is a 404 to a donor user. */
  async donorPage(actor: Actor, id: number, flash: { kind: string; message: string } | null = null) {
    const donor = await this.donors.get(actor, id);
    const { filter, page } = parsePledgeListQuery({ donorId: String(id), limit: '500' });
    const currency = displayCurrencyOf(donor.displayCurrency);
    const [pledges, figures, national] = await Promise.all([
      this.pledges.list(actor, filter, page, donor.displayCurrency),
      // The donor's totals and the national picture from the funding engine: the figures its digest shows.
      this.funding.get(currency, todayUtc(), { donorId: id }),
      this.funding.get(currency, todayUtc()),
    ]);
    const f = figures.foreign;
    return {
      national: {
        government: national.government.total,
        governmentNote: national.government.source
          ? `${national.government.basis ?? 'stated'} as at ${national.government.asAt}; ${national.government.source}`
          : null,
        foreignItemised: national.foreign.itemised,
        foreignReceived: national.foreign.received,
        sharePledged: national.foreignShare.pledged,
        reportedShare: national.reported.foreignShare,
      },
      totals: {
        pledged: f.itemised,
        received: f.received,
        outstanding: f.outstanding,
        receiptNotDocumented: f.receiptNotDocumented,
        cancelled: signOfDecimal(f.cancelled.amount) === 0 ? null : f.cancelled,
        goods: figures.byDonor.flatMap((row) => row.inKind.map(goodsText)),
        asOf: figures.asOf,
      },
      title: donor.name,
      flash,
      donor: {
        ...donor,
        contacts: donor.contacts.map((c) => ({
          ...c,
          digest: c.unsubscribedAt ? `unsubscribed on ${c.unsubscribedAt.slice(0, 10)}` : c.digestEnabled ? 'receives the digest' : 'digest switched off',
        })),
      },
      pledges: pledges.items.map((p) => ({
        id: p.id,
        title: p.title,
        amount: p.amount,
        currency: p.currency,
        inKind: p.inKind ? { quantity: String(p.inKind.quantity), unit: p.inKind.unit } : null,
        status: p.status,
        converted: p.converted,
      })),
      digestPreviewHref: `/api/digests/preview/${donor.id}`,
      canRecordPledge: actor.role === 'admin' || actor.role === 'officer',
    };
  }

  async auditPage(query: Record<string, unknown>) {
    const entityType = single(query.entityType, 40);
    const entityId = single(query.entityId, 64);
    if (entityType && !/^[a-z_]{1,40}$/.test(entityType)) throw InvalidInputError.field('entityType', 'entityType is a word such as pledge or donor');
    if (entityId && !/^[0-9]{1,15}$/.test(entityId)) throw InvalidInputError.field('entityId', 'entityId is a number');
    const page = parsePageRequest(query.limit, query.cursor);
    const rows = await this.audit.list({ entityType: entityType || undefined, entityId: entityId || undefined, ...page });
    const result = toPage(rows, page, (e) => ({
      at: new Date(e.at).toISOString(),
      actorEmail: e.actorEmail,
      action: actionLabel(e.action),
      entityType: e.entityType,
      entityId: e.entityId,
      href: e.entityType === 'pledge' ? `/pledges/${e.entityId}` : e.entityType === 'donor' ? `/donors/${e.entityId}` : null,
      reason: e.reason,
      changes: describeChanges(e.before, e.after),
    }));
    const params = new URLSearchParams({ entityType, entityId });
    if (result.nextCursor) params.set('cursor', result.nextCursor);
    return {
      title: 'Audit log',
      filters: { entityType, entityId },
      entityTypes: ['pledge', 'disbursement', 'donor', 'donor_contact', 'user', 'priority'],
      entries: result.items,
      nextPageHref: result.nextCursor ? `/audit?${params.toString()}` : null,
    };
  }
}
