import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { SYSTEM_ACTOR } from '../access/actor';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { DigestSender } from './digest-sender';
import { RunDigests } from './run-digests';

export const DIGEST_CRON_JOB = 'digests:scheduled-run';

/**
 * The scheduled run (DIGEST_CRON, UTC; "off" disables it): queues the current month's digests and
 * delivers what is due. Every instance may fire; the run's lock and the outbox's UNIQUE index
 * make the second one queue nothing.
 */
@Injectable()
export class DigestScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('DigestScheduler');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly runDigests: RunDigests,
    private readonly sender: DigestSender,
  ) {}

  onApplicationBootstrap(): void {
    const cron = this.config.digests.cron;
    if (!cron) return;
    const job = CronJob.from({ cronTime: cron, onTick: () => this.runScheduled(), timeZone: 'UTC', waitForCompletion: true, start: false });
    this.registry.addCronJob(DIGEST_CRON_JOB, job);
    job.start();
  }

  async runScheduled(now: Date = new Date()): Promise<void> {
    try {
      await this.runDigests.execute({ actor: SYSTEM_ACTOR, now });
      await this.sender.deliverDue();
    } catch (error) {
      this.logger.error(`Scheduled digest run failed: ${(error as Error).message}`);
    }
  }
}
