import { describe, expect, it } from '@jest/globals';
import { all, any, CaseRule, eq, fact, gt, gte, holds, isNull, literal, lt, not, notNull, param } from './case-rule';

type Fact = 'flag' | 'kind' | 'amount' | 'paid' | 'due';

const rule = new CaseRule<Fact, 'off' | 'done' | 'late' | 'open'>({
  cases: [
    [holds('flag'), 'off'],
    [all(eq(fact('kind'), literal("it's")), notNull('amount'), gte(fact('paid'), fact('amount'))), 'done'],
    [any(isNull('amount'), all(notNull('due'), lt(fact('due'), param('asOf')))), 'late'],
  ],
  otherwise: { fact: 'kind' },
});

const facts = (over: Partial<Record<Fact, string | number | bigint | boolean | null>>) => ({
  flag: false,
  kind: 'open',
  amount: 10n,
  paid: 0n,
  due: null,
  ...over,
});

describe('CaseRule', () => {
  it('renders one CASE with its facts, parameters and quoted text', () => {
    expect(
      rule.sql({
        facts: { flag: 'x.off_at IS NOT NULL', kind: 'x.kind', amount: 'x.amount', paid: 'x.paid', due: 'x.due_on' },
        params: { asOf: ':asOf' },
      }),
    ).toBe(
      "CASE WHEN (x.off_at IS NOT NULL) THEN 'off' " +
        "WHEN (x.kind = 'it''s' AND x.amount IS NOT NULL AND x.paid >= x.amount) THEN 'done' " +
        "WHEN (x.amount IS NULL OR (x.due_on IS NOT NULL AND x.due_on < :asOf)) THEN 'late' ELSE x.kind END",
    );
  });

  it('takes the first case that holds, else the fallback (a constant or a fact)', () => {
    const at = (over: Parameters<typeof facts>[0]) => rule.evaluate({ facts: facts(over), params: { asOf: '2025-03-31' } });
    expect(at({ flag: true, kind: "it's", paid: 99n })).toBe('off');
    expect(at({ kind: "it's", paid: 10n })).toBe('done');
    expect(at({ kind: "it's", paid: 9n })).toBe("it's");
    expect(at({ amount: null })).toBe('late');
    expect(at({ due: '2025-03-30' })).toBe('late');
    expect(at({ due: '2025-03-31' })).toBe('open');
  });

  it('compares numbers of either kind exactly, and text with text', () => {
    const numbers = new CaseRule<'a' | 'b', 'yes' | 'no'>({ cases: [[gt(fact('a'), fact('b')), 'yes']], otherwise: 'no' });
    expect(numbers.evaluate({ facts: { a: 9_007_199_254_740_993n, b: 9_007_199_254_740_992 } })).toBe('yes');
    expect(numbers.evaluate({ facts: { a: 2, b: 10 } })).toBe('no');
    expect(numbers.evaluate({ facts: { a: '2', b: '10' } })).toBe('yes');
    expect(() => numbers.evaluate({ facts: { a: '2', b: 10 } })).toThrow(TypeError);
  });

  it('follows SQL on NULL: a comparison with NULL is unknown, and NOT unknown is still unknown', () => {
    const negated = new CaseRule<'a', 'matched' | 'fallback'>({ cases: [[not(gt(fact('a'), literal(0))), 'matched']], otherwise: 'fallback' });
    expect(negated.evaluate({ facts: { a: 0 } })).toBe('matched');
    expect(negated.evaluate({ facts: { a: 1 } })).toBe('fallback');
    expect(negated.evaluate({ facts: { a: null } })).toBe('fallback');
    const either = new CaseRule<'a' | 'b', 'matched' | 'fallback'>({
      cases: [[any(gt(fact('a'), literal(0)), holds('b')), 'matched']],
      otherwise: 'fallback',
    });
    expect(either.evaluate({ facts: { a: null, b: true } })).toBe('matched');
    expect(either.evaluate({ facts: { a: null, b: false } })).toBe('fallback');
    const both = new CaseRule<'a' | 'b', 'matched' | 'fallback'>({
      cases: [[not(all(gt(fact('a'), literal(0)), holds('b'))), 'matched']],
      otherwise: 'fallback',
    });
    expect(both.evaluate({ facts: { a: null, b: false } })).toBe('matched');
    expect(both.evaluate({ facts: { a: null, b: true } })).toBe('fallback');
  });

  it('refuses a parameter it was not given, in SQL and in TypeScript', () => {
    expect(() => rule.sql({ facts: { flag: 'f', kind: 'k', amount: 'a', paid: 'p', due: 'd' } })).toThrow('asOf');
    expect(() => rule.evaluate({ facts: facts({ due: '2025-01-01' }) })).toThrow('asOf');
  });
});
