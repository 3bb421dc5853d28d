import { Injectable } from '@nestjs/common';
import { type Actor, organisationOf } from '../access/actor';
import { InvalidInputError } from '../common/errors/domain-errors';
import type { Transaction } from '../database/unit-of-work';
import { IdempotencyService, type IdempotencyContext } from '../idempotency/idempotency.service';
import { AuditService } from '../audit/audit.service';
import { ENTERED_AREA_METRICS, type ClearanceProgressEntity } from './clearance-progress.entity';
import { ClearanceProgressRepository } from './clearance-progress.repository';
import type { ClearanceResultEntity } from './clearance-result.entity';
import type { CreateAreaFigureDto, CreateClearanceResultDto } from './dto';

export type ClearanceFigure = ClearanceProgressEntity;
export type NewClearanceFigure = Omit<ClearanceProgressEntity, 'id' | 'createdAt'>;
export type ClearanceResult = ClearanceResultEntity;
export type NewClearanceResult = Omit<ClearanceResultEntity, 'id' | 'createdAt'>;

function figureView(f: ClearanceProgressEntity) {
  return {
    id: f.id,
    metric: f.metric,
    hectares: f.hectares,
    periodStart: f.periodStart,
    asOf: f.asOf,
    source: f.source,
    sourcePage: f.sourcePage,
    notes: f.notes,
  };
}

function resultView(r: ClearanceResultEntity) {
  return {
    id: r.id,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    district: r.district,
    operator: r.operator,
    hectares: r.hectares,
    itemsFound: r.itemsFound,
    source: r.source,
    sourcePage: r.sourcePage,
    notes: r.notes,
  };
}

/**
 * The clearance figures: area figures (contaminated area, cleared to date, work plans) that the
 * projection and the digests read, and what each period achieved, by district or operator where
 * the source breaks it down. Every entry is audited and carries its source.
 */
@Injectable()
export class ClearanceProgressService {
  constructor(
    private readonly figures: ClearanceProgressRepository,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  /** The figures stated on or before `asOf` (and recorded by the end of the UTC day `knownOn`, when given), newest first. */
  statedBy(asOf: string, knownOn?: string): Promise<ClearanceFigure[]> {
    return this.figures.statedBy(asOf, knownOn);
  }

  /** Adds a figure unless its (metric, as-of date) is stored; says whether it did (the seed's natural key). */
  addIfMissing(tx: Transaction, figure: NewClearanceFigure): Promise<boolean> {
    return this.figures.insertIfMissing(tx, figure);
  }

  /** Adds a result unless one for its period, district, operator and source is stored (the seed's natural key). */
  addResultIfMissing(tx: Transaction, result: NewClearanceResult): Promise<boolean> {
    return this.figures.insertResultIfMissing(tx, result);
  }

  /** The area figures a person enters (contaminated-area estimates, cleared to date), newest first. */
  areaFigures(actor: Actor): Promise<ClearanceFigure[]> {
    return this.figures.figuresOf(organisationOf(actor), ENTERED_AREA_METRICS);
  }

  /** The actor's organisation's clearance results. */
  results(actor: Actor): Promise<ClearanceResult[]> {
    return this.figures.results(organisationOf(actor));
  }

  /** Records an area figure; the projection uses the latest of its metric at the date it is asked for. */
  async addAreaFigure(actor: Actor, dto: CreateAreaFigureDto, idem: IdempotencyContext | null) {
    if (dto.metric === 'cleared_to_date' && !dto.periodStart) {
      throw InvalidInputError.field('periodStart', 'an area cleared to date needs the day clearance is counted from, such as 2020-11-10');
    }
    if (dto.periodStart && dto.periodStart > dto.asOf) throw InvalidInputError.field('periodStart', 'periodStart must be on or before asOf');
    return this.idempotency.create(idem, async (tx) => {
      const saved = await this.figures.insertFigure(tx, {
        organisationId: organisationOf(actor),
        metric: dto.metric,
        hectares: dto.hectares,
        periodStart: dto.metric === 'cleared_to_date' ? (dto.periodStart ?? null) : null,
        asOf: dto.asOf,
        planYear: null,
        source: dto.source,
        sourcePage: dto.sourcePage ?? null,
        notes: dto.notes ?? null,
      });
      const view = figureView(saved);
      await this.audit.record(tx, actor, { action: 'clearance_figure.create', entityType: 'clearance_figure', entityId: saved.id, after: view });
      return view;
    });
  }

  async addResult(actor: Actor, dto: CreateClearanceResultDto, idem: IdempotencyContext | null) {
    if (dto.periodStart > dto.periodEnd) throw InvalidInputError.field('periodEnd', 'periodEnd must be on or after periodStart');
    if ((dto.hectares ?? null) === null && (dto.itemsFound ?? null) === null) {
      throw InvalidInputError.field('hectares', 'give the area cleared, the items found, or both');
    }
    return this.idempotency.create(idem, async (tx) => {
      const saved = await this.figures.insertResult(tx, {
        organisationId: organisationOf(actor),
        periodStart: dto.periodStart,
        periodEnd: dto.periodEnd,
        district: dto.district ?? null,
        operator: dto.operator ?? null,
        hectares: dto.hectares ?? null,
        itemsFound: dto.itemsFound ?? null,
        source: dto.source,
        sourcePage: dto.sourcePage ?? null,
        notes: dto.notes ?? null,
        createdBy: actor.id || null,
      });
      const view = resultView(saved);
      await this.audit.record(tx, actor, { action: 'clearance_result.create', entityType: 'clearance_result', entityId: saved.id, after: view });
      return view;
    });
  }
}
