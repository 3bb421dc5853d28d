import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../common/errors/domain-errors';
import {
  barPercent,
  clearanceSummary,
  inKindProgress,
  MAX_RETRY_DELAY_MS,
  messageIdFor,
  parsePeriod,
  periodLabel,
  periodOf,
  priorityFunding,
  retryDelayMs,
  unsubscribeToken,
  verifyUnsubscribeToken,
} from './digest-rules';

describe('digest periods', () => {
  it('accepts YYYY-MM months and names the field otherwise', () => {
    expect(parsePeriod('2025-03')).toBe('2025-03');
    for (const bad of ['2025-13', '2025-3', '25-03', '2025-03-01', 202503, null]) {
      expect(() => parsePeriod(bad)).toThrow(InvalidInputError);
    }
    const error = (() => {
      try {
        parsePeriod('2025-00');
      } catch (caught) {
        return caught as InvalidInputError;
      }
      return null;
    })();
    expect(error?.details).toEqual([{ field: 'period', message: 'period must be a month written YYYY-MM, such as "2025-03"' }]);
  });

  it('takes the UTC month of a moment and labels it for people', () => {
    expect(periodOf(new Date('2025-03-31T23:59:59Z'))).toBe('2025-03');
    expect(periodOf(new Date('2025-04-01T00:00:00Z'))).toBe('2025-04');
    expect(periodLabel('2025-03')).toBe('March 2025');
    expect(periodLabel('2024-12')).toBe('December 2024');
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base after each failed attempt, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 1000))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(retryDelayMs(40, 60_000)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('messageIdFor', () => {
  it('is the same for the same donor, contact and period, and differs otherwise', () => {
    const from = 'ANAMA Funding Tracker <no-reply@anama.local>';
    expect(messageIdFor(3, 7, '2025-03', from)).toBe('<digest.2025-03.d3.c7@anama.local>');
    expect(messageIdFor(3, 7, '2025-03', from)).toBe(messageIdFor(3, 7, '2025-03', from));
    expect(messageIdFor(3, 8, '2025-03', from)).not.toBe(messageIdFor(3, 7, '2025-03', from));
    expect(messageIdFor(1, 2, '2025-04', 'digests@mine-action.gov.az')).toBe('<digest.2025-04.d1.c2@mine-action.gov.az>');
  });
});

describe('unsubscribe tokens', () => {
  const secret = 'a-secret-of-at-least-thirty-two-characters';

  it('round-trips the contact id under the same secret', () => {
    expect(verifyUnsubscribeToken(unsubscribeToken(42, secret), secret)).toBe(42);
  });

  it('refuses another secret, another contact, tampering and junk', () => {
    const token = unsubscribeToken(42, secret);
    expect(verifyUnsubscribeToken(token, `${secret}x`)).toBeNull();
    expect(verifyUnsubscribeToken(token.replace(/^42\./, '43.'), secret)).toBeNull();
    expect(verifyUnsubscribeToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, secret)).toBeNull();
    for (const junk of ['', '42', '42.', 'x.y', undefined, 42, `0.${token.split('.')[1]}`]) expect(verifyUnsubscribeToken(junk, secret)).toBeNull();
  });
});

describe('barPercent', () => {
  it('rounds half up to whole percent and stays within 0..100', () => {
    expect(barPercent(1n, 3n)).toBe(33);
    expect(barPercent(1n, 200n)).toBe(1); // 0.5% rounds up
    expect(barPercent(2n, 3n)).toBe(67);
    expect(barPercent(0n, 10n)).toBe(0);
    expect(barPercent(15n, 10n)).toBe(100);
    expect(barPercent(5n, 0n)).toBe(0);
    expect(barPercent(46411764706n, 46411764706n + 300000000n)).toBe(99);
  });
});

describe('in kind and priority status', () => {
  it('writes delivered against pledged, saying when the pledge is a ceiling', () => {
    expect(inKindProgress(12, 30, true, 'mine detection dogs')).toBe('12 of up to 30 mine detection dogs');
    expect(inKindProgress(8, 8, false, 'dogs')).toBe('8 of 8 dogs');
  });

  it('calls a priority unfunded without pledges and funded only against a target', () => {
    expect(priorityFunding(0, 0n, null)).toBe('unfunded');
    expect(priorityFunding(0, 0n, 500n)).toBe('unfunded');
    expect(priorityFunding(2, 800n, null)).toBe('pledged_no_target');
    expect(priorityFunding(1, 400n, 500n)).toBe('partly_funded');
    expect(priorityFunding(1, 500n, 500n)).toBe('funded');
  });
});

describe('clearanceSummary', () => {
  const figures = [
    { metric: 'work_plan', hectares: '65092.6', asOf: '2025-01-01', planYear: 2025, source: '002' },
    { metric: 'contaminated_area', hectares: '1166700.0', asOf: '2025-03-31', planYear: null, source: '002' },
    { metric: 'cleared_to_date', hectares: '190794.2', asOf: '2025-03-31', planYear: null, source: '002' },
    { metric: 'cleared_to_date', hectares: '179791.8', asOf: '2024-12-31', planYear: null, source: '002' },
    { metric: 'work_plan', hectares: '60530.0', asOf: '2024-01-01', planYear: 2024, source: '002' },
  ];

  it("takes the newest areas, the share cleared and the given year's work plan", () => {
    expect(clearanceSummary(figures, 2025)).toEqual({
      cleared: '190794.2',
      contaminated: '1166700.0',
      asOf: '2025-03-31',
      source: '002',
      clearedShare: '0.1635',
      workPlan: { year: 2025, hectares: '65092.6' },
    });
    expect(clearanceSummary(figures, 2026)?.workPlan).toBeNull();
  });

  it('is null until both areas are recorded', () => {
    expect(
      clearanceSummary(
        figures.filter((f) => f.metric !== 'contaminated_area'),
        2025,
      ),
    ).toBeNull();
    expect(clearanceSummary([], 2025)).toBeNull();
  });
});
