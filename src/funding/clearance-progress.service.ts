import { Injectable } from '@nestjs/common';
import type { Transaction } from '../database/unit-of-work';
import type { ClearanceProgressEntity } from './clearance-progress.entity';
import { ClearanceProgressRepository } from './clearance-progress.repository';

export type ClearanceFigure = ClearanceProgressEntity;
export type NewClearanceFigure = Omit<ClearanceProgressEntity, 'id' | 'createdAt'>;

/** The clearance figures (contaminated area, cleared to date, work plans) the projection and the digests read. */
@Injectable()
export class ClearanceProgressService {
  constructor(private readonly figures: ClearanceProgressRepository) {}

  /** The figures stated on or before `asOf` (and recorded by the end of the UTC day `knownOn`, when given), newest first. */
  statedBy(asOf: string, knownOn?: string): Promise<ClearanceFigure[]> {
    return this.figures.statedBy(asOf, knownOn);
  }

  /** Adds a figure unless its (metric, as-of date) is stored; says whether it did (the seed's natural key). */
  addIfMissing(tx: Transaction, figure: NewClearanceFigure): Promise<boolean> {
    return this.figures.insertIfMissing(tx, figure);
  }
}
