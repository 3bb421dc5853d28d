import { Module } from '@nestjs/common';
import { FxModule } from '../fx/fx.module';
import { FundingGapController } from './funding-gap.controller';
import { FundingGapRepository } from './funding-gap.repository';
import { FundingGapService } from './funding-gap.service';
import { FundingPageController } from './funding-page.controller';
import { FundingPageService } from './funding-page.service';

/** The funding gap: GET /api/funding-gap, the leadership page at `/` and its CSV downloads. */
@Module({
  imports: [FxModule],
  providers: [FundingGapRepository, FundingGapService, FundingPageService],
  controllers: [FundingGapController, FundingPageController],
  exports: [FundingGapRepository, FundingGapService],
})
export class FundingModule {}
