import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { parsePageRequest } from '../common/http/pagination';
import { DonorsService } from '../donors/donors.service';
import { displayCurrencyOf, FundingGapService } from '../funding/funding-gap.service';
import { todayUtc } from '../common/dates';
import { goodsText } from '../common/presentation/goods';
import { parsePledgeListQuery } from '../pledges/pledge-query';
import { PledgesService } from '../pledges/pledges.service';
import { signOfDecimal } from '../common/presentation/format';

/** View models for the donor, audit and user screens. */
@Injectable()
export class AdminPagesService {
  constructor(
    private readonly donors: DonorsService,
    private readonly pledges: PledgesService,
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
}
