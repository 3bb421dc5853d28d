import { Injectable } from '@nestjs/common';
import { todayUtc } from '../common/dates';
import type { Actor } from '../access/actor';
import { parsePageRequest } from '../common/http/pagination';
import { DonorsService } from '../donors/donors.service';
import { fundingFilterOf, type FundingGapApiQueryDto } from '../funding/dto';
import { FundingGapService } from '../funding/funding-gap.service';
import { fundingCsv, fundingPageModel, type CsvTable } from './funding-page.presenter';
import { KeptContent } from './kept-content';
import { ViewRenderer } from './view-renderer';
import { OrganisationsService } from '../organisations/organisations.service';

/** What the layout around the page's kept content needs (views/cached-content.hbs). */
export interface FundingPageLocals {
  title: string;
  generatedAt: string;
  timeZone: string;
  /** The page's content, rendered from views/funding-gap.hbs, as bytes kept with their deflate blocks. */
  content: KeptContent;
  /** The figures are being brought up to date (FundingGapView.updating): the content is rendered again shortly. */
  updating: boolean;
}

/** Rendered contents kept at most; the oldest goes first. */
const PAGE_CACHE_MAX_ENTRIES = 64;
/** How long content showing figures being brought up to date is kept (FundingGapService serves them as long). */
const UPDATING_PAGE_TTL_MS = 5_000;

/** The page and its downloads read the figures the API returns, from the one FundingGapService. */
@Injectable()
export class FundingPageService {
  /**
   * The page's content (charts, tables, forecast: everything but the layout) rendered once per
   * (currency, asOf, knownOn, donor, the reader's role and donor, today) and figures version. The
   * layout, with the reader's name, navigation and CSRF token, is rendered per request around it.
   */
  private readonly pages = new Map<string, Promise<FundingPageLocals>>();
  private version: string | null = null;

  constructor(
    private readonly fundingGap: FundingGapService,
    private readonly donors: DonorsService,
    private readonly views: ViewRenderer,
    private readonly organisations: OrganisationsService,
  ) {}

  async page(actor: Actor, query: FundingGapApiQueryDto): Promise<FundingPageLocals> {
    const version = await this.fundingGap.currentVersion();
    if (version !== this.version) {
      this.version = version;
      this.pages.clear();
    }
    // As in FundingGapService: nothing awaits from the version read to the entry's insertion.
    const today = todayUtc();
    const filter = fundingFilterOf(query);
    const key = JSON.stringify([
      query.currency ?? 'USD',
      query.asOf ?? today,
      filter.knownOn ?? null,
      filter.donorId ?? null,
      actor.organisationId,
      actor.role,
      actor.donorId,
      today,
    ]);
    let page = this.pages.get(key);
    if (!page) {
      if (this.pages.size >= PAGE_CACHE_MAX_ENTRIES) this.pages.delete(this.pages.keys().next().value as string);
      const rendering = this.render(actor, query, today);
      this.pages.set(key, rendering);
      rendering.then(
        (locals) => {
          // Figures being brought up to date are read again shortly, as FundingGapService does.
          if (locals.updating)
            setTimeout(() => {
              if (this.pages.get(key) === rendering) this.pages.delete(key);
            }, UPDATING_PAGE_TTL_MS).unref();
        },
        () => {
          if (this.pages.get(key) === rendering) this.pages.delete(key);
        },
      );
      page = rendering;
    }
    // A copy per request: Express writes the request's locals onto the object it renders.
    return { ...(await page) };
  }

  private async render(actor: Actor, query: FundingGapApiQueryDto, today: string): Promise<FundingPageLocals> {
    const currency = query.currency ?? 'USD';
    const [view, forecast, donors, organisation] = await Promise.all([
      this.fundingGap.get(currency, query.asOf, fundingFilterOf(query)),
      this.fundingGap.forecast(currency),
      this.donors.list(actor, parsePageRequest('500', undefined)),
      this.organisations.of(actor),
    ]);
    const model = fundingPageModel(
      view,
      today,
      donors.items.map((d) => ({ id: d.id, name: d.name })),
    );
    return {
      title: model.title,
      generatedAt: model.generatedAt,
      timeZone: model.timeZone,
      content: new KeptContent(await this.views.render('funding-gap', { ...model, forecast, organisation })),
      updating: view.updating !== null,
    };
  }

  async csv(table: CsvTable, query: FundingGapApiQueryDto) {
    const filter = fundingFilterOf(query);
    const currency = query.currency ?? 'USD';
    const [view, rates] = await Promise.all([this.fundingGap.get(currency, query.asOf, filter), this.fundingGap.ratesUsed(currency, query.asOf, filter)]);
    return fundingCsv(view, table, rates);
  }
}
