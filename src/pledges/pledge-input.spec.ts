import { searchPattern } from './pledge-query';
import { describe, it, expect } from '@jest/globals';
import { InvalidInputError } from '../common/errors/domain-errors';
import { pledgeChangesFrom } from './pledge-input';

describe('pledgeChangesFrom', () => {
  it('sets only the fields the request carries, trimming text and clearing empty text', () => {
    expect(pledgeChangesFrom({ title: '  New title ', status: 'committed', notes: '   ', source: null, pledgedOn: null })).toEqual({
      title: 'New title',
      commitment: 'committed',
      notes: null,
      source: null,
      pledgedOn: null,
    });
    expect(pledgeChangesFrom({})).toEqual({});
  });

  it('refuses a title that is blank once trimmed, naming title', () => {
    expect(() => pledgeChangesFrom({ title: '     ' })).toThrow(InvalidInputError);
    expect(() => pledgeChangesFrom({ title: '  ab  ' })).toThrow('title must be at least 3 characters');
  });

  it('refuses shares without the codes they belong to', () => {
    expect(() => pledgeChangesFrom({ priorityShares: ['100'] })).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ field: 'priorityShares' })] }),
    );
  });
});

describe('searchPattern', () => {
  it('finds the words anywhere, case folded, and takes % _ and \\ literally', () => {
    expect(searchPattern('Marshall')).toBe('%marshall%');
    expect(searchPattern('10%_a\\b')).toBe('%10\\%\\_a\\\\b%');
  });
});
