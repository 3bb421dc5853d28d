import { Module } from '@nestjs/common';
import { StagingRepository } from './staging.repository';
import { StagingService } from './staging.service';

/** Uploaded files held between their preview and their confirmation. */
@Module({ providers: [StagingRepository, StagingService], exports: [StagingService] })
export class StagingModule {}
