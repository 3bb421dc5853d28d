import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { InvalidInputError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { DonorsService } from '../donors/donors.service';
import { unsubscribeToken, verifyUnsubscribeToken } from './digest-rules';
import { DigestsRepository } from './digests.repository';

const SECRET_KEY = 'unsubscribe_secret';

export interface UnsubscribeResult {
  email: string;
  alreadyStopped: boolean;
}

/**
 * Signed unsubscribe links. The key is UNSUBSCRIBE_SECRET when set; otherwise one is generated at
 * first use and kept in digest_settings, so every app instance on the same database signs alike
 * and links in sent emails keep working after a restart.
 */
@Injectable()
export class UnsubscribeService {
  private secret: Promise<string> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: DigestsRepository,
    private readonly donors: DonorsService,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  private key(): Promise<string> {
    if (this.config.digests.unsubscribeSecret) return Promise.resolve(this.config.digests.unsubscribeSecret);
    this.secret ??= (async () => {
      const stored = await this.repo.findSetting(SECRET_KEY);
      if (stored) return stored.value;
      return this.uow.transaction((tx) => this.repo.insertSettingIfAbsent(tx, SECRET_KEY, randomBytes(32).toString('base64url')));
    })().catch((error: unknown) => {
      this.secret = null;
      throw error;
    });
    return this.secret;
  }

  /**
   * The link in the email body opens a page (GET /digests/unsubscribe); the List-Unsubscribe
   * header names the one-click endpoint that mail providers POST to (RFC 8058), under /api because
   * such a POST carries no session and no form token.
   */
  async linksFor(contactId: number): Promise<{ page: string; oneClick: string }> {
    const token = unsubscribeToken(contactId, await this.key());
    return { page: `${this.config.appUrl}/digests/unsubscribe?token=${token}`, oneClick: `${this.config.appUrl}/api/digests/unsubscribe?token=${token}` };
  }

  /**
   * What a link would stop, changing nothing: the confirmation page a GET shows. Mail scanners
   * follow links in emails; only a POST (the page's button, or a provider's one-click) acts.
   */
  async describe(token: unknown): Promise<UnsubscribeResult> {
    const contactId = verifyUnsubscribeToken(token, await this.key());
    const contact = contactId === null ? null : await this.donors.findContact(contactId);
    if (!contact) throw InvalidInputError.field('token', 'This unsubscribe link is not valid; use the link from your latest digest');
    return { email: contact.email, alreadyStopped: !contact.digestEnabled };
  }

  /** Stops the contact's digests and records who asked (the link's holder) in the audit log. */
  async unsubscribe(token: unknown): Promise<UnsubscribeResult> {
    const contactId = verifyUnsubscribeToken(token, await this.key());
    if (contactId === null) throw InvalidInputError.field('token', 'This unsubscribe link is not valid; use the link from your latest digest');
    return this.uow.transaction(async (tx) => {
      const contact = await this.donors.findContact(contactId, tx);
      if (!contact) throw InvalidInputError.field('token', 'This unsubscribe link is not valid; use the link from your latest digest');
      if (!contact.digestEnabled) return { email: contact.email, alreadyStopped: true };
      const before = { digestEnabled: true, unsubscribedAt: null };
      const at = new Date();
      await this.donors.stopDigests(tx, contactId, at);
      await this.audit.record(
        tx,
        { id: 0, email: contact.email, role: 'donor', donorId: contact.donorId, organisationId: contact.organisationId },
        {
          action: 'donor_contact.unsubscribe',
          entityType: 'donor_contact',
          entityId: contactId,
          before,
          after: { digestEnabled: false, unsubscribedAt: at.toISOString() },
          reason: 'signed unsubscribe link in a digest email',
        },
      );
      return { email: contact.email, alreadyStopped: false };
    });
  }
}
