import { Module } from '@nestjs/common';
import { DonorsModule } from '../donors/donors.module';
import { FundingModule } from '../funding/funding.module';
import { FxModule } from '../fx/fx.module';
import { LedgerModule } from '../ledger/ledger.module';
import { NationalModule } from '../national/national.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { PledgesModule } from '../pledges/pledges.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { SeedService } from './seed.service';

@Module({
  imports: [FxModule, DonorsModule, LedgerModule, PledgesModule, NationalModule, PrioritiesModule, FundingModule, OrganisationsModule],
  providers: [SeedService],
  exports: [SeedService],
})
export class SeedModule {}
