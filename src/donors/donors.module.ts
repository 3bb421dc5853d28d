import { Module } from '@nestjs/common';
import { DonorsController } from './donors.controller';
import { DonorsRepository } from './donors.repository';
import { DonorsService } from './donors.service';

@Module({ providers: [DonorsRepository, DonorsService], controllers: [DonorsController], exports: [DonorsService] })
export class DonorsModule {}
