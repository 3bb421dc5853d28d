import type { DataSource } from 'typeorm';

/** Every table whose rows carry the time they were recorded, and that column. */
const RECORDED = [
  ['pledges', 'created_at'],
  ['disbursements', 'created_at'],
  ['fx_rates', 'created_at'],
  ['government_spend', 'created_at'],
  ['reported_figures', 'created_at'],
  ['priority_targets', 'created_at'],
  ['clearance_progress', 'created_at'],
  ['audit_log', 'at'],
] as const;

/**
 * Moves the recording time of everything recorded so far `days` days back, as if it had been
 * entered then: the only way a test can ask what was known on a past day without waiting for it.
 */
export async function recordedEarlier(dataSource: DataSource, days: number): Promise<void> {
  const postgres = dataSource.options.type === 'postgres';
  for (const [table, column] of RECORDED) {
    const earlier = postgres ? `${column} - INTERVAL '${days} days'` : `strftime('%Y-%m-%d %H:%M:%f', ${column}, '-${days} days')`;
    await dataSource.query(`UPDATE ${table} SET ${column} = ${earlier}`);
  }
}
