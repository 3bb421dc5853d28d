import { describe, it, expect } from '@jest/globals';
import { bucketKey, delayAfterFailures, FREE_FAILURES, MAX_DELAY_MS, retryAfterSeconds, throttledMessage } from './sign-in-policy';

describe('sign-in policy', () => {
  it('allows FREE_FAILURES failures, then doubles the wait from 2 s up to 15 minutes', () => {
    const waits = Array.from({ length: FREE_FAILURES + 13 }, (_, i) => delayAfterFailures(i + 1) / 1000);
    expect(waits).toEqual([...Array(FREE_FAILURES).fill(0), 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]);
    expect(delayAfterFailures(10_000)).toBe(MAX_DELAY_MS);
  });

  it('keys buckets by the normalised email, apart per known address', () => {
    expect(bucketKey(' Officer@Example.org ', null)).toBe(bucketKey('officer@example.org', null));
    expect(bucketKey('officer@example.org', '10.0.0.1')).not.toBe(bucketKey('officer@example.org', null));
    expect(bucketKey('officer@example.org', '10.0.0.1')).not.toBe(bucketKey('officer@example.org', '10.0.0.2'));
    expect(bucketKey('officer@example.org', null)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rounds the wait up to whole seconds, at least one, and says it for people', () => {
    expect(retryAfterSeconds(10_001, 8_000)).toBe(3);
    expect(retryAfterSeconds(8_000, 8_000)).toBe(1);
    expect(throttledMessage(1)).toBe('Too many sign-in attempts: wait 1 second, then try again');
    expect(throttledMessage(900)).toBe('Too many sign-in attempts: wait 15 minutes, then try again');
  });
});
