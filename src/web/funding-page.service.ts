import { Injectable } from '@nestjs/common';
import { todayUtc } from '../common/dates';
import type { FundingGapQueryDto } from '../funding/dto';
import { FundingGapService, type FundingGapView } from '../funding/funding-gap.service';
import { fundingCsv, fundingPageModel, type CsvTable, type FundingPageModel } from './funding-page.presenter';

/** The page and its downloads read the figures the API returns, from the one FundingGapService. */
@Injectable()
export class FundingPageService {
  /** Charts and tables are laid out once per computed result (and day), not on every request. */
  private readonly models = new WeakMap<FundingGapView, { today: string; model: FundingPageModel }>();

  constructor(private readonly fundingGap: FundingGapService) {}

  async page(query: FundingGapQueryDto): Promise<FundingPageModel> {
    const view = await this.fundingGap.get(query.currency ?? 'USD', query.asOf);
    const today = todayUtc();
    const laidOut = this.models.get(view);
    // A shallow copy per request: Express writes the request's locals onto the object it renders.
    if (laidOut?.today === today) return { ...laidOut.model };
    const model = fundingPageModel(view, today);
    this.models.set(view, { today, model });
    return { ...model };
  }

  async csv(table: CsvTable, query: FundingGapQueryDto) {
    return fundingCsv(await this.fundingGap.get(query.currency ?? 'USD', query.asOf), table);
  }
}
