import { MissingRateError } from '../common/errors/domain-errors';
import { RateTable } from '../fx/rate-table';
import { notesOf } from './value-date-notes';

const table = new RateTable([
  { base: 'EUR', quote: 'USD', rate: '1.10', date: '2024-01-02', source: 'ECB' },
  { base: 'EUR', quote: 'USD', rate: '1.12', date: '2024-01-10', source: 'ECB' },
  { base: 'USD', quote: 'AZN', rate: '1.70', date: '2023-12-01', source: 'CBAR' },
]);

describe('notesOf', () => {
  it('lists every rate a list of value dates uses, once and in order, and the stalest use of each pair', () => {
    const notes = notesOf(table, 'USD', [
      { currency: 'EUR', valueDate: '2024-01-05' },
      { currency: 'EUR', valueDate: '2024-01-11' },
      { currency: 'AZN', valueDate: '2024-01-31' },
    ]);
    expect(notes.used.map((q) => `${q.base}/${q.quote}@${q.date}`)).toEqual(['EUR/USD@2024-01-02', 'EUR/USD@2024-01-10', 'USD/AZN@2023-12-01']);
    expect(Object.fromEntries(notes.stalest)).toEqual({
      'EUR/USD': { days: 3, valueDate: '2024-01-05', rateDate: '2024-01-02' },
      'USD/AZN': { days: 61, valueDate: '2024-01-31', rateDate: '2023-12-01' },
    });
  });

  it('gives the same notes for the same list, and works them out again when the list changes', () => {
    const list = [{ currency: 'EUR', valueDate: '2024-01-05' }];
    const first = notesOf(table, 'AZN', list);
    expect(notesOf(table, 'AZN', [{ currency: 'EUR', valueDate: '2024-01-05' }])).toBe(first);
    const longer = notesOf(table, 'AZN', [...list, { currency: 'EUR', valueDate: '2024-01-12' }]);
    expect(longer).not.toBe(first);
    expect(longer.used.map((q) => q.date)).toEqual(['2024-01-02', '2024-01-10', '2023-12-01']);
    // The same length, another date: not taken for the same list.
    const moved = notesOf(table, 'AZN', [{ currency: 'EUR', valueDate: '2024-01-12' }]);
    expect(moved.used.map((q) => q.date)).toEqual(['2024-01-10', '2023-12-01']);
  });

  it('says which value date has no rate', () => {
    expect(() => notesOf(table, 'USD', [{ currency: 'EUR', valueDate: '2023-06-01' }])).toThrow(MissingRateError);
  });
});
