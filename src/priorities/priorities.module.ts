import { Module } from '@nestjs/common';
import { PrioritiesController } from './priorities.controller';
import { PrioritiesRepository } from './priorities.repository';
import { PrioritiesService } from './priorities.service';

@Module({ providers: [PrioritiesRepository, PrioritiesService], controllers: [PrioritiesController], exports: [PrioritiesService] })
export class PrioritiesModule {}
