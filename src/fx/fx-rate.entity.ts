import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** 1 `base` = `rate` `quote` on `rateDate`, as published by `source`. The rate is an exact decimal string. */
@Entity('fx_rates')
@Index('uq_fx_rates_pair_date', ['base', 'quote', 'rateDate'], { unique: true })
export class FxRateEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 3 })
  base: string;

  @Column({ type: 'varchar', length: 3 })
  quote: string;

  @Column({ name: 'rate_date', type: 'date' })
  rateDate: string;

  @Column({ type: 'varchar', length: 40 })
  rate: string;

  @Column({ type: 'varchar', length: 200 })
  source: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
