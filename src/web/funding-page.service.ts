import { Injectable } from '@nestjs/common';
import { todayUtc } from '../common/dates';
import type { Actor } from '../access/actor';
import { parsePageRequest } from '../common/http/pagination';
import { DonorsService } from '../donors/donors.service';
import { fundingFilterOf, type FundingGapApiQueryDto } from '../funding/dto';
import { FundingGapService, type Forecast, type FundingGapView } from '../funding/funding-gap.service';
import { fundingCsv, fundingPageModel, type CsvTable, type FundingPageModel } from './funding-page.presenter';

/** The page and its downloads read the figures the API returns, from the one FundingGapService. */
@Injectable()
export class FundingPageService {
  /** Charts and tables are laid out once per computed result (and day), not on every request. */
  private readonly models = new WeakMap<FundingGapView, { today: string; model: FundingPageModel }>();

  constructor(
    private readonly fundingGap: FundingGapService,
    private readonly donors: DonorsService,
  ) {}

  async page(actor: Actor, query: FundingGapApiQueryDto): Promise<FundingPageModel & { forecast: Forecast }> {
    const [view, forecast] = await Promise.all([
      this.fundingGap.get(query.currency ?? 'USD', query.asOf, fundingFilterOf(query)),
      this.fundingGap.forecast(query.currency ?? 'USD'),
    ]);
    const today = todayUtc();
    const laidOut = this.models.get(view);
    // A shallow copy per request: Express writes the request's locals onto the object it renders.
    if (laidOut?.today === today) return { ...laidOut.model, forecast };
    const donors = (await this.donors.list(actor, parsePageRequest('500', undefined))).items.map((d) => ({ id: d.id, name: d.name }));
    const model = fundingPageModel(view, today, donors);
    this.models.set(view, { today, model });
    return { ...model, forecast };
  }

  async csv(table: CsvTable, query: FundingGapApiQueryDto) {
    const filter = fundingFilterOf(query);
    const currency = query.currency ?? 'USD';
    const [view, rates] = await Promise.all([this.fundingGap.get(currency, query.asOf, filter), this.fundingGap.ratesUsed(currency, query.asOf, filter)]);
    return fundingCsv(view, table, rates);
  }
}
