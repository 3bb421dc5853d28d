import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../database/unit-of-work';
import { OrganisationEntity } from './organisation.entity';

export type NewOrganisation = Pick<OrganisationEntity, 'name' | 'shortName' | 'countryCode' | 'currency'>;

/** The organisations table. */
@Injectable()
export class OrganisationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(id: number, tx?: Transaction): Promise<OrganisationEntity | null> {
    return (tx ?? this.dataSource.manager).getRepository(OrganisationEntity).findOneBy({ id });
  }

  all(tx?: Transaction): Promise<OrganisationEntity[]> {
    return (tx ?? this.dataSource.manager).getRepository(OrganisationEntity).find({ order: { id: 'ASC' } });
  }

  /** The one with this name or short name, compared without regard to case. */
  findByNames(tx: Transaction, name: string, shortName: string): Promise<OrganisationEntity | null> {
    return tx
      .getRepository(OrganisationEntity)
      .createQueryBuilder('o')
      .where('LOWER(o.name) = LOWER(:name) OR LOWER(o.short_name) = LOWER(:shortName)', { name, shortName })
      .getOne();
  }

  async insert(tx: Transaction, organisation: NewOrganisation): Promise<OrganisationEntity> {
    const repo = tx.getRepository(OrganisationEntity);
    return repo.save(repo.create({ ...organisation, status: 'active' }));
  }
}
