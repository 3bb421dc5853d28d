import { Inject, Injectable } from '@nestjs/common';
import { type Actor, organisationOf } from '../access/actor';
import { Page, PageRequest, toPage } from '../common/http/pagination';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { DonorsService } from '../donors/donors.service';
import { DigestContentService, type DigestView } from './digest-content.service';
import type { MessageStatus } from './digest-message.entity';
import { DigestRenderer } from './digest-renderer';
import { parsePeriod, periodLabel, periodOf } from './digest-rules';
import type { RunDigestsDto } from './dto';
import { DigestsRepository, OutboxRow } from './digests.repository';
import { RunDigests, RunDigestsResult } from './run-digests';
import { UnsubscribeResult, UnsubscribeService } from './unsubscribe.service';
import { canSeeDonor, visibleOr404 } from '../access/donor-visibility';

export interface OutboxItemView {
  id: number;
  donorId: number;
  contactId: number;
  period: string;
  messageId: string;
  to: string;
  subject: string;
  status: MessageStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

function toOutboxItem(m: OutboxRow): OutboxItemView {
  return {
    id: m.id,
    donorId: m.donorId,
    contactId: m.contactId,
    period: m.period,
    messageId: m.messageId,
    to: m.toAddress,
    subject: m.subject,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    nextAttemptAt: m.status === 'queued' ? new Date(m.nextAttemptAt).toISOString() : null,
    sentAt: m.sentAt ? new Date(m.sentAt).toISOString() : null,
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

/** What the /digests page shows. */
export interface OutboxPageView {
  items: OutboxItemView[];
  nextCursor: string | null;
  counts: Record<MessageStatus, number>;
  smtpConfigured: boolean;
  currentPeriod: string;
}

/** The digests feature seen from HTTP: runs, the outbox, previews and unsubscribe links. */
@Injectable()
export class DigestsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: DigestsRepository,
    private readonly donors: DonorsService,
    private readonly runDigests: RunDigests,
    private readonly content: DigestContentService,
    private readonly renderer: DigestRenderer,
    private readonly unsubscribeLinks: UnsubscribeService,
  ) {}

  run(actor: Actor, dto: RunDigestsDto): Promise<RunDigestsResult> {
    const period = dto.period === undefined || dto.period === '' ? undefined : parsePeriod(dto.period);
    return this.runDigests.execute({ actor, period, donorIds: dto.donorIds });
  }

  /** What a run for a period would do, asked before it is started: donors and contacts that take digests. Writes nothing. */
  async describeRun(rawPeriod: unknown): Promise<{ period: string; periodLabel: string; donors: number; contacts: number; smtpConfigured: boolean }> {
    const period = rawPeriod === undefined || rawPeriod === '' ? periodOf(new Date()) : parsePeriod(rawPeriod);
    const recipients = await this.donors.digestRecipients(null);
    return {
      period,
      periodLabel: periodLabel(period),
      donors: recipients.length,
      contacts: recipients.reduce((n, r) => n + r.contacts.length, 0),
      smtpConfigured: this.config.smtpUrl !== null,
    };
  }

  /** The actor's organisation's outbox. */
  async outbox(actor: Actor, page: PageRequest): Promise<Page<OutboxItemView>> {
    return toPage(await this.repo.outboxPage(organisationOf(actor), page.afterId, page.limit), page, toOutboxItem);
  }

  async outboxPage(actor: Actor, page: PageRequest): Promise<OutboxPageView> {
    const [list, counts] = await Promise.all([this.outbox(actor, page), this.repo.statusCounts(organisationOf(actor))]);
    return { ...list, counts, smtpConfigured: this.config.smtpUrl !== null, currentPeriod: periodOf(new Date()) };
  }

  /** The donor's digest for a period as it would be sent now, without queuing or sending anything. */
  async preview(actor: Actor, donorId: number, rawPeriod: unknown): Promise<string> {
    const period = rawPeriod === undefined || rawPeriod === '' ? periodOf(new Date()) : parsePeriod(rawPeriod);
    const donor = visibleOr404(
      actor,
      canSeeDonor(actor, donorId) ? await this.donors.findDonorOf(organisationOf(actor), donorId) : null,
      (d) => d.id,
      'Donor',
      donorId,
    );
    const view = await this.content.build(this.content.snapshot(), donor, period, null);
    return (await this.renderer.render(view)).html;
  }

  /**
   * Renders a stored message again from the inputs kept with it (its view, with the statement it
   * cites) and says whether every byte of subject, HTML and text matches what was queued or sent,
   * and whether the templates are those it was rendered with. Messages queued before the inputs
   * were kept cannot be rendered again, and say so.
   */
  async rerender(actor: Actor, id: number) {
    const m = visibleOr404(actor, await this.repo.findMessage(organisationOf(actor), id), (row) => row.donorId, 'Message', id);
    const templatesSha256 = await this.renderer.templatesSha256();
    if (m.viewJson === null) return { id, statementId: m.statementId, inputsKept: false, sameTemplates: null, identical: null };
    const again = await this.renderer.render(JSON.parse(m.viewJson) as DigestView);
    return {
      id,
      statementId: m.statementId,
      inputsKept: true,
      sameTemplates: m.templatesSha256 === templatesSha256,
      identical: again.subject === m.subject && again.html === m.htmlBody && again.text === m.textBody,
    };
  }

  /** A queued or sent message exactly as stored, which is exactly what the donor receives. */
  async messageHtml(actor: Actor, id: number): Promise<string> {
    const message = await this.repo.findMessage(organisationOf(actor), id);
    return visibleOr404(actor, message, (m) => m.donorId, 'Message', id).htmlBody;
  }

  /** What a mail program shows above a message, and where it stands in the outbox; the error of a failed attempt for staff only. */
  async messageEnvelope(actor: Actor, id: number) {
    const m = visibleOr404(actor, await this.repo.findMessage(organisationOf(actor), id), (row) => row.donorId, 'Message', id);
    return {
      id: m.id,
      from: this.config.mailFrom,
      replyTo: this.config.mailReplyTo,
      to: m.toAddress,
      subject: m.subject,
      period: m.period,
      status: m.status,
      attempts: m.attempts,
      sentAt: m.sentAt ? new Date(m.sentAt).toISOString() : null,
      lastError: actor.role === 'donor' ? null : m.lastError,
      /** The plain-text part, which mail programs without HTML show instead. */
      text: m.textBody,
    };
  }

  describeUnsubscribe(token: unknown): Promise<UnsubscribeResult> {
    return this.unsubscribeLinks.describe(token);
  }

  unsubscribe(token: unknown): Promise<UnsubscribeResult> {
    return this.unsubscribeLinks.unsubscribe(token);
  }
}
