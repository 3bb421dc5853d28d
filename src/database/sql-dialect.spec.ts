import { describe, expect, it } from '@jest/globals';
import { SqlDialect } from './sql-dialect';

describe('SqlDialect', () => {
  const { sqlite, postgres } = SqlDialect;

  it('binds named parameters: a ? per use on SQLite, one typed $n per name on PostgreSQL', () => {
    const sql = "SELECT 1 FROM t WHERE a <= :asOf AND b = :donorId AND c::date >= :asOf AND d = 'x:asOf'";
    expect(sqlite.named(sql, { asOf: '2025-03-31', donorId: 7 }, { asOf: '::date' })).toEqual({
      text: "SELECT 1 FROM t WHERE a <= ? AND b = ? AND c::date >= ? AND d = 'x:asOf'",
      params: ['2025-03-31', 7, '2025-03-31'],
    });
    expect(postgres.named(sql, { asOf: '2025-03-31', donorId: 7 }, { asOf: '::date' })).toEqual({
      text: "SELECT 1 FROM t WHERE a <= $1::date AND b = $2 AND c::date >= $1::date AND d = 'x:asOf'",
      params: ['2025-03-31', 7],
    });
  });

  it('refuses a named parameter bound to nothing, and leaves names it was not given', () => {
    expect(() => sqlite.named('a = :asOf', { asOf: undefined })).toThrow(':asOf');
    expect(sqlite.named('a = :other AND b = :asOf', { asOf: 'x' }).text).toBe('a = :other AND b = ?');
  });

  it('numbers positional placeholders on PostgreSQL only', () => {
    expect(sqlite.positional('a = ? AND b IN (?, ?)')).toBe('a = ? AND b IN (?, ?)');
    expect(postgres.positional('a = ? AND b IN (?, ?)')).toBe('a = $1 AND b IN ($2, $3)');
    expect(postgres.placeholder(4, '::date')).toBe('$4::date');
    expect(sqlite.placeholder(4, '::date')).toBe('?');
  });

  it('writes the parts that differ', () => {
    expect([sqlite.utcDay('t.at'), postgres.utcDay('t.at')]).toEqual(['date(t.at)', "(t.at AT TIME ZONE 'UTC')::date"]);
    expect([sqlite.bool(true), sqlite.bool(false), postgres.bool(true)]).toEqual([1, 0, true]);
    expect([sqlite.onOrBefore('d.on', ':asOf'), postgres.onOrBefore('d.on', ':asOf')]).toEqual(['+d.on <= :asOf', 'd.on <= :asOf']);
    expect([sqlite.forUpdate, postgres.forUpdate]).toEqual(['', ' FOR UPDATE']);
    expect([sqlite.daysBetween('b', 'a'), postgres.daysBetween('b', 'a')]).toEqual(['CAST(julianday(b) - julianday(a) AS INTEGER)', '(b - a)']);
    expect([sqlite.advisoryTransactionLock(true), postgres.advisoryTransactionLock(true), postgres.advisoryTransactionLock(false)]).toEqual([
      null,
      'SELECT pg_advisory_xact_lock_shared(hashtext($1))',
      'SELECT pg_advisory_xact_lock(hashtext($1))',
    ]);
    const at = new Date('2025-03-31T12:34:56.789Z');
    expect([sqlite.timestamp(at), postgres.timestamp(at)]).toEqual(['2025-03-31 12:34:56.789', at]);
  });
});
