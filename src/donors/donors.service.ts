import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ConflictError, NotFoundError } from '../common/errors/domain-errors';
import { Page, PageRequest, toPage } from '../common/http/pagination';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import { DonorContactEntity, DonorEntity } from './donor.entity';
import { DonorsRepository } from './donors.repository';
import type { ContactDto, CreateDonorDto, UpdateDonorDto } from './dto';
import { canSeeDonor, visibleDonorFilter } from '../auth/donor-visibility';

/** A donor and its contacts that take digests. */
export interface DigestRecipients {
  donorId: number;
  contacts: Array<{ id: number; email: string; name: string | null }>;
}

export interface DonorView {
  id: number;
  name: string;
  type: string;
  countryCode: string | null;
  displayCurrency: string;
  notes: string | null;
  source: string | null;
  contacts: Array<{ id: number; name: string | null; email: string; digestEnabled: boolean; unsubscribedAt: string | null }>;
  createdAt: string;
  updatedAt: string;
}

export function toDonorView(d: DonorEntity): DonorView {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    countryCode: d.countryCode,
    displayCurrency: d.displayCurrency,
    notes: d.notes,
    source: d.source,
    contacts: (d.contacts ?? []).map((c) => ({
      id: c.id,
      name: c.name,
      email: c.email,
      digestEnabled: c.digestEnabled,
      unsubscribedAt: c.unsubscribedAt ? new Date(c.unsubscribedAt).toISOString() : null,
    })),
    createdAt: new Date(d.createdAt).toISOString(),
    updatedAt: new Date(d.updatedAt).toISOString(),
  };
}

@Injectable()
export class DonorsService {
  constructor(
    private readonly donors: DonorsRepository,
    private readonly uow: UnitOfWork,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  /** Donors with at least one contact still taking digests, with those contacts: every donor, or the ones named. */
  async digestRecipients(donorIds: readonly number[] | null): Promise<DigestRecipients[]> {
    const byDonor = new Map<number, DigestRecipients>();
    for (const c of await this.donors.digestContacts(donorIds)) {
      const entry = byDonor.get(c.donorId) ?? { donorId: c.donorId, contacts: [] };
      entry.contacts.push({ id: c.id, email: c.email, name: c.name });
      byDonor.set(c.donorId, entry);
    }
    return [...byDonor.values()];
  }

  /** Which of these ids are donors. */
  existingIds(ids: readonly number[]): Promise<Set<number>> {
    return this.donors.existingIds(ids);
  }

  /** A donor (without contacts) by id, for work that is not a user's request (a digest run); null when there is none. */
  findDonor(id: number): Promise<DonorEntity | null> {
    return this.donors.findById(id);
  }

  /** A contact by id; inside `tx` when given. */
  findContact(id: number, tx?: Transaction): Promise<DonorContactEntity | null> {
    return this.donors.findContact(id, tx);
  }

  /** Whether the contact still takes digests (an unsubscribe may come after a digest was queued). */
  async contactTakesDigests(contactId: number): Promise<boolean> {
    const contact = await this.donors.findContact(contactId);
    return !!contact && contact.digestEnabled && !contact.unsubscribedAt;
  }

  /** The contact takes no more digests, from `at` (an unsubscribe, inside its unit of work). */
  stopDigests(tx: Transaction, contactId: number, at: Date): Promise<void> {
    return this.donors.stopDigests(tx, contactId, at);
  }

  /** Whether a donor with this id exists (donors are never deleted). */
  exists(id: number): Promise<boolean> {
    return this.donors.exists(id);
  }

  /** A donor's name, or null when there is none; inside `tx` when given. */
  nameOf(id: number, tx?: Transaction): Promise<string | null> {
    return this.donors.nameOf(id, tx);
  }

  /** Every donor's name by id (the funding engine's rows). */
  async namesById(): Promise<Map<number, string>> {
    return new Map([...(await this.donors.idsByName())].map(([name, id]) => [id, name]));
  }

  /** Every donor's id by exact name (an import names donors). */
  idsByName(): Promise<Map<string, number>> {
    return this.donors.idsByName();
  }

  /** The id of the donor with this name, or null (the seed's natural key). */
  idByName(name: string): Promise<number | null> {
    return this.donors.idByName(name);
  }

  async get(actor: Actor, id: number): Promise<DonorView> {
    const donor = canSeeDonor(actor, id) ? await this.donors.findWithContacts(id) : null;
    if (!donor) throw new NotFoundError('Donor', id);
    return toDonorView(donor);
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<DonorView>> {
    const rows = await this.donors.page(page.afterId, page.limit, actor.role === 'donor' ? (visibleDonorFilter(actor, undefined) ?? null) : null);
    return toPage(rows, page, toDonorView);
  }

  async create(actor: Actor, dto: CreateDonorDto, idem: IdempotencyContext | null) {
    return this.idempotency.create(idem, async (tx) => {
      if (await this.donors.findByName(tx, dto.name)) {
        throw new ConflictError(`A donor named "${dto.name}" exists`, [{ field: 'name', message: 'a donor with this name exists' }]);
      }
      const donor = await this.donors.insert(tx, {
        name: dto.name,
        type: dto.type,
        countryCode: dto.countryCode ?? null,
        displayCurrency: dto.displayCurrency ?? 'USD',
        notes: dto.notes || null,
        source: dto.source || null,
      });
      donor.contacts = [];
      for (const contact of dto.contacts ?? []) donor.contacts.push(await this.addContactIn(tx, donor.id, contact));
      const view = toDonorView(donor);
      await this.audit.record(tx, actor, { action: 'donor.create', entityType: 'donor', entityId: donor.id, after: view });
      return view;
    });
  }

  async update(actor: Actor, id: number, dto: UpdateDonorDto): Promise<DonorView> {
    return this.uow.transaction(async (tx) => {
      const donor = await this.donors.findForUpdate(tx, id);
      if (!donor) throw new NotFoundError('Donor', id);
      const before = toDonorView(donor);
      if (dto.name !== undefined && dto.name !== donor.name) {
        const clash = await this.donors.findByName(tx, dto.name);
        if (clash) throw new ConflictError(`A donor named "${dto.name}" exists`, [{ field: 'name', message: 'a donor with this name exists' }]);
        donor.name = dto.name;
      }
      if (dto.type !== undefined) donor.type = dto.type;
      if (dto.countryCode !== undefined) donor.countryCode = dto.countryCode;
      if (dto.displayCurrency !== undefined) donor.displayCurrency = dto.displayCurrency;
      if (dto.notes !== undefined) donor.notes = dto.notes || null;
      const saved = await this.donors.update(tx, donor);
      const after = toDonorView(saved);
      await this.audit.record(tx, actor, { action: 'donor.update', entityType: 'donor', entityId: id, before, after });
      return after;
    });
  }

  async addContact(actor: Actor, donorId: number, dto: ContactDto, idem: IdempotencyContext | null) {
    return this.idempotency.create(idem, async (tx) => {
      const donor = await this.donors.findForUpdate(tx, donorId);
      if (!donor) throw new NotFoundError('Donor', donorId);
      const contact = await this.addContactIn(tx, donorId, dto);
      const view = { id: contact.id, donorId, name: contact.name, email: contact.email, digestEnabled: contact.digestEnabled };
      await this.audit.record(tx, actor, { action: 'donor_contact.create', entityType: 'donor_contact', entityId: contact.id, after: view });
      return view;
    });
  }

  private addContactIn(tx: Parameters<DonorsRepository['insertContact']>[0], donorId: number, dto: ContactDto) {
    return this.donors.insertContact(tx, {
      donorId,
      name: dto.name || null,
      email: dto.email.toLowerCase(),
      digestEnabled: dto.digestEnabled ?? true,
    });
  }
}
