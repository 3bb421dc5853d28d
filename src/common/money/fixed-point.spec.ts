import { describe, expect, it } from '@jest/globals';
import { convertMinor, effectiveRate, type RateQuote } from './conversion';
import { convertFixed, fixedMinorRate } from './fixed-point';

const q = (base: string, quote: string, rate: string): RateQuote => ({ base, quote, rate, date: '2024-10-11', source: 'test' });

/** mulberry32: deterministic, so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('convertFixed', () => {
  it('gives convertMinor’s answer for direct, inverted and chained rates over random amounts', () => {
    const next = random(7);
    const paths = [
      { from: 'EUR', to: 'USD', legs: () => [{ quote: q('EUR', 'USD', (0.9 + next() * 0.5).toFixed(4)), inverted: false }] },
      { from: 'USD', to: 'EUR', legs: () => [{ quote: q('EUR', 'USD', (0.9 + next() * 0.5).toFixed(4)), inverted: true }] },
      {
        from: 'AZN',
        to: 'EUR',
        legs: () => [
          { quote: q('USD', 'AZN', '1.7000'), inverted: true },
          { quote: q('EUR', 'USD', (0.9 + next() * 0.5).toFixed(4)), inverted: true },
        ],
      },
      {
        from: 'JPY',
        to: 'AZN',
        legs: () => [
          { quote: q('EUR', 'JPY', (120 + next() * 50).toFixed(2)), inverted: true },
          { quote: q('EUR', 'USD', '1.0938'), inverted: false },
          { quote: q('USD', 'AZN', '1.7000'), inverted: false },
        ],
      },
    ];
    let compared = 0;
    for (const path of paths) {
      for (let i = 0; i < 2_000; i++) {
        const rate = effectiveRate(path.legs());
        const minor = BigInt(Math.floor(next() * 10 ** (1 + Math.floor(next() * 13))));
        const amount = { minor: next() < 0.1 ? -minor : minor, currency: path.from };
        expect({ amount: amount.minor, got: convertFixed(amount, path.to, fixedMinorRate(path.from, path.to, rate), rate) }).toEqual({
          amount: amount.minor,
          got: convertMinor(amount, path.to, rate).minor,
        });
        compared++;
      }
    }
    expect(compared).toBe(8_000);
  });

  it('rounds exact halves half to even, as convertMinor does', () => {
    const half = (minor: bigint) => convertFixed({ minor, currency: 'USD' }, 'EUR', fixedMinorRate('USD', 'EUR', '0.5'), '0.5');
    expect([half(1n), half(3n), half(5n), half(-3n)]).toEqual([0n, 2n, 2n, -2n]);
  });

  it('leaves a product within the fixed rate’s error of a half to convertMinor, so the two never disagree', () => {
    // 1/6 has no exact fixed form: 3 × 1/6 is a tie at 0.5 that the fixed product misses by 10^-30.
    const sixth = effectiveRate([{ quote: q('EUR', 'USD', '6'), inverted: true }]);
    const fixed = fixedMinorRate('USD', 'EUR', sixth);
    for (const minor of [3n, 9n, 15n, -3n, 3_000_000_000_003n]) {
      expect({ minor, got: convertFixed({ minor, currency: 'USD' }, 'EUR', fixed, sixth) }).toEqual({
        minor,
        got: convertMinor({ minor, currency: 'USD' }, 'EUR', sixth).minor,
      });
    }
  });
});
