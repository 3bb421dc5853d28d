import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { DonorsModule } from '../donors/donors.module';
import { PledgesModule } from '../pledges/pledges.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { AdminPagesController } from './admin-pages.controller';
import { AdminPagesService } from './admin-pages.service';
import { PageLocalsInterceptor } from './page-context';
import { PledgePagesController } from './pledge-pages.controller';
import { PledgePagesService } from './pledge-pages.service';
import { SessionController } from './session.controller';
import { WebSessionService } from './session.service';

/** The desk officers' HTML screens: sign-in, pledges, donors, audit and users. */
@Module({
  imports: [PledgesModule, DonorsModule, PrioritiesModule, AuditModule],
  controllers: [SessionController, PledgePagesController, AdminPagesController],
  providers: [WebSessionService, PledgePagesService, AdminPagesService, { provide: APP_INTERCEPTOR, useClass: PageLocalsInterceptor }],
})
export class WebModule {}
