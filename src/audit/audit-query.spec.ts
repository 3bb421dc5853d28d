import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../common/errors/domain-errors';
import { auditTimeRange, parseAuditFilter, startOfDayIn } from './audit-query';

describe('parseAuditFilter', () => {
  it('reads every filter, and an empty value as no filter', () => {
    expect(
      parseAuditFilter(
        { entityType: 'pledge', entityId: '12', actorId: '3', action: 'pledge.cancel', from: '2025-06-01', to: '2025-06-30', order: '' },
        'newest',
      ),
    ).toEqual({ entityType: 'pledge', entityId: '12', actorId: 3, action: 'pledge.cancel', from: '2025-06-01', to: '2025-06-30', order: 'newest' });
    expect(parseAuditFilter({ entityType: '', order: 'oldest' }, 'newest')).toEqual({ order: 'oldest' });
    expect(parseAuditFilter({ entityType: 'priority', entityId: 'P05' }, 'oldest').entityId).toBe('P05');
  });

  it('names the field it refuses', () => {
    const field = (query: Record<string, unknown>) => {
      try {
        parseAuditFilter(query, 'newest');
      } catch (error) {
        return error instanceof InvalidInputError ? error.details.map((d) => d.field) : ['not a 400'];
      }
      return [];
    };
    expect(field({ actorId: '07' })).toEqual(['actorId']);
    expect(field({ from: '2025-02-30' })).toEqual(['from']);
    expect(field({ from: '2025-06-02', to: '2025-06-01' })).toEqual(['to']);
    expect(field({ action: 'drop table' })).toEqual(['action']);
    expect(field({ entityId: '1 OR 1=1' })).toEqual(['entityId']);
    expect(field({ entityType: ['pledge', 'donor'] })).toEqual(['entityType']);
    expect(field({ order: 'random' })).toEqual(['order']);
  });
});

describe('the days of the filter, in Baku time', () => {
  it('starts a day at midnight in Baku, four hours before midnight UTC', () => {
    expect(startOfDayIn('2025-06-01').toISOString()).toBe('2025-05-31T20:00:00.000Z');
    expect(startOfDayIn('2025-06-01', 'UTC').toISOString()).toBe('2025-06-01T00:00:00.000Z');
  });

  it('includes the whole last day', () => {
    const range = auditTimeRange({ from: '2025-06-01', to: '2025-06-30' });
    expect(range.since?.toISOString()).toBe('2025-05-31T20:00:00.000Z');
    expect(range.before?.toISOString()).toBe('2025-06-30T20:00:00.000Z');
    expect(auditTimeRange({})).toEqual({ since: undefined, before: undefined });
  });
});
