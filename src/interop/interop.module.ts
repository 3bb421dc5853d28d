import { Module } from '@nestjs/common';
import { DonorsModule } from '../donors/donors.module';
import { FxModule } from '../fx/fx.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PledgesModule } from '../pledges/pledges.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { ExportService } from './export.service';
import { InteropController } from './interop.controller';
import { PledgeImportService } from './pledge-import.service';

/** Data in and out: pledges CSV import, CSV and IATI exports. */
@Module({
  imports: [DonorsModule, FxModule, LedgerModule, PledgesModule, PrioritiesModule],
  providers: [PledgeImportService, ExportService],
  controllers: [InteropController],
  exports: [PledgeImportService],
})
export class InteropModule {}
