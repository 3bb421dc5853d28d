import { describe, it, expect } from '@jest/globals';
import { ListedPledges, type PledgeLine } from './digest-content.service';

const line = (title: string) => ({ title }) as PledgeLine;

describe('ListedPledges', () => {
  it('keeps the largest half and tops up with the latest, newest first, never more than the limit', () => {
    const listed = new ListedPledges(4);
    // ids 1..10: value grows with the id except id 3, the largest; dates grow with the id.
    for (let id = 1; id <= 10; id++) {
      listed.offer({ id, valueDate: `2024-01-${String(id).padStart(2, '0')}`, valueMinor: id === 3 ? 1_000_000n : BigInt(id), line: line(`#${id}`) });
    }
    expect(listed.lines().map((l) => l.title)).toEqual(['#10', '#9', '#8', '#3']);
  });

  it('goods without a value are listed by date only', () => {
    const listed = new ListedPledges(2);
    listed.offer({ id: 1, valueDate: '2024-01-01', valueMinor: 500n, line: line('cash') });
    listed.offer({ id: 2, valueDate: '2024-02-01', valueMinor: null, line: line('dogs') });
    listed.offer({ id: 3, valueDate: '2023-01-01', valueMinor: null, line: line('old dogs') });
    expect(listed.lines().map((l) => l.title)).toEqual(['dogs', 'cash']);
  });

  it('fewer pledges than the limit: all of them', () => {
    const listed = new ListedPledges(20);
    listed.offer({ id: 1, valueDate: '2024-01-01', valueMinor: 1n, line: line('only') });
    expect(listed.lines().map((l) => l.title)).toEqual(['only']);
  });
});
