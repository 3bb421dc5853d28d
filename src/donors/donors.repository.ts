import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { SqlQuery } from '../database/sql-statements';
import { DonorContactEntity, DonorEntity } from './donor.entity';

const DONOR_NAME = new SqlQuery<{ name: string }>('SELECT name FROM donors WHERE id = ?');

@Injectable()
export class DonorsRepository {
  /** `organisation:id` of donors found: donors are never deleted nor moved. */
  private readonly knownIds = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  /** Whether the organisation has this donor. Donors are never deleted, so a donor once found costs no further query. */
  async exists(organisationId: number, id: number, tx?: EntityManager): Promise<boolean> {
    const key = `${organisationId}:${id}`;
    if (this.knownIds.has(key)) return true;
    const found = await (tx ?? this.dataSource.manager).getRepository(DonorEntity).exists({ where: { organisationId, id } });
    if (found) this.knownIds.add(key);
    return found;
  }

  /** The organisation's donor with its contacts. */
  findWithContacts(organisationId: number, id: number): Promise<DonorEntity | null> {
    return this.dataSource
      .getRepository(DonorEntity)
      .findOne({ where: { organisationId, id }, relations: { contacts: true }, order: { contacts: { id: 'ASC' } } });
  }

  /** A page of the organisation's donors by id, optionally only one donor (a donor user sees just its own). */
  page(organisationId: number, afterId: number, limit: number, onlyId: number | null): Promise<DonorEntity[]> {
    const qb = this.dataSource
      .getRepository(DonorEntity)
      .createQueryBuilder('d')
      .leftJoinAndSelect('d.contacts', 'c')
      .where('d.organisation_id = :organisationId AND d.id > :afterId', { organisationId, afterId })
      .orderBy('d.id', 'ASC')
      .addOrderBy('c.id', 'ASC');
    if (onlyId !== null) qb.andWhere('d.id = :onlyId', { onlyId });
    // take() on a joined query pages by donor, not by row
    return qb.take(limit + 1).getMany();
  }

  /** The contacts that take digests (enabled, not unsubscribed, not removed, of an active donor), by donor and id; of every donor, or of the donors named. */
  async digestContacts(donorIds: readonly number[] | null): Promise<DonorContactEntity[]> {
    const where: Record<string, unknown> = { digestEnabled: true, removedAt: IsNull(), donor: { active: true } };
    if (donorIds) where.donorId = In([...donorIds]);
    const contacts = await this.dataSource.getRepository(DonorContactEntity).find({ where, order: { donorId: 'ASC', id: 'ASC' } });
    return contacts.filter((c) => !c.unsubscribedAt);
  }

  /** Which of these ids are donors. */
  async existingIds(ids: readonly number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.dataSource.getRepository(DonorEntity).find({ select: { id: true }, where: { id: In([...ids]) } });
    return new Set(rows.map((r) => r.id));
  }

  /** A donor without its contacts. */
  findById(id: number): Promise<DonorEntity | null> {
    return this.dataSource.getRepository(DonorEntity).findOne({ where: { id } });
  }

  /** The organisation's donor without its contacts (null for another organisation's). */
  findOfOrganisation(organisationId: number, id: number): Promise<DonorEntity | null> {
    return this.dataSource.getRepository(DonorEntity).findOne({ where: { organisationId, id } });
  }

  /** A contact; inside `tx` when given. */
  findContact(id: number, tx: EntityManager = this.dataSource.manager): Promise<DonorContactEntity | null> {
    return tx.getRepository(DonorContactEntity).findOne({ where: { id } });
  }

  /** The contact takes no more digests, from `at`. */
  async stopDigests(tx: EntityManager, contactId: number, at: Date): Promise<void> {
    await tx.getRepository(DonorContactEntity).update({ id: contactId }, { digestEnabled: false, unsubscribedAt: at });
  }

  /** Every donor's id by name. */
  async idsByName(organisationId: number): Promise<Map<string, number>> {
    const rows = await this.dataSource.getRepository(DonorEntity).find({ select: { id: true, name: true }, where: { organisationId } });
    return new Map(rows.map((d) => [d.name, d.id]));
  }

  /** Every donor's name by id. */
  async namesById(): Promise<Map<number, string>> {
    const rows = await this.dataSource.getRepository(DonorEntity).find({ select: { id: true, name: true } });
    return new Map(rows.map((d) => [d.id, d.name]));
  }

  /** A donor's name, or null when there is no such donor; inside `tx` when given. A prepared statement: every pledge create asks it. */
  async nameOf(id: number, tx: EntityManager = this.dataSource.manager): Promise<string | null> {
    const [donor] = await DONOR_NAME.run(tx, [id]);
    return donor?.name ?? null;
  }

  /** The id of the donor with this name, or null (the seed's natural key). */
  async idByName(organisationId: number, name: string): Promise<number | null> {
    const donor = await this.dataSource.getRepository(DonorEntity).findOne({ where: { organisationId, name } });
    return donor ? donor.id : null;
  }

  /** The organisation's donor of this name (a name is unique within an organisation). */
  findByName(tx: EntityManager, organisationId: number, name: string): Promise<DonorEntity | null> {
    return tx.getRepository(DonorEntity).findOne({ where: { organisationId, name } });
  }

  /** The organisation's donor with its contacts, to change it in `tx`. */
  findForUpdate(tx: EntityManager, organisationId: number, id: number): Promise<DonorEntity | null> {
    return tx.getRepository(DonorEntity).findOne({ where: { organisationId, id }, relations: { contacts: true } });
  }

  insert(tx: EntityManager, donor: Partial<DonorEntity> & Pick<DonorEntity, 'organisationId'>): Promise<DonorEntity> {
    const repo = tx.getRepository(DonorEntity);
    return repo.save(repo.create(donor));
  }

  update(tx: EntityManager, donor: DonorEntity): Promise<DonorEntity> {
    return tx.getRepository(DonorEntity).save(donor);
  }

  insertContact(tx: EntityManager, contact: Partial<DonorContactEntity> & Pick<DonorContactEntity, 'organisationId'>): Promise<DonorContactEntity> {
    const repo = tx.getRepository(DonorContactEntity);
    return repo.save(repo.create(contact));
  }
  /** A contact of the organisation's donor, for a change an officer makes. */
  findDonorContact(tx: EntityManager, organisationId: number, donorId: number, contactId: number): Promise<DonorContactEntity | null> {
    return tx.getRepository(DonorContactEntity).findOne({ where: { organisationId, id: contactId, donorId } });
  }

  updateContact(tx: EntityManager, contact: DonorContactEntity): Promise<DonorContactEntity> {
    return tx.getRepository(DonorContactEntity).save(contact);
  }

  /** Whether the organisation's donor may take new pledges: it exists and is active. */
  async isActive(organisationId: number, id: number, tx?: EntityManager): Promise<boolean> {
    const donor = await (tx ?? this.dataSource.manager)
      .getRepository(DonorEntity)
      .findOne({ where: { organisationId, id }, select: { id: true, active: true } });
    return donor?.active === true;
  }

  /** The ids of deactivated donors (an import refuses pledges to them). */
  async inactiveIds(): Promise<Set<number>> {
    const rows = await this.dataSource.getRepository(DonorEntity).find({ where: { active: false }, select: { id: true } });
    return new Set(rows.map((d) => d.id));
  }
}
