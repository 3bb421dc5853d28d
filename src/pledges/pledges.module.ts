import { Module } from '@nestjs/common';
import { DonorsModule } from '../donors/donors.module';
import { FxModule } from '../fx/fx.module';
import { PrioritiesModule } from '../priorities/priorities.module';
import { PledgesController } from './pledges.controller';
import { PledgesRepository } from './pledges.repository';
import { PledgesService } from './pledges.service';

@Module({
  imports: [DonorsModule, FxModule, PrioritiesModule],
  providers: [PledgesRepository, PledgesService],
  controllers: [PledgesController],
  exports: [PledgesService, PledgesRepository],
})
export class PledgesModule {}
