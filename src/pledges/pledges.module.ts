import { Module } from '@nestjs/common';
import { DonorsModule } from '../donors/donors.module';
import { FxModule } from '../fx/fx.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { PledgesController } from './pledges.controller';
import { PledgeInstalmentsService } from './instalments.service';
import { PledgesService } from './pledges.service';

/** The pledge use-cases (record, disburse, edit, cancel, plan instalments) and their HTTP API; the rows are the ledger's. */
@Module({
  imports: [DonorsModule, FxModule, LedgerModule, PrioritiesModule],
  providers: [PledgesService, PledgeInstalmentsService],
  controllers: [PledgesController],
  exports: [PledgesService, PledgeInstalmentsService],
})
export class PledgesModule {}
