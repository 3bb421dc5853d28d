import { Module } from '@nestjs/common';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsRepository } from './organisations.repository';
import { OrganisationsService } from './organisations.service';

@Module({ providers: [OrganisationsRepository, OrganisationsService], controllers: [OrganisationsController], exports: [OrganisationsService] })
export class OrganisationsModule {}
