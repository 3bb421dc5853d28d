import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../access/actor';
import { BusinessRuleError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { DonorsService } from '../donors/donors.service';
import { DigestContentService } from './digest-content.service';
import { DigestRenderer } from './digest-renderer';
import { messageIdFor, periodOf } from './digest-rules';
import { DigestsRepository, NewDigestMessage } from './digests.repository';
import { UnsubscribeService } from './unsubscribe.service';

export interface RunDigestsCommand {
  actor: Actor;
  /** YYYY-MM, already validated; the current UTC month when absent. */
  period?: string;
  /** Only these donors; every donor with a subscribed contact when absent. */
  donorIds?: number[];
  now?: Date;
}

export interface RunDigestsResult {
  period: string;
  queued: number;
}

/** Donors rendered and queued per transaction: bounds memory and how long the write lock is held. */
const DONORS_PER_BATCH = 50;

/**
 * A digest run: one message per subscribed donor contact for the period, rendered and written to
 * the outbox. Nothing is sent here; the sender delivers the outbox. Each batch re-reads what is
 * queued under a lock on the period (advisory on PostgreSQL, the write lock on SQLite), and the
 * UNIQUE (donor, contact, period) index backs it, so a second run, even concurrent or on another
 * instance, queues nothing new.
 */
@Injectable()
export class RunDigests {
  private readonly logger = new Logger('Digests');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: DigestsRepository,
    private readonly donors: DonorsService,
    private readonly content: DigestContentService,
    private readonly renderer: DigestRenderer,
    private readonly unsubscribe: UnsubscribeService,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  async execute(command: RunDigestsCommand): Promise<RunDigestsResult> {
    const now = command.now ?? new Date();
    const period = command.period ?? periodOf(now);
    const donorIds = command.donorIds ? [...new Set(command.donorIds)] : null;
    if (donorIds) {
      const known = await this.donors.existingIds(donorIds);
      const unknown = donorIds.filter((id) => !known.has(id));
      if (unknown.length) throw BusinessRuleError.field('donorIds', `there is no donor ${unknown.join(', ')}`);
    }
    const recipients = await this.donors.digestRecipients(donorIds);
    const snapshot = this.content.snapshot(now);
    let queued = 0;
    for (let i = 0; i < recipients.length; i += DONORS_PER_BATCH) {
      const batch = recipients.slice(i, i + DONORS_PER_BATCH);
      const batchIds = batch.map((r) => r.donorId);
      const alreadyQueued = await this.uow.transaction((tx) => this.repo.queuedKeys(tx, period, batchIds));
      const messages: NewDigestMessage[] = [];
      for (const recipient of batch) {
        const contacts = recipient.contacts.filter((c) => !alreadyQueued.has(`${recipient.donorId}:${c.id}`));
        if (!contacts.length) continue;
        const donor = await this.donors.findDonor(recipient.donorId);
        if (!donor) continue;
        const view = await this.content.build(snapshot, donor, period, null);
        for (const contact of contacts) {
          const links = await this.unsubscribe.linksFor(contact.id);
          // The exact view rendered is kept with the message, so it can be rendered again byte for byte.
          const inputs = { ...view, links: { ...view.links, unsubscribe: links.page } };
          const rendered = await this.renderer.render(inputs);
          messages.push({
            organisationId: donor.organisationId,
            donorId: donor.id,
            contactId: contact.id,
            period,
            messageId: messageIdFor(donor.id, contact.id, period, this.config.mailFrom),
            toAddress: contact.email,
            subject: rendered.subject,
            htmlBody: rendered.html,
            textBody: rendered.text,
            unsubscribeUrl: links.oneClick,
            nextAttemptAt: now,
            viewJson: JSON.stringify(inputs),
            templatesSha256: await this.renderer.templatesSha256(),
            statementId: view.statement?.id ?? null,
          });
        }
      }
      if (!messages.length) continue;
      queued += await this.uow.transaction(async (tx) => {
        await this.uow.lockKey(tx, `digests:run:${period}`);
        const queuedMeanwhile = await this.repo.queuedKeys(tx, period, batchIds);
        const fresh = messages.filter((m) => !queuedMeanwhile.has(`${m.donorId}:${m.contactId}`));
        await this.repo.insertMessages(tx, fresh);
        return fresh.length;
      });
    }
    await this.uow.transaction((tx) =>
      this.audit.record(tx, command.actor, { action: 'digest.run', entityType: 'digest_run', entityId: period, after: { period, donorIds, queued } }),
    );
    this.logger.log(`Digest run for ${period}: ${queued} message(s) queued`);
    return { period, queued };
  }
}
