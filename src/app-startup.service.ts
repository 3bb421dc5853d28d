import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UsersService } from './auth/users.service';
import { APP_CONFIG } from './config/app-config';
import type { AppConfig } from './config/app-config';
import { SeedService } from './seed/seed.service';

/** First-start work: the bootstrap admin, then the report's data into an empty database. */
@Injectable()
export class AppStartupService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Startup');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly seed: SeedService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.users.ensureBootstrapAdmin();
    if (this.config.seed && (await this.seed.isEmpty())) {
      this.logger.log('Empty database: loading the report data from seeds/');
      await this.seed.run();
    }
  }
}
