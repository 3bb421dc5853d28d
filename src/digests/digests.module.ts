import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DonorsModule } from '../donors/donors.module';
import { FxModule } from '../fx/fx.module';
import { FundingModule } from '../funding/funding.module';
import { LedgerModule } from '../ledger/ledger.module';
import { ObligationsModule } from '../obligations/obligations.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { PledgesModule } from '../pledges/pledges.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { StatementsModule } from '../statements/statements.module';
import { DigestContentService } from './digest-content.service';
import { DigestRenderer } from './digest-renderer';
import { DigestScheduler } from './digest-scheduler';
import { DigestSender } from './digest-sender';
import { DigestsController } from './digests.controller';
import { DigestsRepository } from './digests.repository';
import { DigestsService } from './digests.service';
import { RunDigests } from './run-digests';
import { UnsubscribeService } from './unsubscribe.service';

/** Donor status digests: a run queues one message per contact and period in the outbox; the sender delivers it. */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    DonorsModule,
    OrganisationsModule,
    LedgerModule,
    PrioritiesModule,
    FxModule,
    FundingModule,
    PledgesModule,
    ObligationsModule,
    StatementsModule,
  ],
  providers: [DigestsRepository, DigestContentService, DigestRenderer, UnsubscribeService, RunDigests, DigestSender, DigestScheduler, DigestsService],
  controllers: [DigestsController],
  exports: [RunDigests, DigestSender, DigestsService],
})
export class DigestsModule {}
