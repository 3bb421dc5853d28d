import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DonorsModule } from '../donors/donors.module';
import { PledgesModule } from '../pledges/pledges.module';
import { ObligationsController } from './obligations.controller';
import { ObligationsRepository } from './obligations.repository';
import { ObligationsService } from './obligations.service';

/** Reports and other deliverables owed to donors, the calendar of what is due and overdue, and its iCalendar feed. */
@Module({
  imports: [AuditModule, DonorsModule, PledgesModule],
  providers: [ObligationsRepository, ObligationsService],
  controllers: [ObligationsController],
  exports: [ObligationsService],
})
export class ObligationsModule {}
