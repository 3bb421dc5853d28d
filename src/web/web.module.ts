import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { DigestsModule } from '../digests/digests.module';
import { DonorsModule } from '../donors/donors.module';
import { FundingModule } from '../funding/funding.module';
import { PledgesModule } from '../pledges/pledges.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { AdminPagesController } from './admin-pages.controller';
import { AdminPagesService } from './admin-pages.service';
import { AuditPagesController } from './audit-pages.controller';
import { AuditPagesService } from './audit-pages.service';
import { DigestsPagesController } from './digests-pages.controller';
import { FundingPageController } from './funding-page.controller';
import { FundingPageService } from './funding-page.service';
import { PageLocalsInterceptor } from './page-context';
import { PledgePagesController } from './pledge-pages.controller';
import { PledgePagesService } from './pledge-pages.service';
import { SessionController } from './session.controller';
import { WebSessionService } from './session.service';

/** The HTML screens: sign-in, the funding-gap page at `/` and its CSVs, pledges, donors, audit, users and digests. */
@Module({
  imports: [PledgesModule, DonorsModule, PrioritiesModule, AuditModule, FundingModule, DigestsModule],
  controllers: [SessionController, FundingPageController, PledgePagesController, AdminPagesController, AuditPagesController, DigestsPagesController],
  providers: [
    WebSessionService,
    FundingPageService,
    PledgePagesService,
    AdminPagesService,
    AuditPagesService,
    { provide: APP_INTERCEPTOR, useClass: PageLocalsInterceptor },
  ],
})
export class WebModule {}
