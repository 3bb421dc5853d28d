import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer } from '../database/transformers';
import { DonorEntity } from '../donors/donor.entity';
import type { ReceiptExpectation } from './fulfilment';

export const PLEDGE_KINDS = ['cash', 'in_kind'] as const;
export type PledgeKind = (typeof PLEDGE_KINDS)[number];
export const CHANNELS = ['direct', 'un_agency', 'ngo', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];
/** What a desk officer states; the reported status adds fulfilment and cancellation on top. */
export const COMMITMENT_LEVELS = ['announced', 'committed'] as const;
export type CommitmentLevel = (typeof COMMITMENT_LEVELS)[number];

@Entity('pledges')
export class PledgeEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'donor_id', type: 'integer' })
  donorId: number;

  @ManyToOne(() => DonorEntity)
  @JoinColumn({ name: 'donor_id' })
  donor: DonorEntity;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'varchar', length: 8 })
  kind: PledgeKind;

  /** Cash: the pledged amount in minor units of `currency`. In kind: the valued total, when a unit value is known. */
  @Column({ name: 'amount_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  amountMinor: bigint | null;

  @Column({ type: 'varchar', length: 3, nullable: true })
  currency: string | null;

  @Column({ name: 'in_kind_quantity', type: 'integer', nullable: true })
  inKindQuantity: number | null;

  @Column({ name: 'in_kind_unit', type: 'varchar', length: 80, nullable: true })
  inKindUnit: string | null;

  /** "Up to 30 dogs": the quantity is a ceiling, not a promise. */
  @Column({ name: 'in_kind_quantity_is_maximum', type: 'boolean', default: false })
  inKindQuantityIsMaximum: boolean;

  @Column({ name: 'unit_value_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  unitValueMinor: bigint | null;

  @Column({ name: 'pledged_on', type: 'date', nullable: true })
  pledgedOn: string | null;

  /** Date of the document the pledge was taken from; the value date when `pledgedOn` is unknown. */
  @Column({ name: 'source_date', type: 'date', nullable: true })
  sourceDate: string | null;

  @Column({ name: 'commitment', type: 'varchar', length: 12 })
  commitment: CommitmentLevel;

  /** How the money or goods come; null when the source does not say. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  channel: Channel | null;

  @Column({ name: 'channel_name', type: 'varchar', length: 200, nullable: true })
  channelName: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  instrument: string | null;

  @Column({ type: 'text', nullable: true })
  source: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  /** What an officer states about the balance: nothing yet, or that it is owed (fulfilment.ts `receiptStatusOf`). */
  @Column({ name: 'receipt_expectation', type: 'varchar', length: 16, default: 'not_documented' })
  receiptExpectation: ReceiptExpectation;

  /** The date by which the donor promised the money or goods; once it has passed with a balance left, the balance is outstanding. */
  @Column({ name: 'receipt_due_on', type: 'date', nullable: true })
  receiptDueOn: string | null;

  /** A reference from another system (CSV import, donor's own id); unique within the organisation when given. */
  @Column({ name: 'external_ref', type: 'varchar', length: 120, nullable: true })
  externalRef: string | null;

  /** Kept up to date on write: sum of disbursements counted in the pledge's currency. */
  @Column({ name: 'disbursed_minor', type: 'bigint', default: 0, transformer: bigintTransformer })
  disbursedMinor: bigint;

  /** Kept up to date on write: sum of delivered quantities. */
  @Column({ name: 'delivered_quantity', type: 'integer', default: 0 })
  deliveredQuantity: number;

  @Column({ name: 'cancelled_at', type: Date, nullable: true })
  cancelledAt: Date | null;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @OneToMany(() => PledgePriorityEntity, (e) => e.pledge)
  earmarks: PledgePriorityEntity[];

  @OneToMany(() => DisbursementEntity, (d) => d.pledge)
  disbursements: DisbursementEntity[];

  /** The pledge's value in USD, EUR and AZN at its value date (ledger-valuation.ts); null: no money value, or no rate. */
  @Column({ name: 'value_usd_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  valueUsdMinor: bigint | null;

  @Column({ name: 'value_eur_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  valueEurMinor: bigint | null;

  @Column({ name: 'value_azn_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  valueAznMinor: bigint | null;

  /** When the values were set; null while the row waits for the valuation worker. */
  @Column({ name: 'valued_at', type: Date, nullable: true })
  valuedAt: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}

/** A pledge's earmark to one priority, as a create or an edit gives it. */
export interface Earmark {
  code: string;
  shareBasisPoints: number | null;
}

/** The columns a create always sets; the rest depend on the kind of pledge. */
export type PledgeColumns = Pick<PledgeEntity, 'donorId' | 'title' | 'kind' | 'commitment' | 'channel'> & Partial<PledgeEntity>;

/** A pledge's earmark to one priority; `shareBasisPoints` null means "split evenly". */
@Entity('pledge_priorities')
export class PledgePriorityEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryColumn({ name: 'pledge_id', type: 'integer' })
  pledgeId: number;

  @PrimaryColumn({ name: 'priority_code', type: 'varchar', length: 8 })
  priorityCode: string;

  @Column({ name: 'share_bp', type: 'integer', nullable: true })
  shareBasisPoints: number | null;

  @ManyToOne(() => PledgeEntity, (p) => p.earmarks)
  @JoinColumn({ name: 'pledge_id' })
  pledge: PledgeEntity;
}

export const DATE_BASES = ['exact', 'on_or_before'] as const;
export type DateBasis = (typeof DATE_BASES)[number];

/** Money received or goods delivered against a pledge. Corrections are new rows, never edits. */
@Entity('disbursements')
export class DisbursementEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'pledge_id', type: 'integer' })
  pledgeId: number;

  @ManyToOne(() => PledgeEntity, (p) => p.disbursements)
  @JoinColumn({ name: 'pledge_id' })
  pledge: PledgeEntity;

  @Column({ name: 'amount_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  amountMinor: bigint | null;

  @Column({ type: 'varchar', length: 3, nullable: true })
  currency: string | null;

  @Column({ type: 'integer', nullable: true })
  quantity: number | null;

  @Column({ name: 'received_on', type: 'date' })
  receivedOn: string;

  /** `on_or_before`: the source gives only a bound ("in the first quarter of 2024"). */
  @Column({ name: 'received_on_basis', type: 'varchar', length: 12, default: 'exact' })
  receivedOnBasis: DateBasis;

  /** The amount as it counts against the pledge, in the pledge's currency, converted at `receivedOn`. */
  @Column({ name: 'counted_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  countedMinor: bigint | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  rate: string | null;

  @Column({ name: 'rate_date', type: 'date', nullable: true })
  rateDate: string | null;

  @Column({ name: 'rate_source', type: 'text', nullable: true })
  rateSource: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  reference: string | null;

  @Column({ name: 'over_disbursement_reason', type: 'text', nullable: true })
  overDisbursementReason: string | null;

  @Column({ type: 'text', nullable: true })
  source: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  /** The receipt's value in USD, EUR and AZN at its date; null: no money (goods without a unit value), or no rate. */
  @Column({ name: 'value_usd_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  valueUsdMinor: bigint | null;

  @Column({ name: 'value_eur_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  valueEurMinor: bigint | null;

  @Column({ name: 'value_azn_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  valueAznMinor: bigint | null;

  /** The currency the values were converted from; null when the receipt carries no money. */
  @Column({ name: 'value_currency', type: 'varchar', length: 3, nullable: true })
  valueCurrency: string | null;

  @Column({ name: 'valued_at', type: Date, nullable: true })
  valuedAt: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
