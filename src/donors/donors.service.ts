import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { type Actor, organisationOf } from '../access/actor';
import { ConflictError, NotFoundError } from '../common/errors/domain-errors';
import { Page, PageRequest, toPage } from '../common/http/pagination';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import { DonorContactEntity, DonorEntity } from './donor.entity';
import { DonorsRepository } from './donors.repository';
import type { ContactDto, CreateDonorDto, UpdateContactDto, UpdateDonorDto } from './dto';
import { canSeeDonor, visibleDonorFilter } from '../access/donor-visibility';

export interface ContactView {
  id: number;
  name: string | null;
  email: string;
  language: string | null;
  digestEnabled: boolean;
  unsubscribedAt: string | null;
}

function toContactView(c: DonorContactEntity): ContactView {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    language: c.language,
    digestEnabled: c.digestEnabled,
    unsubscribedAt: c.unsubscribedAt ? new Date(c.unsubscribedAt).toISOString() : null,
  };
}

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
  iatiOrgId: string | null;
  active: boolean;
  /** Contacts not removed, oldest first. */
  contacts: ContactView[];
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
    iatiOrgId: d.iatiOrgId,
    active: d.active,
    contacts: (d.contacts ?? []).filter((c) => !c.removedAt).map(toContactView),
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

  /** Whether the organisation has this donor (users tie donor accounts to it, pledges name it); inside a transaction pass it. */
  exists(organisationId: number, id: number, tx?: Transaction): Promise<boolean> {
    return this.donors.exists(organisationId, id, tx);
  }

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

  /** The organisation's donor (without contacts) by id; null for another organisation's. */
  findDonorOf(organisationId: number, id: number): Promise<DonorEntity | null> {
    return this.donors.findOfOrganisation(organisationId, id);
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

  /** A donor's name, or null when there is none; inside `tx` when given. */
  nameOf(id: number, tx?: Transaction): Promise<string | null> {
    return this.donors.nameOf(id, tx);
  }

  /** Every donor's name by id (the funding engine's rows). */
  namesById(): Promise<Map<number, string>> {
    return this.donors.namesById();
  }

  /** Every donor of the organisation by exact name (an import names donors). */
  idsByName(organisationId: number): Promise<Map<string, number>> {
    return this.donors.idsByName(organisationId);
  }

  /** The id of the donor with this name, or null (the seed's natural key). */
  idByName(organisationId: number, name: string): Promise<number | null> {
    return this.donors.idByName(organisationId, name);
  }

  async get(actor: Actor, id: number): Promise<DonorView> {
    const donor = canSeeDonor(actor, id) ? await this.donors.findWithContacts(organisationOf(actor), id) : null;
    if (!donor) throw new NotFoundError('Donor', id);
    return toDonorView(donor);
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<DonorView>> {
    const rows = await this.donors.page(organisationOf(actor), page.afterId, page.limit, visibleDonorFilter(actor, undefined) ?? null);
    return toPage(rows, page, toDonorView);
  }

  async create(actor: Actor, dto: CreateDonorDto, idem: IdempotencyContext | null) {
    return this.idempotency.create(idem, async (tx) => {
      if (await this.donors.findByName(tx, organisationOf(actor), dto.name)) {
        throw new ConflictError(`A donor named "${dto.name}" exists`, [{ field: 'name', message: 'a donor with this name exists' }]);
      }
      const donor = await this.donors.insert(tx, {
        organisationId: organisationOf(actor),
        name: dto.name,
        type: dto.type,
        countryCode: dto.countryCode ?? null,
        displayCurrency: dto.displayCurrency ?? 'USD',
        notes: dto.notes || null,
        source: dto.source || null,
        iatiOrgId: dto.iatiOrgId ?? null,
      });
      donor.contacts = [];
      for (const contact of dto.contacts ?? []) donor.contacts.push(await this.addContactIn(tx, donor, contact));
      const view = toDonorView(donor);
      await this.audit.record(tx, actor, { action: 'donor.create', entityType: 'donor', entityId: donor.id, after: view });
      return view;
    });
  }

  /** The ids of deactivated donors: they take no new pledges. */
  inactiveIds(): Promise<Set<number>> {
    return this.donors.inactiveIds();
  }

  /**
   * Creates a donor a pledges import names and the ledger lacks, inside the import's unit of work
   * (the caller checked the fields with CreateDonorDto); audited as any donor created by hand.
   */
  async createInImport(tx: Transaction, actor: Actor, donor: { name: string; type: string; countryCode: string | null; source: string }): Promise<number> {
    if (await this.donors.findByName(tx, organisationOf(actor), donor.name)) {
      throw new ConflictError(`A donor named "${donor.name}" exists`, [
        { field: 'donor', message: `a donor named "${donor.name}" was added meanwhile: import again` },
      ]);
    }
    const saved = await this.donors.insert(tx, {
      organisationId: organisationOf(actor),
      name: donor.name,
      type: donor.type as DonorEntity['type'],
      countryCode: donor.countryCode,
      displayCurrency: 'USD',
      notes: null,
      source: donor.source,
      iatiOrgId: null,
    });
    saved.contacts = [];
    await this.audit.record(tx, actor, { action: 'donor.create', entityType: 'donor', entityId: saved.id, after: toDonorView(saved) });
    return saved.id;
  }

  async update(actor: Actor, id: number, dto: UpdateDonorDto): Promise<DonorView> {
    return this.uow.transaction(async (tx) => {
      const donor = await this.donors.findForUpdate(tx, organisationOf(actor), id);
      if (!donor) throw new NotFoundError('Donor', id);
      const before = toDonorView(donor);
      if (dto.name !== undefined && dto.name !== donor.name) {
        const clash = await this.donors.findByName(tx, donor.organisationId, dto.name);
        if (clash) throw new ConflictError(`A donor named "${dto.name}" exists`, [{ field: 'name', message: 'a donor with this name exists' }]);
        donor.name = dto.name;
      }
      if (dto.type !== undefined) donor.type = dto.type;
      if (dto.countryCode !== undefined) donor.countryCode = dto.countryCode;
      if (dto.displayCurrency !== undefined) donor.displayCurrency = dto.displayCurrency;
      if (dto.notes !== undefined) donor.notes = dto.notes || null;
      if (dto.source !== undefined) donor.source = dto.source || null;
      if (dto.iatiOrgId !== undefined) donor.iatiOrgId = dto.iatiOrgId;
      if (dto.active !== undefined) donor.active = dto.active;
      const saved = await this.donors.update(tx, donor);
      const after = toDonorView(saved);
      await this.audit.record(tx, actor, { action: 'donor.update', entityType: 'donor', entityId: id, before, after });
      return after;
    });
  }

  async addContact(actor: Actor, donorId: number, dto: ContactDto, idem: IdempotencyContext | null) {
    return this.idempotency.create(idem, async (tx) => {
      const donor = await this.donors.findForUpdate(tx, organisationOf(actor), donorId);
      if (!donor) throw new NotFoundError('Donor', donorId);
      const contact = await this.addContactIn(tx, donor, dto);
      const view = { ...toContactView(contact), donorId };
      await this.audit.record(tx, actor, { action: 'donor_contact.create', entityType: 'donor_contact', entityId: contact.id, after: view });
      return view;
    });
  }

  /** Whether the donor may take a new pledge (it exists and is not deactivated). */
  isActive(organisationId: number, id: number, tx?: Transaction): Promise<boolean> {
    return this.donors.isActive(organisationId, id, tx);
  }

  async updateContact(actor: Actor, donorId: number, contactId: number, dto: UpdateContactDto): Promise<ContactView & { donorId: number }> {
    return this.uow.transaction(async (tx) => {
      const contact = await this.donors.findDonorContact(tx, organisationOf(actor), donorId, contactId);
      if (!contact || contact.removedAt) throw new NotFoundError('Contact', contactId);
      const before = { ...toContactView(contact), donorId };
      if (dto.name !== undefined) contact.name = dto.name || null;
      if (dto.email !== undefined) contact.email = dto.email.toLowerCase();
      if (dto.language !== undefined) contact.language = dto.language;
      if (dto.digestEnabled !== undefined) {
        // Switching the digest back on for someone who unsubscribed needs their own say: the link in the email.
        if (dto.digestEnabled && contact.unsubscribedAt) {
          throw new ConflictError('This contact unsubscribed: only they can start the digest again', [
            { field: 'digestEnabled', message: 'the contact unsubscribed from the digest; they can subscribe again themselves' },
          ]);
        }
        contact.digestEnabled = dto.digestEnabled;
      }
      const after = { ...toContactView(await this.donors.updateContact(tx, contact)), donorId };
      await this.audit.record(tx, actor, { action: 'donor_contact.update', entityType: 'donor_contact', entityId: contactId, before, after });
      return after;
    });
  }

  /** Removes a contact from the lists and the digests; the row stays for the audit and past digests. */
  async removeContact(actor: Actor, donorId: number, contactId: number): Promise<void> {
    await this.uow.transaction(async (tx) => {
      const contact = await this.donors.findDonorContact(tx, organisationOf(actor), donorId, contactId);
      if (!contact || contact.removedAt) throw new NotFoundError('Contact', contactId);
      const before = { ...toContactView(contact), donorId };
      contact.removedAt = new Date();
      contact.digestEnabled = false;
      await this.donors.updateContact(tx, contact);
      await this.audit.record(tx, actor, { action: 'donor_contact.remove', entityType: 'donor_contact', entityId: contactId, before });
    });
  }

  /** A contact belongs to its donor's organisation. */
  private addContactIn(tx: Parameters<DonorsRepository['insertContact']>[0], donor: Pick<DonorEntity, 'id' | 'organisationId'>, dto: ContactDto) {
    return this.donors.insertContact(tx, {
      organisationId: donor.organisationId,
      donorId: donor.id,
      name: dto.name || null,
      email: dto.email.toLowerCase(),
      digestEnabled: dto.digestEnabled ?? true,
      language: dto.language ?? null,
    });
  }
}
