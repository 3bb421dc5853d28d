import { Module } from '@nestjs/common';
import { DonorsModule } from '../donors/donors.module';
import { FundingModule } from '../funding/funding.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { LedgerModule } from '../ledger/ledger.module';
import { StatementDocuments } from './statement-documents.service';
import { StatementsController } from './statements.controller';
import { StatementsRepository } from './statements.repository';
import { StatementsService } from './statements.service';

/** Published statements: the funding figures frozen at (asOf, knownOn), their page, documents and what changed between them. */
@Module({
  imports: [FundingModule, LedgerModule, DonorsModule, IdempotencyModule],
  providers: [StatementsRepository, StatementsService, StatementDocuments],
  controllers: [StatementsController],
  exports: [StatementsService, StatementDocuments],
})
export class StatementsModule {}
