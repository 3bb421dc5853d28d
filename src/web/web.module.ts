import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { DigestsModule } from '../digests/digests.module';
import { ObligationsModule } from '../obligations/obligations.module';
import { DonorsModule } from '../donors/donors.module';
import { FundingModule } from '../funding/funding.module';
import { NationalModule } from '../national/national.module';
import { PledgesModule } from '../pledges/pledges.module';
import { FxModule } from '../fx/fx.module';
import { LedgerModule } from '../ledger/ledger.module';
import { StagingModule } from '../staging/staging.module';
import { StatementsModule } from '../statements/statements.module';
import { InteropModule } from '../interop/interop.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { AdminPagesController } from './admin-pages.controller';
import { AdminPagesService } from './admin-pages.service';
import { AuditPagesController } from './audit-pages.controller';
import { AuditPagesService } from './audit-pages.service';
import { CalendarPagesController } from './calendar-pages.controller';
import { CalendarPagesService } from './calendar-pages.service';
import { DigestsPagesController } from './digests-pages.controller';
import { DonorsPagesController } from './donors-pages.controller';
import { DonorsPagesService } from './donors-pages.service';
import { FundingPageController } from './funding-page.controller';
import { FundingPageService } from './funding-page.service';
import { ClearancePagesController } from './clearance-pages.controller';
import { ClearancePagesService } from './clearance-pages.service';
import { ImportPagesController } from './import-pages.controller';
import { ImportPagesService } from './import-pages.service';
import { NationalPagesController } from './national-pages.controller';
import { NationalPagesService } from './national-pages.service';
import { PageLocalsInterceptor } from './page-context';
import { PledgePagesController } from './pledge-pages.controller';
import { PledgePagesService } from './pledge-pages.service';
import { PrioritiesPagesController } from './priorities-pages.controller';
import { PrioritiesPagesService } from './priorities-pages.service';
import { RatesPagesController } from './rates-pages.controller';
import { RatesPagesService } from './rates-pages.service';
import { SessionController } from './session.controller';
import { StatementsPagesController } from './statements-pages.controller';
import { StatementsPagesService } from './statements-pages.service';
import { WebSessionService } from './session.service';
import { UsersPagesController } from './users-pages.controller';
import { UsersPagesService } from './users-pages.service';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ViewRenderer } from './view-renderer';

/** The HTML screens: sign-in, the funding-gap page at `/` and its CSVs, pledges, donors, audit, users, priorities and targets, national figures, exchange rates, the pledges import, clearance progress, the calendar, published statements and digests. */
@Module({
  imports: [
    PledgesModule,
    DonorsModule,
    PrioritiesModule,
    NationalModule,
    AuditModule,
    FundingModule,
    DigestsModule,
    ObligationsModule,
    FxModule,
    StagingModule,
    LedgerModule,
    StatementsModule,
    InteropModule,
    OrganisationsModule,
  ],
  controllers: [
    SessionController,
    FundingPageController,
    PledgePagesController,
    DonorsPagesController,
    AdminPagesController,
    AuditPagesController,
    DigestsPagesController,
    UsersPagesController,
    CalendarPagesController,
    PrioritiesPagesController,
    NationalPagesController,
    RatesPagesController,
    StatementsPagesController,
    ImportPagesController,
    ClearancePagesController,
  ],
  providers: [
    WebSessionService,
    FundingPageService,
    PledgePagesService,
    AdminPagesService,
    AuditPagesService,
    UsersPagesService,
    CalendarPagesService,
    PrioritiesPagesService,
    NationalPagesService,
    RatesPagesService,
    ImportPagesService,
    ClearancePagesService,
    DonorsPagesService,
    StatementsPagesService,
    ViewRenderer,
    { provide: APP_INTERCEPTOR, useClass: PageLocalsInterceptor },
  ],
})
export class WebModule {}
