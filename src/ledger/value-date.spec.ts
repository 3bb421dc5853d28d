import { describe, expect, it } from '@jest/globals';
import { SqlDialect } from '../database/sql-dialect';
import { pledgeValueDate, pledgeValueDateSql } from './value-date';

describe('the pledge value-date rule', () => {
  it('takes the pledge date, else the source document date, else the UTC day the pledge was recorded', () => {
    const recorded = new Date('2025-03-31T23:30:00-02:00');
    expect(pledgeValueDate({ pledgedOn: '2024-10-11', sourceDate: '2024-09-01', createdAt: recorded })).toEqual({
      valueDate: '2024-10-11',
      valueDateBasis: 'pledged_on',
    });
    expect(pledgeValueDate({ pledgedOn: null, sourceDate: '2024-09-01', createdAt: recorded })).toEqual({
      valueDate: '2024-09-01',
      valueDateBasis: 'source_date',
    });
    // 23:30 at UTC-2 is 01:30 the next day in UTC.
    expect(pledgeValueDate({ pledgedOn: null, sourceDate: null, createdAt: recorded })).toEqual({ valueDate: '2025-04-01', valueDateBasis: 'recorded_on' });
    expect(pledgeValueDate({ pledgedOn: null, sourceDate: null, createdAt: '2025-01-02' }).valueDate).toBe('2025-01-02');
  });

  it('is the same ordered list in SQL, with each database’s UTC day of the recording time', () => {
    expect(pledgeValueDateSql(SqlDialect.sqlite, 'p')).toBe('COALESCE(p.pledged_on, p.source_date, date(p.created_at))');
    expect(pledgeValueDateSql(SqlDialect.postgres, 'x')).toBe("COALESCE(x.pledged_on, x.source_date, (x.created_at AT TIME ZONE 'UTC')::date)");
  });
});
