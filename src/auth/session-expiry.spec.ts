import { describe, it, expect } from '@jest/globals';
import { slidExpiry } from './session-expiry';

const MIN = 60_000;
const HOUR = 60 * MIN;
const issued = new Date('2025-05-01T08:00:00.000Z');

describe('slidExpiry', () => {
  it('moves a session used after 10 idle minutes to 30 minutes from now', () => {
    const now = new Date('2025-05-01T08:40:00.000Z');
    const expiresAt = new Date('2025-05-01T08:50:00.000Z');
    expect(slidExpiry(now, expiresAt, issued, 30 * MIN, 12 * HOUR)?.toISOString()).toBe('2025-05-01T09:10:00.000Z');
  });

  it('leaves the expiry alone when it would move by a minute or less', () => {
    const now = new Date('2025-05-01T08:40:00.000Z');
    expect(slidExpiry(now, new Date('2025-05-01T09:09:30.000Z'), issued, 30 * MIN, 12 * HOUR)).toBeNull();
    expect(slidExpiry(now, new Date('2025-05-01T09:09:00.000Z'), issued, 30 * MIN, 12 * HOUR)).toBeNull();
  });

  it('never extends past the hard limit of issue time plus TTL', () => {
    const now = new Date('2025-05-01T19:45:00.000Z');
    const expiresAt = new Date('2025-05-01T19:50:00.000Z');
    expect(slidExpiry(now, expiresAt, issued, 30 * MIN, 12 * HOUR)?.toISOString()).toBe('2025-05-01T20:00:00.000Z');
    expect(slidExpiry(now, new Date('2025-05-01T20:00:00.000Z'), issued, 30 * MIN, 12 * HOUR)).toBeNull();
  });

  it('never shortens a long-lived API token', () => {
    const now = new Date('2025-05-01T09:00:00.000Z');
    expect(slidExpiry(now, new Date('2025-05-01T20:00:00.000Z'), issued, 30 * MIN, 12 * HOUR)).toBeNull();
  });
});
