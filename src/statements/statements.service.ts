import { Injectable } from '@nestjs/common';
import { type Actor, organisationOf } from '../access/actor';
import { formatAmount } from '../common/money/money';
import { todayUtc } from '../common/dates';
import { BusinessRuleError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import type { Page, PageRequest } from '../common/http/pagination';
import { toPage } from '../common/http/pagination';
import { AuditService } from '../audit/audit.service';
import { DonorsService } from '../donors/donors.service';
import { FundingGapService } from '../funding/funding-gap.service';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { fulfilmentOf } from '../ledger/fulfilment';
import { LedgerFigures } from '../ledger/ledger-figures.service';
import type { PublishStatementDto } from './dto';
import {
  defaultTitle,
  diffStatements,
  donorSection,
  periodEnd,
  STATEMENT_FORMAT,
  statementHash,
  statementText,
  type StatementContent,
  type StatementDiff,
  type StatementPledge,
} from './statement-document';
import type { StatementEntity } from './statement.entity';
import { StatementsRepository } from './statements.repository';

/** A statement as the API gives it (contract v2), with its content's records. */
export interface StatementView {
  id: number;
  title: string;
  period: string | null;
  asOf: string;
  knownOn: string;
  currency: string;
  publishedAt: string;
  publishedBy: { id: number; email: string };
  sha256: string;
  replaces: number | null;
  /** Only a donor's section of the statement (a donor user's view); the hash is of the whole statement. */
  donorSectionOnly?: boolean;
  figures: StatementContent['figures'];
  records: StatementContent['records'];
}

/** A statement as another document cites it. */
export interface StatementCitation {
  id: number;
  title: string;
  asOf: string;
  knownOn: string;
  sha256: string;
}

export type StatementSummary = Omit<StatementView, 'figures' | 'records'>;

/** A statement with its parsed content, as the pages and documents read it. */
export interface StatementRecord {
  summary: StatementSummary;
  content: StatementContent;
}

/**
 * Published statements: the funding engine's figures frozen at (asOf, knownOn), with the records
 * they describe, stored once as canonical JSON with its SHA-256. Never updated: a correction is a
 * new statement that names the one it replaces. The figures are the funding-gap body at (asOf,
 * knownOn), so a fresh computation at the same pair gives them again (the knownOn reading makes
 * later writes and back-dated rates invisible to it).
 */
@Injectable()
export class StatementsService {
  constructor(
    private readonly funding: FundingGapService,
    private readonly ledger: LedgerFigures,
    private readonly donors: DonorsService,
    private readonly statements: StatementsRepository,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async publish(actor: Actor, dto: PublishStatementDto, idem: IdempotencyContext | null) {
    const { period, asOf } = whenOf(dto);
    const publishedAt = new Date();
    if (dto.knownOn !== undefined && !dto.knownOn.includes('T') && dto.knownOn >= todayUtc(publishedAt))
      throw InvalidInputError.field('knownOn', 'knownOn must be a day that has ended, or a time; leave it out to freeze what is known now');
    const knownOn = dto.knownOn ?? (await nextWholeSecond(publishedAt));
    const currency = dto.currency ?? 'USD';
    const content = await this.contentAt(period, asOf, knownOn, currency, dto.title ?? defaultTitle(period, asOf));
    const text = statementText(content);
    const sha256 = statementHash(text);
    return this.idempotency.create(idem, async (tx) => {
      if (dto.replaces !== undefined && !(await this.statements.exists(organisationOf(actor), dto.replaces, tx)))
        throw BusinessRuleError.field('replaces', `there is no statement ${dto.replaces} to replace`);
      const saved = await this.statements.insert(tx, {
        organisationId: organisationOf(actor),
        title: content.title,
        period,
        asOf,
        knownOn,
        currency,
        publishedAt,
        publishedBy: actor.id,
        publishedByEmail: actor.email,
        sha256,
        replacesId: dto.replaces ?? null,
        content: text,
      });
      const summary = summaryOf(saved);
      await this.audit.record(tx, actor, { action: 'statement.publish', entityType: 'statement', entityId: saved.id, after: summary });
      return { ...summary, figures: content.figures, records: content.records };
    });
  }

  /** The statement's content computed afresh at (asOf, knownOn): what publishing would store. */
  async contentAt(period: string | null, asOf: string, knownOn: string, currency: StatementContent['currency'], title: string): Promise<StatementContent> {
    const display = currency === 'EUR' || currency === 'AZN' ? currency : 'USD';
    const figures = await this.funding.get(display, asOf, { knownOn });
    const [records, names] = await Promise.all([this.ledger.records(asOf, knownOn), this.donors.namesById()]);
    const money = (minor: bigint | null, code: string | null) =>
      minor === null || code === null ? null : { amount: formatAmount(minor, code), currency: code };
    const pledges: StatementPledge[] = records.pledges.map((p) => ({
      id: p.id,
      donorId: p.donorId,
      donorName: names.get(p.donorId) ?? `Donor ${p.donorId}`,
      title: p.title,
      kind: p.kind,
      amount: p.kind === 'cash' ? money(p.amountMinor, p.currency) : null,
      inKind: p.kind === 'in_kind' ? { quantity: p.quantity, unit: p.unit, upTo: p.upTo, unitValue: money(p.unitValueMinor, p.currency) } : null,
      channel: p.channel,
      channelName: p.channelName,
      instrument: p.instrument,
      source: p.source,
      valueDate: p.valueDate,
      status: fulfilmentOf({
        kind: p.kind,
        commitment: p.commitment,
        cancelled: p.cancelled,
        amountMinor: p.kind === 'cash' ? p.amountMinor : null,
        disbursedMinor: p.receivedMinor,
        quantity: p.quantity,
        deliveredQuantity: p.deliveredQuantity,
      }).status,
      cancelled: p.cancelled,
      received: p.kind === 'cash' ? money(p.receivedMinor, p.currency) : null,
      deliveredQuantity: p.kind === 'in_kind' ? p.deliveredQuantity : null,
    }));
    const receipts = records.receipts.map((r) => ({
      id: r.id,
      pledgeId: r.pledgeId,
      receivedOn: r.receivedOn,
      amount: money(r.amountMinor, r.currency),
      quantity: r.quantity,
      reference: r.reference,
    }));
    return { format: STATEMENT_FORMAT, title, period, asOf, knownOn, currency: display, figures, records: { pledges, receipts } };
  }

  /** What a digest cites: the statement published last (null before the first), with where to read it. */
  async latestCitation(organisationId: number): Promise<StatementCitation | null> {
    const row = await this.statements.latest(organisationId);
    return row ? { id: row.id, title: row.title, asOf: row.asOf, knownOn: row.knownOn, sha256: row.sha256 } : null;
  }

  async list(actor: Actor, request: PageRequest): Promise<Page<StatementSummary>> {
    return toPage(await this.statements.page(organisationOf(actor), request.afterId === 0 ? 0 : request.afterId, request.limit), request, summaryOf);
  }

  /** A statement as `actor` may read it: a donor user, only the national picture and its own donor's section. */
  async read(actor: Actor, id: number): Promise<StatementRecord> {
    const row = await this.statements.find(organisationOf(actor), id);
    if (!row) throw new NotFoundError('Statement', id);
    const content = JSON.parse(row.content) as StatementContent;
    if (actor.role !== 'donor') return { summary: summaryOf(row), content };
    return { summary: { ...summaryOf(row), donorSectionOnly: true }, content: donorSection(content, actor.donorId ?? -1) };
  }

  async view(actor: Actor, id: number): Promise<StatementView> {
    const { summary, content } = await this.read(actor, id);
    return { ...summary, figures: content.figures, records: content.records };
  }

  /** The stored bytes of a statement (the whole of it: what sha256 covers), or a donor's section of it. */
  async documentJson(actor: Actor, id: number): Promise<string> {
    const row = await this.statements.find(organisationOf(actor), id);
    if (!row) throw new NotFoundError('Statement', id);
    return actor.role === 'donor' ? statementText(donorSection(JSON.parse(row.content) as StatementContent, actor.donorId ?? -1)) : row.content;
  }

  /** What changed since the statement published before this one. */
  async diff(actor: Actor, id: number): Promise<StatementDiff & { id: number }> {
    const row = await this.statements.find(organisationOf(actor), id);
    if (!row) throw new NotFoundError('Statement', id);
    const previous = await this.statements.previous(row.organisationId, id);
    const diff = diffStatements(
      JSON.parse(row.content) as StatementContent,
      previous ? { id: previous.id, content: JSON.parse(previous.content) as StatementContent } : null,
      (pledgeId) => `/pledges/${pledgeId}`,
      (code) => `/priorities/${code}`,
    );
    return { id, ...diff };
  }
}

/**
 * The first whole second after `now`, once it has come: a statement freezes everything recorded
 * before it. SQLite keeps created_at to the second, so a cut-off inside a second could not say
 * whether a record of that second came before it; at a whole second, everything recorded up to
 * the publication counts and nothing recorded after the wait does.
 */
async function nextWholeSecond(now: Date): Promise<string> {
  const cutoff = Math.ceil(now.getTime() / 1000) * 1000;
  const wait = cutoff - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  return `${new Date(cutoff).toISOString().slice(0, 19)}Z`;
}

function whenOf(dto: PublishStatementDto): { period: string | null; asOf: string } {
  if (dto.period !== undefined && dto.asOf !== undefined) throw InvalidInputError.field('period', 'give period or asOf, not both');
  if (dto.period !== undefined) {
    const end = periodEnd(dto.period);
    if (end === null) throw InvalidInputError.field('period', 'period must be a quarter written like 2025-Q1');
    if (end > todayUtc()) throw InvalidInputError.field('period', 'period has not ended yet: publish for a date (asOf) instead');
    return { period: dto.period, asOf: end };
  }
  if (dto.asOf === undefined) throw InvalidInputError.field('period', 'give a period (2025-Q1) or an asOf date');
  return { period: null, asOf: dto.asOf };
}

function summaryOf(row: StatementEntity): StatementSummary {
  return {
    id: row.id,
    title: row.title,
    period: row.period,
    asOf: row.asOf,
    knownOn: row.knownOn,
    currency: row.currency,
    publishedAt: new Date(row.publishedAt).toISOString(),
    publishedBy: { id: row.publishedBy, email: row.publishedByEmail },
    sha256: row.sha256,
    replaces: row.replacesId,
  };
}
