import { Module } from '@nestjs/common';
import { FxController } from './fx.controller';
import { FxRepository } from './fx.repository';
import { FxService } from './fx.service';

/** Exchange rates and conversion. */
@Module({
  providers: [FxRepository, FxService],
  controllers: [FxController],
  exports: [FxService],
})
export class FxModule {}
