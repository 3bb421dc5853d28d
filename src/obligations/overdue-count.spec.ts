import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { AppConfig } from '../config/app-config';
import type { UnitOfWork } from '../database/unit-of-work';
import type { PledgeInstalmentsService } from '../pledges/instalments.service';
import type { ObligationsRepository } from './obligations.repository';
import { ObligationsService } from './obligations.service';

/**
 * The navigation's overdue count is kept between staff pages: counted again once the figures
 * version moves (any committed write, on any instance) or the UTC day turns, never served from
 * another version or day, and a failed count is not kept.
 */
describe('ObligationsService.overdueCount', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  function service() {
    let version = 1;
    const asked: string[] = [];
    let obligations = 2;
    let failNext = false;
    const repository = {
      countOverdue: (today: string) => {
        asked.push(today);
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('database unavailable'));
        }
        return Promise.resolve(obligations);
      },
    } as unknown as ObligationsRepository;
    const uow = { figuresVersion: () => Promise.resolve(String(version)) } as unknown as UnitOfWork;
    const instalments = { overdueCount: () => Promise.resolve(3) } as unknown as PledgeInstalmentsService;
    const made = new ObligationsService(
      {} as AppConfig,
      repository,
      uow,
      ...([null, null, null, null, null] as unknown as [never, never, never, never, never]),
      instalments,
    );
    return {
      made,
      asked,
      write: (overdue: number) => {
        obligations = overdue;
        version++;
      },
      failNext: () => (failNext = true),
    };
  }

  it('counts once per figures version and day', async () => {
    jest.useFakeTimers({ now: new Date('2026-03-10T23:59:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const s = service();
    expect([await s.made.overdueCount(), await s.made.overdueCount()]).toEqual([5, 5]);
    expect(s.asked).toEqual(['2026-03-10']);

    s.write(0);
    expect(await s.made.overdueCount()).toBe(3);
    expect(s.asked).toEqual(['2026-03-10', '2026-03-10']);

    // Midnight UTC: yesterday's count is not today's, whatever the version.
    jest.setSystemTime(new Date('2026-03-11T00:00:30Z'));
    expect(await s.made.overdueCount()).toBe(3);
    expect(s.asked).toEqual(['2026-03-10', '2026-03-10', '2026-03-11']);
  });

  it('does not keep a count that failed', async () => {
    const s = service();
    s.failNext();
    await expect(s.made.overdueCount()).rejects.toThrow('database unavailable');
    expect(await s.made.overdueCount()).toBe(5);
    expect(s.asked).toHaveLength(2);
  });
});
