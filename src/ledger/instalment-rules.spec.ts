import { describe, expect, it } from '@jest/globals';
import { instalmentStanding, quarterOf, scheduleRoom, scheduleStanding } from './instalment-rules';

const today = '2026-05-15';
const quarterly = [
  { id: 1, dueOn: '2026-01-31', size: 250_000_00n },
  { id: 2, dueOn: '2026-04-30', size: 250_000_00n },
  { id: 3, dueOn: '2026-07-31', size: 250_000_00n },
  { id: 4, dueOn: '2026-10-31', size: 250_000_00n },
];
const states = (received: bigint, cancelled = false, on = today, schedule = quarterly) =>
  scheduleStanding(schedule, { received, cancelled }, on).map((i) => [i.id, i.state, i.covered, i.expected]);

describe('instalment states: receipts matched oldest first', () => {
  it('one and a half instalments received: the first received, the second partly received until its date passes, then overdue', () => {
    expect(states(375_000_00n, false, '2026-04-30')).toEqual([
      [1, 'received', 250_000_00n, 0n],
      [2, 'partly_received', 125_000_00n, 125_000_00n],
      [3, 'due', 0n, 250_000_00n],
      [4, 'due', 0n, 250_000_00n],
    ]);
    expect(states(375_000_00n, false, '2026-05-01').slice(0, 2)).toEqual([
      [1, 'received', 250_000_00n, 0n],
      [2, 'overdue', 125_000_00n, 125_000_00n],
    ]);
  });

  it('exact cover: an instalment covered to the last minor unit is received, the next untouched', () => {
    expect(states(500_000_00n).slice(0, 3)).toEqual([
      [1, 'received', 250_000_00n, 0n],
      [2, 'received', 250_000_00n, 0n],
      [3, 'due', 0n, 250_000_00n],
    ]);
    expect(states(500_000_00n - 1n)[1]).toEqual([2, 'overdue', 250_000_00n - 1n, 1n]);
  });

  it('nothing received: past dates overdue, today and later due', () => {
    expect(states(0n, false, '2026-04-30').map((s) => s[1])).toEqual(['overdue', 'due', 'due', 'due']);
  });

  it('over-receipt beyond the schedule changes nothing: every instalment received, nothing expected', () => {
    expect(states(2_000_000_00n).map((s) => [s[1], s[3]])).toEqual(Array(4).fill(['received', 0n]));
  });

  it('a cancelled pledge: covered instalments stay received, the rest is cancelled, never overdue, expected 0', () => {
    expect(states(375_000_00n, true)).toEqual([
      [1, 'received', 250_000_00n, 0n],
      [2, 'cancelled', 125_000_00n, 0n],
      [3, 'cancelled', 0n, 0n],
      [4, 'cancelled', 0n, 0n],
    ]);
  });

  it('in kind: units match the same way (30 dogs in three deliveries of 10, 12 delivered)', () => {
    const dogs = [
      { id: 7, dueOn: '2026-06-30', size: 10n },
      { id: 5, dueOn: '2026-03-31', size: 10n },
      { id: 6, dueOn: '2026-03-31', size: 10n },
    ];
    expect(states(12n, false, today, dogs)).toEqual([
      [5, 'received', 10n, 0n],
      [6, 'overdue', 2n, 8n],
      [7, 'due', 0n, 10n],
    ]);
  });

  it('the standing of one instalment from the sum scheduled before it', () => {
    expect(instalmentStanding({ size: 100n, dueOn: today, scheduledBefore: 100n, received: 150n, cancelled: false }, today)).toEqual({
      state: 'partly_received',
      covered: 50n,
      expected: 50n,
    });
  });

  it('room left in a schedule, and quarters', () => {
    expect(scheduleRoom(1_000n, [400n, 600n])).toBe(0n);
    expect(scheduleRoom(1_000n, [400n])).toBe(600n);
    expect(scheduleRoom(1_000n, [1_200n])).toBe(0n);
    expect(['2026-01-01', '2026-03-31', '2026-04-01', '2026-09-30', '2026-10-01', '2026-12-31'].map(quarterOf)).toEqual([
      '2026-Q1',
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
      '2026-Q4',
    ]);
  });
});
