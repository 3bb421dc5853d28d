import { describe, expect, it } from '@jest/globals';
import { contributionsOf, difference, type Change, type PledgeFacts, type ReceiptFacts } from './contributions';

const values = (usd: number | null) => ({ USD: usd === null ? null : BigInt(usd), EUR: null, AZN: null });

function pledge(over: Partial<PledgeFacts> = {}): PledgeFacts {
  return {
    id: 1,
    donorId: 7,
    kind: 'cash',
    amountMinor: 1000n,
    currency: 'USD',
    valueDate: '2024-01-10',
    cancelledOn: null,
    expectation: 'not_documented',
    dueOn: null,
    quantity: null,
    unit: null,
    upTo: false,
    unitValueMinor: null,
    values: values(1000),
    waiting: false,
    earmarks: [],
    receipts: [],
    ...over,
  };
}

function receipt(id: number, receivedOn: string, counted: number, over: Partial<ReceiptFacts> = {}): ReceiptFacts {
  return {
    id,
    receivedOn,
    countedMinor: BigInt(counted),
    amountMinor: BigInt(counted),
    currency: 'USD',
    quantity: null,
    valueCurrency: 'USD',
    values: values(counted),
    waiting: false,
    ...over,
  };
}

/** The sums of `changes` on `asOf`: every change dated on or before it, per key (groups counting no row left out). */
function on(changes: readonly Change[], asOf: string): Record<string, string> {
  const sums = new Map<string, bigint[]>();
  for (const c of changes) {
    if (c.day > asOf) continue;
    const m = sums.get(c.key) ?? [0n, 0n, 0n, 0n, 0n, 0n, 0n];
    c.measures.forEach((v, i) => (m[i] += v));
    sums.set(c.key, m);
  }
  return Object.fromEntries([...sums].filter(([, m]) => m[0] !== 0n).map(([k, m]) => [k, m.map(String).join(',')]));
}

describe('the dated changes a pledge makes to the maintained sums', () => {
  it('counts a pledge from its value date and its receipts from theirs, whatever the order', () => {
    const p = pledge({ receipts: [receipt(1, '2024-01-05', 300), receipt(2, '2024-03-01', 200)] });
    const c = contributionsOf(p);
    expect(on(c, '2024-01-04')).toEqual({});
    // A receipt dated before the pledge's value date counts from its own date (as the rows' SQL counts it).
    expect(on(c, '2024-01-05')).toEqual({ 'received|7|cash': '1,300,0,0,0,1,1', 'value_date|USD|2024-01-05': '1,0,0,0,0,0,0' });
    expect(on(c, '2024-01-10')['balance|7|cash|not_documented|USD|2024-01-10']).toBe('1,700,0,0,0,0,0');
    expect(on(c, '2024-03-01')).toMatchObject({
      'pledged|7|cash': '1,1000,0,0,0,1,1',
      'received|7|cash': '2,500,0,0,0,2,2',
      'balance|7|cash|not_documented|USD|2024-01-10': '1,500,0,0,0,0,0',
    });
  });

  it('moves the balance to outstanding the day after it was due, and takes it away once received in full or over', () => {
    const p = pledge({ dueOn: '2024-02-01', receipts: [receipt(1, '2024-04-01', 1200)] });
    const c = contributionsOf(p);
    expect(on(c, '2024-02-01')['balance|7|cash|not_documented|USD|2024-01-10']).toBe('1,1000,0,0,0,0,0');
    expect(on(c, '2024-02-02')['balance|7|cash|outstanding|USD|2024-01-10']).toBe('1,1000,0,0,0,0,0');
    expect(on(c, '2024-02-02')['balance|7|cash|not_documented|USD|2024-01-10']).toBeUndefined();
    // Over-received: no balance left, never a negative one.
    expect(Object.keys(on(c, '2024-04-01')).filter((k) => k.startsWith('balance'))).toEqual([]);
  });

  it('moves a cancelled pledge to the cancelled total from its cancellation and takes its receipts out from then', () => {
    const p = pledge({ cancelledOn: '2024-05-01', earmarks: [{ priorityCode: 'P01', shareBasisPoints: null }], receipts: [receipt(1, '2024-02-01', 100)] });
    const c = contributionsOf(p);
    expect(on(c, '2024-04-30')).toMatchObject({
      'pledged|7|cash': '1,1000,0,0,0,1,1',
      'pledged_priority|P01|1|': '1,1000,0,0,0,1,1',
      'received|7|cash': '1,100,0,0,0,1,1',
    });
    expect(on(c, '2024-05-01')).toEqual({ 'cancelled|7|cash': '1,1000,0,0,0,1,1' });
  });

  it('never counts a pledge cancelled before its value date as standing', () => {
    const c = contributionsOf(pledge({ cancelledOn: '2024-01-01' }));
    expect(on(c, '2024-01-09')).toEqual({});
    expect(on(c, '2024-01-10')).toEqual({ 'cancelled|7|cash': '1,1000,0,0,0,1,1' });
  });

  it('counts goods in their units, with what is still to come pledge by pledge', () => {
    const goods = pledge({
      kind: 'in_kind',
      amountMinor: null,
      currency: null,
      values: values(null),
      quantity: 30,
      unit: 'dogs',
      upTo: true,
      earmarks: [{ priorityCode: 'P02', shareBasisPoints: null }],
      receipts: [receipt(1, '2024-03-01', 0, { quantity: 12, valueCurrency: null, values: values(null) })],
    });
    const c = contributionsOf(goods);
    expect(on(c, '2024-02-01')).toEqual({ 'goods|7|dogs': '1,30,0,1,30,1,0', 'goods_priority|P02|dogs': '1,30,0,1,30,1,0' });
    expect(on(c, '2024-03-01')['goods|7|dogs']).toBe('1,30,12,1,18,1,0');
  });

  it('gives the difference a write makes, and nothing for a write that changes nothing the sums read', () => {
    const before = pledge();
    const after = pledge({ receipts: [receipt(1, '2024-02-01', 400)] });
    const d = difference([before], [after]);
    expect(on(d, '2024-02-01')).toEqual({
      'received|7|cash': '1,400,0,0,0,1,1',
      'value_date|USD|2024-02-01': '1,0,0,0,0,0,0',
    });
    expect(on(d, '2024-02-01')['balance|7|cash|not_documented|USD|2024-01-10']).toBeUndefined();
    expect(d.find((c) => c.key.startsWith('balance'))?.measures.slice(0, 2)).toEqual([0n, -400n]);
    // Marking rows to revalue changes no sum (their previous values stay until new ones are stored).
    expect(difference([after], [{ ...after, waiting: true, receipts: after.receipts.map((r) => ({ ...r, waiting: true })) }])).toEqual([]);
  });
});
