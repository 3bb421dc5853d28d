import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { actingFor, SYSTEM_ACTOR } from '../access/actor';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import type { DonorType } from '../donors/donor.entity';
import { DonorsService } from '../donors/donors.service';
import { FxService } from '../fx/fx.service';
import type { ClearanceMetric } from '../funding/clearance-progress.entity';
import { ClearanceProgressService } from '../funding/clearance-progress.service';
import type { ReceiptExpectation } from '../ledger/fulfilment';
import { Ledger } from '../ledger/ledger.service';
import type { Channel, CommitmentLevel } from '../ledger/pledge.entity';
import type { ReportedFigureKey, SpendBasis } from '../national/national.entity';
import { NationalService } from '../national/national.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { PledgesService } from '../pledges/pledges.service';
import { PrioritiesService } from '../priorities/priorities.service';
import type { RateQuote } from '../common/money/conversion';

interface SeedFile {
  sources: Record<string, string>;
  priorities: Array<{ code: string; rank: number; title: string; description: string }>;
  donors: Array<{ key: string; name: string; type: DonorType; countryCode: string | null; displayCurrency?: string; notes?: string; source: string }>;
  pledges: Array<{
    ref: string;
    donor: string;
    kind: 'cash' | 'in_kind';
    title: string;
    amount?: string;
    currency?: string;
    inKind?: { quantity: number; unit: string; upTo: boolean };
    pledgedOn: string | null;
    sourceDate: string;
    status: CommitmentLevel;
    /** null: the source names no channel. */
    channel: Channel | null;
    channelName: string | null;
    instrument: string;
    priorityCodes: string[];
    /** Absent: not documented (the sources rarely say whether money arrived). */
    receiptExpectation?: ReceiptExpectation;
    receiptDueOn?: string | null;
    source: string;
    notes?: string;
    disbursements?: Array<{ amount: string; currency: string; receivedOn: string; receivedOnBasis: 'exact' | 'on_or_before'; source: string; notes: string }>;
    deliveries?: Array<{ quantity: number; receivedOn: string; receivedOnBasis: 'exact' | 'on_or_before'; source: string; notes: string }>;
  }>;
  governmentSpend: Array<{
    amount: string;
    currency: string;
    asAt: string;
    basis: SpendBasis;
    periodStart: string | null;
    source: string;
    sourcePage: string | null;
    notes: string;
  }>;
  reportedFigures: Array<{
    key: ReportedFigureKey;
    value: string;
    currency: string | null;
    asOf: string;
    source: string;
    sourcePage: string | null;
    notes: string;
  }>;
}

export interface SeedReport {
  priorities: number;
  donors: number;
  pledges: number;
  governmentSpend: number;
  reportedFigures: number;
  rates: number;
}

/**
 * Loads the report's data (seeds/README.md). Every record has a natural key and is skipped when
 * present, so seeding twice changes nothing. Records go through the same services as the API, so
 * the seed obeys every rule a desk officer does and leaves the same audit trail.
 */
@Injectable()
export class SeedService {
  private readonly logger = new Logger('SeedService');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
    private readonly fx: FxService,
    private readonly donors: DonorsService,
    private readonly pledges: PledgesService,
    private readonly national: NationalService,
    private readonly priorities: PrioritiesService,
    private readonly ledger: Ledger,
    private readonly clearance: ClearanceProgressService,
    private readonly organisations: OrganisationsService,
  ) {}

  private path(...parts: string[]): string {
    return join(this.config.rootDir, 'seeds', ...parts);
  }

  /** True when the ledger has no priorities yet: a brand-new database. */
  async isEmpty(): Promise<boolean> {
    return this.priorities.isEmpty();
  }

  async run(): Promise<SeedReport> {
    const file = JSON.parse(await readFile(this.path('report-2025-q1.json'), 'utf8')) as SeedFile;
    const cite = (code: string) => `${code}: ${file.sources[code] ?? code}`;
    const report: SeedReport = { priorities: 0, donors: 0, pledges: 0, governmentSpend: 0, reportedFigures: 0, rates: 0 };
    // The report is ANAMA's: its records belong to ANAMA's organisation (OrganisationsService.forSeed).
    const organisationId = await this.organisations.forSeed();
    const actor = actingFor(SYSTEM_ACTOR, organisationId);

    report.rates = await this.seedRates();

    await this.uow.transaction(async (tx) => {
      for (const p of file.priorities) {
        if (await this.priorities.insertIfMissing(tx, { ...p, organisationId, source: cite('002') })) report.priorities++;
      }
    });

    const donorIds = new Map<string, number>();
    for (const d of file.donors) {
      const existingId = await this.donors.idByName(organisationId, d.name);
      if (existingId !== null) {
        donorIds.set(d.key, existingId);
        continue;
      }
      const created = await this.donors.create(
        actor,
        { name: d.name, type: d.type, countryCode: d.countryCode ?? undefined, displayCurrency: d.displayCurrency, notes: d.notes, source: cite(d.source) },
        null,
      );
      donorIds.set(d.key, created.body.id);
      report.donors++;
    }

    for (const p of file.pledges) {
      if (await this.ledger.externalRefUsed(organisationId, p.ref)) continue;
      const donorId = donorIds.get(p.donor);
      if (!donorId) throw new Error(`Seed pledge ${p.ref} names unknown donor ${p.donor}`);
      const created = await this.pledges.create(
        actor,
        {
          donorId,
          title: p.title,
          kind: p.kind,
          amount: p.amount,
          currency: p.currency,
          inKind: p.inKind,
          pledgedOn: p.pledgedOn,
          sourceDate: p.sourceDate,
          status: p.status,
          channel: p.channel,
          channelName: p.channelName ?? undefined,
          instrument: p.instrument,
          priorityCodes: p.priorityCodes,
          receiptExpectation: p.receiptExpectation,
          receiptDueOn: p.receiptDueOn ?? null,
          source: cite(p.source),
          notes: p.notes,
          externalRef: p.ref,
        },
        null,
      );
      for (const d of p.disbursements ?? []) {
        await this.pledges.recordDisbursement(actor, created.body.id, { ...d, source: cite(d.source) }, null);
      }
      for (const d of p.deliveries ?? []) {
        await this.pledges.recordDisbursement(actor, created.body.id, { ...d, source: cite(d.source) }, null);
      }
      report.pledges++;
    }

    for (const s of file.governmentSpend) {
      const source = cite(s.source);
      if (await this.national.hasSpend(s.asAt, s.currency, source)) continue;
      await this.national.addSpend(actor, { ...s, source }, null);
      report.governmentSpend++;
    }

    for (const f of file.reportedFigures) {
      const source = cite(f.source);
      if (await this.national.hasReportedFigure(f.key, f.asOf, source)) continue;
      await this.national.addReportedFigure(actor, { ...f, currency: f.currency ?? undefined, source }, null);
      report.reportedFigures++;
    }

    const clearanceFigures = (await this.seedClearanceProgress(organisationId)) + (await this.seedClearanceResults(organisationId));

    this.logger.log(`Seeded ${JSON.stringify(report)}, ${clearanceFigures} clearance figures`);
    return report;
  }

  /** Area figures behind the funding-gap projection; a figure's natural key is (metric, as-of date). */
  private async seedClearanceProgress(organisationId: number): Promise<number> {
    const file = JSON.parse(await readFile(this.path('clearance-progress.json'), 'utf8')) as {
      source: string;
      figures: Array<{ metric: ClearanceMetric; hectares: string; periodStart: string | null; asOf: string; planYear: number | null; notes: string }>;
    };
    return this.uow.transaction(async (tx) => {
      let inserted = 0;
      for (const f of file.figures) {
        if (await this.clearance.addIfMissing(tx, { ...f, organisationId, source: file.source, sourcePage: null })) inserted++;
      }
      return inserted;
    });
  }

  /** What each period achieved, per district where the report gives it; a row's natural key is its period, district, operator and source. */
  private async seedClearanceResults(organisationId: number): Promise<number> {
    const file = JSON.parse(await readFile(this.path('clearance-results.json'), 'utf8')) as {
      source: string;
      sourcePage: string;
      periodStart: string;
      periodEnd: string;
      byDistrict: Array<{ district: string; hectares: string; itemsFound: number }>;
    };
    return this.uow.transaction(async (tx) => {
      let inserted = 0;
      for (const r of file.byDistrict) {
        const row = { ...r, periodStart: file.periodStart, periodEnd: file.periodEnd, operator: null, source: file.source, sourcePage: file.sourcePage };
        if (await this.clearance.addResultIfMissing(tx, { ...row, organisationId, notes: null, createdBy: null })) inserted++;
      }
      return inserted;
    });
  }

  private async seedRates(): Promise<number> {
    const cbar = JSON.parse(await readFile(this.path('fx', 'cbar-usd-azn.json'), 'utf8')) as { rates: RateQuote[] };
    const pegged = await this.uow.transaction((tx) => this.fx.insertRates(tx, cbar.rates));
    const ecb = await this.fx.importEcb(null, await readFile(this.path('fx', 'ecb-eurofxref-hist.csv'), 'utf8'));
    return pegged + ecb.imported;
  }
}
