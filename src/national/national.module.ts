import { Module } from '@nestjs/common';
import { NationalController } from './national.controller';
import { NationalRepository } from './national.repository';
import { NationalService } from './national.service';

@Module({ providers: [NationalRepository, NationalService], controllers: [NationalController], exports: [NationalService] })
export class NationalModule {}
