import { Injectable } from '@nestjs/common';
import { BusinessRuleError } from '../common/errors/domain-errors';
import { Ledger } from '../ledger/ledger.service';
import { todayUtc } from '../common/dates';
import type { InstalmentEntity } from '../ledger/instalment.entity';
import { matchingOrder } from '../ledger/instalment-rules';
import { formatAmount } from '../common/money/money';
import type { DisbursementEntity } from '../ledger/pledge.entity';
import { scheduleViews } from '../pledges/instalment-view';
import { PledgesService, toDisbursementView } from '../pledges/pledges.service';
import { csvLine, UTF8_BOM } from '../common/csv';
import { IATI_FOOTER, iatiActivityXml, iatiHeader } from './iati';
import { instalmentToCsvLine, PLEDGE_EXPORT_HEADER, pledgeToCsvLine, generatedRef, receiptToCsvLine } from './pledge-csv';

/** Rows read per query while streaming an export: memory stays flat however big the ledger. */
const PAGE = 1_000;

export type Sink = (chunk: string) => void;

export const DISBURSEMENT_EXPORT_HEADER = [
  'id',
  'pledgeId',
  'pledgeExternalRef',
  'donor',
  'receivedOn',
  'receivedOnBasis',
  'amount',
  'currency',
  'quantity',
  'unit',
  'countedAmount',
  'pledgeCurrency',
  'rate',
  'rateDate',
  'rateSource',
  'reference',
  'overDisbursementReason',
  'source',
  'notes',
  'createdAt',
];

/** Pledges and disbursements as CSV, and the IATI 2.03 activity file, written page by page to a sink. */
@Injectable()
export class ExportService {
  constructor(
    private readonly ledger: Ledger,
    private readonly pledges: PledgesService,
  ) {}

  /** The organisation's pledges. */
  async pledgesCsv(organisationId: number, write: Sink): Promise<void> {
    write(UTF8_BOM + csvLine(PLEDGE_EXPORT_HEADER));
    for (let afterId = 0; ;) {
      const page = await this.ledger.pledgePage({ organisationId, afterId, limit: PAGE });
      const rows = page.slice(0, PAGE);
      const byPledge = await this.receiptsByPledge(rows.map((p) => p.id));
      const schedules = new Map<number, InstalmentEntity[]>();
      for (const i of await this.ledger.instalmentsOfPledges(rows.map((p) => p.id))) schedules.set(i.pledgeId, [...(schedules.get(i.pledgeId) ?? []), i]);
      for (const p of rows) {
        const view = await this.pledges.toView(p, null);
        write(pledgeToCsvLine(view, { type: p.donor.type, countryCode: p.donor.countryCode }));
        const ref = p.externalRef ?? generatedRef(p.id);
        for (const d of byPledge.get(p.id) ?? []) write(receiptToCsvLine(ref, p.kind, p.donor.name, toDisbursementView(d, p.currency)));
        // Then its planned instalments, in matching order (due date, then id), so a re-import plans them alike.
        for (const i of matchingOrder(schedules.get(p.id) ?? []))
          write(
            instalmentToCsvLine(ref, p.donor.name, {
              id: i.id,
              dueOn: i.dueOn,
              amount: i.amountMinor !== null && p.currency ? formatAmount(i.amountMinor, p.currency) : null,
              quantity: i.quantity,
              createdAt: new Date(i.createdAt).toISOString(),
            }),
          );
      }
      if (page.length <= PAGE) return;
      afterId = rows[rows.length - 1].id;
    }
  }

  /** The organisation's receipts and deliveries. */
  async disbursementsCsv(organisationId: number, write: Sink): Promise<void> {
    write(UTF8_BOM + csvLine(DISBURSEMENT_EXPORT_HEADER));
    for (let afterId = 0; ;) {
      const page = await this.ledger.receiptPage(organisationId, afterId, PAGE);
      for (const d of page) {
        const p = d.pledge;
        const view = toDisbursementView(d, p.currency);
        write(
          csvLine([
            view.id,
            view.pledgeId,
            p.externalRef ?? generatedRef(p.id),
            p.donor.name,
            view.receivedOn,
            view.receivedOnBasis,
            view.amount,
            view.currency,
            view.quantity,
            p.kind === 'in_kind' ? p.inKindUnit : null,
            view.counted?.amount ?? null,
            p.currency,
            view.rate,
            view.rateDate,
            view.rateSource,
            view.reference,
            view.overDisbursementReason,
            view.source,
            view.notes,
            view.createdAt,
          ]),
        );
      }
      if (page.length < PAGE) return;
      afterId = page[page.length - 1].id;
    }
  }

  /**
   * One IATI activity per pledge (src/interop/README.md). The schema needs at least one activity,
   * so an empty ledger is a 422 before anything is written.
   */
  async iatiActivities(organisationId: number, write: Sink, generatedAt = new Date()): Promise<void> {
    let page = await this.ledger.pledgePage({ organisationId, afterId: 0, limit: PAGE });
    if (page.length === 0) throw BusinessRuleError.field('pledges', 'there are no pledges to export yet');
    write(iatiHeader(generatedAt));
    const generatedOn = generatedAt.toISOString().slice(0, 10);
    for (;;) {
      const rows = page.slice(0, PAGE);
      const byPledge = await this.receiptsByPledge(rows.map((p) => p.id));
      const schedules = new Map<number, InstalmentEntity[]>();
      for (const i of await this.ledger.instalmentsOfPledges(rows.map((p) => p.id))) schedules.set(i.pledgeId, [...(schedules.get(i.pledgeId) ?? []), i]);
      const today = todayUtc();
      for (const p of rows) {
        const view = await this.pledges.toView(p, null);
        const own = (byPledge.get(p.id) ?? []).map((d) => toDisbursementView(d, p.currency));
        const instalments = scheduleViews(p, schedules.get(p.id) ?? [], today);
        write(iatiActivityXml({ pledge: view, donorType: p.donor.type, disbursements: own, instalments, generatedOn }));
      }
      if (page.length <= PAGE) break;
      page = await this.ledger.pledgePage({ organisationId, afterId: rows[rows.length - 1].id, limit: PAGE });
    }
    write(IATI_FOOTER);
  }

  /** The receipts and deliveries of these pledges, oldest first, by pledge. */
  private async receiptsByPledge(pledgeIds: readonly number[]): Promise<Map<number, DisbursementEntity[]>> {
    const byPledge = new Map<number, DisbursementEntity[]>();
    if (pledgeIds.length === 0) return byPledge;
    for (const d of await this.ledger.receiptsOfPledges(pledgeIds)) {
      const own = byPledge.get(d.pledgeId);
      if (own) own.push(d);
      else byPledge.set(d.pledgeId, [d]);
    }
    return byPledge;
  }
}
