import { Module } from '@nestjs/common';
import { PrioritiesController } from './priorities.controller';
import { PrioritiesService } from './priorities.service';

@Module({ providers: [PrioritiesService], controllers: [PrioritiesController], exports: [PrioritiesService] })
export class PrioritiesModule {}
