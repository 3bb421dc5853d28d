import { Module } from '@nestjs/common';
import { FxController } from './fx.controller';
import { FxRepository } from './fx.repository';
import { FxService } from './fx.service';
import { LedgerValuation } from './ledger-valuation';
import { LedgerValuationRepository } from './ledger-valuation.repository';

/** Exchange rates, conversion, and the ledger's values in the reporting currencies. */
@Module({
  providers: [FxRepository, FxService, LedgerValuationRepository, LedgerValuation],
  controllers: [FxController],
  exports: [FxService, LedgerValuation],
})
export class FxModule {}
