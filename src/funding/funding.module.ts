import { Module } from '@nestjs/common';
import { DonorsModule } from '../donors/donors.module';
import { FxModule } from '../fx/fx.module';
import { LedgerModule } from '../ledger/ledger.module';
import { NationalModule } from '../national/national.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { ClearanceProgressRepository } from './clearance-progress.repository';
import { ClearanceProgressService } from './clearance-progress.service';
import { FundingGapController } from './funding-gap.controller';
import { FundingGapService } from './funding-gap.service';

/** The funding gap: GET /api/funding-gap and the figures behind the leadership page (src/web/funding-page.controller.ts). */
@Module({
  imports: [FxModule, LedgerModule, NationalModule, PrioritiesModule, DonorsModule],
  providers: [ClearanceProgressRepository, ClearanceProgressService, FundingGapService],
  controllers: [FundingGapController],
  exports: [FundingGapService, ClearanceProgressService],
})
export class FundingModule {}
