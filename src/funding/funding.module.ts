import { Module } from '@nestjs/common';
import { FxModule } from '../fx/fx.module';
import { NationalModule } from '../national/national.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { FundingGapController } from './funding-gap.controller';
import { FundingGapRepository } from './funding-gap.repository';
import { FundingGapService } from './funding-gap.service';

/** The funding gap: GET /api/funding-gap and the figures behind the leadership page (src/web/funding-page.controller.ts). */
@Module({
  imports: [FxModule, NationalModule, PrioritiesModule],
  providers: [FundingGapRepository, FundingGapService],
  controllers: [FundingGapController],
  exports: [FundingGapRepository, FundingGapService],
})
export class FundingModule {}
