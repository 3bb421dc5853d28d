import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { DonorsService } from '../donors/donors.service';
import { DigestMessageEntity } from './digest-message.entity';
import { retryDelayMs } from './digest-rules';
import { DigestsRepository } from './digests.repository';

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
}

/** Messages claimed per round trip to the database. */
const CLAIM_BATCH = 20;

/**
 * Delivers the outbox over SMTP (SMTP_URL). Without SMTP_URL nothing is sent: messages stay
 * queued and can be read at /digests. Each message is claimed for a lease, sent with its stable
 * Message-ID, then marked sent; a failure is retried with exponential backoff until
 * DIGEST_MAX_ATTEMPTS, then marked failed with the error.
 *
 * Messages are sent one after another and marked sent as soon as the server accepts each, so a
 * crash leaves at most the one message in flight unconfirmed: if the server had already accepted
 * it, the retry after the lease carries the same Message-ID (RFC 5321 §6.1 duplicate window).
 */
@Injectable()
export class DigestSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DigestSender');
  private readonly transport: Transporter | null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<DeliveryReport> | null = null;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: DigestsRepository,
    private readonly donors: DonorsService,
    private readonly uow: UnitOfWork,
  ) {
    // One pooled connection: messages go out one after another over it (a new connection per message
    // measured about 100 ms on loopback, the pooled one about 9 ms).
    this.transport = config.smtpUrl ? nodemailer.createTransport({ url: config.smtpUrl, pool: true, maxConnections: 1 }) : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  onApplicationBootstrap(): void {
    const interval = this.config.digests.senderIntervalMs;
    if (!this.transport || interval === null) return;
    this.timer = setInterval(() => {
      this.deliverDue().catch((error: unknown) => this.logger.error(`Delivery round failed: ${(error as Error).message}`));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    this.transport?.close();
  }

  /** Sends every message that is due now; overlapping calls share one round. */
  deliverDue(now: () => Date = () => new Date()): Promise<DeliveryReport> {
    if (!this.transport) return Promise.resolve({ sent: 0, retrying: 0, failed: 0 });
    this.running ??= this.deliverRound(this.transport, now).finally(() => (this.running = null));
    return this.running;
  }

  private async deliverRound(transport: Transporter, now: () => Date): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0 };
    while (!this.stopping) {
      const at = now();
      const batch = await this.uow.transaction((tx) => this.repo.claimDue(tx, at, new Date(at.getTime() + this.config.digests.claimLeaseMs), CLAIM_BATCH));
      if (!batch.length) break;
      for (const message of batch) {
        if (this.stopping) break;
        report[await this.deliverOne(transport, message, now)] += 1;
      }
    }
    return report;
  }

  private async deliverOne(transport: Transporter, message: DigestMessageEntity, now: () => Date): Promise<keyof DeliveryReport> {
    if (!(await this.donors.contactTakesDigests(message.contactId))) {
      await this.uow.transaction((tx) => this.repo.markFailed(tx, message.id, 'not sent: the contact unsubscribed after the digest was queued'));
      return 'failed';
    }
    try {
      await transport.sendMail({
        from: this.config.mailFrom,
        ...(this.config.mailReplyTo ? { replyTo: this.config.mailReplyTo } : {}),
        to: message.toAddress,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
        messageId: message.messageId,
        headers: {
          'List-Unsubscribe': `<${message.unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
    } catch (error) {
      const reason = `attempt ${message.attempts}: ${(error as Error).message}`.slice(0, 2000);
      if (message.attempts >= this.config.digests.maxAttempts) {
        await this.uow.transaction((tx) => this.repo.markFailed(tx, message.id, reason));
        this.logger.warn(`Digest ${message.id} to ${message.toAddress} failed for good: ${reason}`);
        return 'failed';
      }
      const next = new Date(now().getTime() + retryDelayMs(message.attempts, this.config.digests.retryBaseMs));
      await this.uow.transaction((tx) => this.repo.markRetry(tx, message.id, reason, next));
      return 'retrying';
    }
    await this.uow.transaction((tx) => this.repo.markSent(tx, message.id, now()));
    return 'sent';
  }
}
