import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../database/transformers';

/** The twelve entries of ANAMA's "Key Priorities for International Assistance", in the report's order. */
@Entity('priorities')
export class PriorityEntity {
  @PrimaryColumn({ type: 'varchar', length: 8 })
  code: string;

  @Column({ type: 'integer', unique: true })
  rank: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'target_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  targetMinor: bigint | null;

  @Column({ name: 'target_currency', type: 'varchar', length: 3, nullable: true })
  targetCurrency: string | null;

  @Column({ type: 'text', nullable: true })
  source: string | null;
}
