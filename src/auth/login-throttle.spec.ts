import { describe, it, expect } from '@jest/globals';
import { AttemptCounter } from './login-throttle';

describe('AttemptCounter', () => {
  it('allows the limit within a window, refuses the next, and starts afresh when the window ends', () => {
    const counter = new AttemptCounter(3, 60_000);
    expect([1, 2, 3, 4].map(() => counter.allow('10.0.0.1|a@x', 1_000))).toEqual([true, true, true, false]);
    expect(counter.allow('10.0.0.1|b@x', 1_000)).toBe(true);
    expect(counter.allow('10.0.0.1|a@x', 60_999)).toBe(false);
    expect(counter.allow('10.0.0.1|a@x', 61_000)).toBe(true);
  });
});
