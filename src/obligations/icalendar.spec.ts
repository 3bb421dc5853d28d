import { describe, expect, it } from '@jest/globals';
import { escapeText, foldLine, icalendar } from './icalendar';

describe('icalendar', () => {
  it('escapes TEXT values as RFC 5545 asks', () => {
    expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
  });

  it('folds long lines at 75 octets without splitting a UTF-8 character', () => {
    const line = `SUMMARY:${'ə'.repeat(60)}`;
    const folded = foldLine(line).split('\r\n');
    expect(folded.length).toBe(2);
    for (const part of folded) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
  });

  it('writes an all-day event ending the next day, with CRLF line ends', () => {
    const text = icalendar('Feed', [{ uid: 'o-1@test', date: '2026-12-31', summary: 'Report', stamp: new Date('2026-12-01T10:00:00.123Z') }]);
    expect(text).toContain('DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n');
    expect(text).toContain('DTSTAMP:20261201T100000Z\r\n');
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
  });
});
