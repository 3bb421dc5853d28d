import { Module } from '@nestjs/common';
import { NationalController } from './national.controller';
import { NationalService } from './national.service';

@Module({ providers: [NationalService], controllers: [NationalController], exports: [NationalService] })
export class NationalModule {}
