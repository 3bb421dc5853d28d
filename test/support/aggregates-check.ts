import type { INestApplicationContext } from '@nestjs/common';
import { todayUtc } from '../../src/common/dates';
import { LedgerAggregates } from '../../src/ledger/aggregates/ledger-aggregates.service';
import { LedgerFigures } from '../../src/ledger/ledger-figures.service';

/**
 * What `npm run cli -- verify-aggregates` checks, run when a test's app or context closes (after
 * every scenario): the maintained sums against the sums worked out again from the rows, and the
 * figures read from them against the ledger's SQL on up to `days` days a change is dated. Throws
 * with every difference.
 */
export async function assertAggregatesExact(ctx: INestApplicationContext, days = 12): Promise<void> {
  await ctx.get(LedgerAggregates, { strict: false }).build();
  const check = await ctx.get(LedgerFigures, { strict: false }).checkAggregates(todayUtc(), days);
  const found = [
    ...check.differences.map((d) => `${d.key} on ${d.day}: stored [${d.stored.join(', ')}], from the rows [${d.fromRows.join(', ')}]`),
    ...check.figureDifferences,
  ];
  if (check.status !== 'ready') found.push(`the aggregates are still ${check.status}`);
  if (found.length) throw new Error(`verify-aggregates found ${found.length} differences:\n${found.slice(0, 20).join('\n')}`);
}
