import { Module } from '@nestjs/common';
import { FxModule } from '../fx/fx.module';
import { LedgerFigures } from './ledger-figures.service';
import { LedgerFiguresRepository } from './ledger-figures.repository';
import { InstalmentsRepository } from './instalments.repository';
import { Ledger } from './ledger.service';
import { LedgerRepository } from './ledger.repository';
import { LedgerValuation } from './ledger-valuation';
import { LedgerValuationRepository } from './ledger-valuation.repository';
import { LedgerAggregates } from './aggregates/ledger-aggregates.service';
import { LedgerAggregatesRepository } from './aggregates/ledger-aggregates.repository';

/**
 * The ledger owns its tables: pledges, pledge_priorities (earmarks), disbursements (money
 * received and goods delivered), with their stored values, and pledge_instalments (planned instalments). Other modules read and write them
 * through `Ledger` (rows) and `LedgerFigures` (the funding engine's sums); its repositories stay inside.
 */
@Module({
  imports: [FxModule],
  providers: [
    LedgerAggregatesRepository,
    LedgerAggregates,
    LedgerRepository,
    InstalmentsRepository,
    LedgerFiguresRepository,
    LedgerValuationRepository,
    LedgerValuation,
    Ledger,
    LedgerFigures,
  ],
  exports: [Ledger, LedgerFigures, LedgerAggregates],
})
export class LedgerModule {}
