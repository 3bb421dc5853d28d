import { describe, it, expect } from '@jest/globals';
import { depthOf } from './body-depth';

describe('depthOf', () => {
  it('counts object and array levels and stops counting past the limit', () => {
    expect(depthOf('text')).toBe(0);
    expect(depthOf({ a: 1 })).toBe(1);
    expect(depthOf({ a: [{ b: 1 }] })).toBe(3);
    expect(depthOf(JSON.parse(`${'['.repeat(10000)}${']'.repeat(10000)}`))).toBe(33);
  });
});
