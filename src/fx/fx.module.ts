import { Module } from '@nestjs/common';
import { FxController } from './fx.controller';
import { FxRepository } from './fx.repository';
import { FxService } from './fx.service';

@Module({ providers: [FxRepository, FxService], controllers: [FxController], exports: [FxService] })
export class FxModule {}
