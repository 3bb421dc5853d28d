import { todayUtc } from '../common/dates';
import { BusinessRuleError, InvalidInputError } from '../common/errors/domain-errors';
import { Money, parseAmount } from '../common/money/money';
import type { Earmark, PledgeColumns, PledgeEntity } from '../ledger/pledge.entity';
import { pledgeValueDate } from '../ledger/value-date';
import type { CreatePledgeDto, UpdatePledgeDto } from './dto';

/**
 * The rules of a pledge create that need no database, shared by `POST /api/pledges` and the CSV
 * import so both accept and refuse exactly the same input. The database checks (donor exists,
 * priority codes exist, a rate exists) take their answers as arguments.
 */

/** The columns to store for a validated DTO. Throws field errors (InvalidInputError, MoneyFormatError). */
export function pledgeColumnsFrom(dto: CreatePledgeDto): PledgeColumns {
  const columns: PledgeColumns = {
    donorId: dto.donorId,
    title: dto.title.trim(),
    kind: dto.kind,
    pledgedOn: dto.pledgedOn ?? null,
    sourceDate: dto.sourceDate ?? null,
    commitment: dto.status ?? 'announced',
    channel: dto.channel,
    channelName: dto.channelName ?? null,
    instrument: dto.instrument ?? null,
    source: dto.source ?? null,
    notes: dto.notes ?? null,
    externalRef: dto.externalRef ?? null,
    receiptExpectation: dto.receiptExpectation ?? 'not_documented',
    receiptDueOn: dto.receiptDueOn ?? null,
  };
  if (dto.kind === 'cash') {
    if (dto.inKind !== undefined) throw InvalidInputError.field('inKind', 'a cash pledge has no inKind part; use kind "in_kind" for goods');
    if (dto.amount === undefined) throw InvalidInputError.field('amount', 'a cash pledge needs an amount');
    if (dto.currency === undefined) throw InvalidInputError.field('currency', 'a cash pledge needs a currency');
    const money = parseAmount(dto.amount, dto.currency);
    Object.assign(columns, { amountMinor: money.minor, currency: money.currency });
  } else {
    if (dto.amount !== undefined) throw InvalidInputError.field('amount', 'an in-kind pledge has no cash amount; give inKind.unitValue to value it');
    if (dto.currency !== undefined) throw InvalidInputError.field('currency', 'an in-kind pledge has no currency; give inKind.unitValue to value it');
    if (!dto.inKind) throw InvalidInputError.field('inKind', 'an in-kind pledge needs inKind with quantity and unit');
    const unitValue = dto.inKind.unitValue ? parseAmount(dto.inKind.unitValue.amount, dto.inKind.unitValue.currency, 'inKind.unitValue.amount') : null;
    Object.assign(columns, {
      inKindQuantity: dto.inKind.quantity,
      inKindUnit: dto.inKind.unit.trim(),
      inKindQuantityIsMaximum: dto.inKind.upTo ?? false,
      unitValueMinor: unitValue?.minor ?? null,
      currency: unitValue?.currency ?? null,
      amountMinor: unitValue ? unitValue.minor * BigInt(dto.inKind.quantity) : null,
    });
  }
  return columns;
}

/** Earmarks from priority codes and optional percent shares; `knownCodes` holds the codes that exist. */
export function earmarksFrom(codes: string[], shares: string[] | undefined, knownCodes: ReadonlySet<string>): Earmark[] {
  const unknown = codes.filter((c) => !knownCodes.has(c));
  if (unknown.length) throw BusinessRuleError.field('priorityCodes', `unknown priority code(s): ${unknown.join(', ')}`);
  if (shares === undefined) return codes.map((code) => ({ code, shareBasisPoints: null }));
  if (shares.length !== codes.length) throw InvalidInputError.field('priorityShares', 'give one share per priority code, in the same order');
  const basisPoints = shares.map((s) => Number(parseAmount(s, 'USD', 'priorityShares', { allowZero: false }).minor));
  if (basisPoints.reduce((a, b) => a + b, 0) !== 10_000) throw InvalidInputError.field('priorityShares', 'shares must add up to 100');
  return codes.map((code, i) => ({ code, shareBasisPoints: basisPoints[i] }));
}

/**
 * What must be convertible to the reporting currency for the pledge to be accepted: its money at
 * its value date (pledge date, else source date, else today), and the field to blame. Null when
 * the pledge has no money value (an in-kind pledge without a unit value).
 */
export function rateCheckOf(
  dto: CreatePledgeDto,
  columns: Partial<PledgeEntity>,
  today: string = todayUtc(),
): { value: Money; valueDate: string; field: string } | null {
  if (columns.amountMinor === null || columns.amountMinor === undefined || !columns.currency) return null;
  return {
    value: { minor: columns.amountMinor, currency: columns.currency },
    valueDate: pledgeValueDate({ pledgedOn: dto.pledgedOn ?? null, sourceDate: dto.sourceDate ?? null, createdAt: today }).valueDate,
    field: dto.kind === 'cash' ? 'currency' : 'inKind.unitValue.currency',
  };
}

/** Free text as stored: trimmed, and empty (or null) clears it. */
function optionalText(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/**
 * The descriptive columns a PATCH sets; a field left out of the request stays as it is. Money
 * columns are never among them (the DTO refuses amount, currency, kind and inKind).
 */
export function pledgeChangesFrom(dto: UpdatePledgeDto): Partial<PledgeEntity> {
  const changes: Partial<PledgeEntity> = {};
  if (dto.title !== undefined) {
    const title = dto.title.trim();
    if (title.length < 3) throw InvalidInputError.field('title', 'title must be at least 3 characters');
    changes.title = title;
  }
  if (dto.status !== undefined) changes.commitment = dto.status;
  if (dto.channel !== undefined) changes.channel = dto.channel;
  if (dto.pledgedOn !== undefined) changes.pledgedOn = dto.pledgedOn;
  if (dto.sourceDate !== undefined) changes.sourceDate = dto.sourceDate;
  if (dto.receiptExpectation !== undefined) changes.receiptExpectation = dto.receiptExpectation;
  if (dto.receiptDueOn !== undefined) changes.receiptDueOn = dto.receiptDueOn;
  for (const field of ['channelName', 'instrument', 'source', 'notes'] as const) {
    const value = dto[field];
    if (value !== undefined) changes[field] = optionalText(value);
  }
  if (dto.priorityShares !== undefined && dto.priorityCodes === undefined) {
    throw InvalidInputError.field('priorityShares', 'give priorityCodes with priorityShares: the shares replace the earmarks as a whole');
  }
  return changes;
}
