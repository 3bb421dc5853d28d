import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppStartupService } from './app-startup.service';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG } from './config/app-config';
import type { AppConfig } from './config/app-config';
import { DatabaseModule } from './database/database.module';
import { ENTITIES } from './entities';
import { DigestsModule } from './digests/digests.module';
import { DonorsModule } from './donors/donors.module';
import { FundingModule } from './funding/funding.module';
import { FxModule } from './fx/fx.module';
import { HealthController } from './health/health.controller';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { InteropModule } from './interop/interop.module';
import { LedgerModule } from './ledger/ledger.module';
import { NationalModule } from './national/national.module';
import { ObligationsModule } from './obligations/obligations.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { PledgesModule } from './pledges/pledges.module';
import { PrioritiesModule } from './priorities/priorities.module';
import { SeedModule } from './seed/seed.module';
import { StatementsModule } from './statements/statements.module';
import { WebModule } from './web/web.module';

@Global()
@Module({})
class ConfigModule {
  static with(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}

/** The whole application for one validated configuration; `main.ts`, the CLI and every test build it the same way. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.with(config),
        DatabaseModule.forRoot(ENTITIES),
        AuditModule,
        IdempotencyModule,
        OrganisationsModule,
        AuthModule,
        DonorsModule,
        PrioritiesModule,
        FxModule,
        LedgerModule,
        PledgesModule,
        ObligationsModule,
        NationalModule,
        SeedModule,
        FundingModule,
        StatementsModule,
        InteropModule,
        WebModule,
        DigestsModule,
      ],
      controllers: [HealthController],
      providers: [AppStartupService],
    };
  }
}
