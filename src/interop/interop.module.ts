import { Module } from '@nestjs/common';
import { FxModule } from '../fx/fx.module';
import { PledgesModule } from '../pledges/pledges.module';
import { ExportService } from './export.service';
import { InteropController } from './interop.controller';
import { InteropRepository } from './interop.repository';
import { PledgeImportService } from './pledge-import.service';

/** Data in and out: pledges CSV import, CSV and IATI exports, and the rates coverage page. */
@Module({
  imports: [FxModule, PledgesModule],
  providers: [InteropRepository, PledgeImportService, ExportService],
  controllers: [InteropController],
  exports: [PledgeImportService],
})
export class InteropModule {}
