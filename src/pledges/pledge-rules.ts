import { DATE_RANGES } from '../common/dates';
import {
  atLeast,
  atMost,
  boolean,
  compileRules,
  currency,
  decimalString,
  id,
  isoDate,
  list,
  listOfAtMost,
  matches,
  MONEY_RULES,
  noRepeats,
  oneOf,
  plainObject,
  text,
  type RuleTable,
  wholeNumber,
} from '../common/field-rules';
import type { TextRule } from '../common/text';
import { PRIORITY_CODE } from '../priorities/priority-code';
import { RECEIPT_EXPECTATIONS } from '../ledger/fulfilment';
import { CHANNELS, COMMITMENT_LEVELS, PLEDGE_KINDS } from '../ledger/pledge.entity';

/**
 * The rules of a pledge's fields, written once. `CreatePledgeDto` and `InKindDto` (dto.ts) take
 * each field's rules from these tables (`@RuleFrom`), `UpdatePledgeDto` inherits them, the pages
 * check their forms with them, and the CSV import runs `createPledgeProblems`, the same tables
 * compiled into one function: `POST /api/pledges`, the form and a CSV row refuse the same values
 * with the same messages (pledge-rules.spec.ts holds the two paths to it).
 */

export const TITLE_RULE = { min: 3, max: 300 } as const satisfies TextRule;
export const IN_KIND_UNIT_RULE = { min: 1, max: 80 } as const satisfies TextRule;
export const MAX_IN_KIND_QUANTITY = 1_000_000_000;
/** Priorities a pledge may be earmarked to: the report lists twelve. */
export const MAX_EARMARKS = 12;
const SHARE = /^(100|[1-9]?[0-9])(\.[0-9]{1,2})?$/;

export const CHANNEL_RULE = `channel must be one of ${CHANNELS.join(', ')}, or null when the source does not say`;
export const RECEIPT_EXPECTATION_RULE = `receiptExpectation must be ${RECEIPT_EXPECTATIONS.join(' or ')}`;

/** The goods of an in-kind pledge (`inKind`). */
export const IN_KIND_RULES = {
  quantity: {
    presence: 'required',
    checks: [
      wholeNumber({ message: 'inKind.quantity must be a whole number' }),
      atLeast(1, { message: 'inKind.quantity must be at least 1' }),
      atMost(MAX_IN_KIND_QUANTITY),
    ],
  },
  unit: { presence: 'required', checks: [text(IN_KIND_UNIT_RULE)] },
  upTo: { presence: 'optionalNotNull', checks: [boolean()] },
  unitValue: { presence: 'optionalNotNull', checks: [plainObject()], nested: MONEY_RULES },
} as const satisfies RuleTable;

/** A pledge as `POST /api/pledges` and a CSV row give it, in the order the DTO declares the fields. */
export const PLEDGE_RULES = {
  donorId: { presence: 'required', checks: [id()] },
  title: { presence: 'required', checks: [text(TITLE_RULE)] },
  kind: { presence: 'required', checks: [oneOf(PLEDGE_KINDS, { message: 'kind must be cash or in_kind' })] },
  amount: { presence: 'optionalNotNull', checks: [decimalString()] },
  currency: { presence: 'optionalNotNull', checks: [currency()] },
  inKind: { presence: 'optionalNotNull', checks: [plainObject()], nested: IN_KIND_RULES },
  pledgedOn: { presence: 'nullable', checks: [isoDate(DATE_RANGES.ledger)] },
  sourceDate: { presence: 'nullable', checks: [isoDate(DATE_RANGES.ledger)] },
  status: { presence: 'optionalNotNull', checks: [oneOf(COMMITMENT_LEVELS, { message: 'status must be announced or committed' })] },
  channel: {
    presence: 'requiredNullable',
    presenceMessage: 'channel must be given: null when the source does not say how the money or goods come',
    checks: [oneOf(CHANNELS, { message: CHANNEL_RULE })],
  },
  channelName: { presence: 'nullable', checks: [text({ max: 200 })] },
  instrument: { presence: 'nullable', checks: [text({ max: 200 })] },
  receiptExpectation: { presence: 'optionalNotNull', checks: [oneOf(RECEIPT_EXPECTATIONS, { message: RECEIPT_EXPECTATION_RULE })] },
  receiptDueOn: { presence: 'nullable', checks: [isoDate(DATE_RANGES.ledger)] },
  priorityCodes: {
    presence: 'required',
    checks: [
      list({ message: 'priorityCodes must be an array of priority codes such as ["P01"]' }),
      listOfAtMost(MAX_EARMARKS),
      noRepeats({ message: 'priorityCodes must not repeat a code' }),
      matches(PRIORITY_CODE, { each: true, message: 'priorityCodes must hold priority codes such as "P01"' }),
    ],
  },
  priorityShares: {
    presence: 'optionalNotNull',
    checks: [list(), listOfAtMost(MAX_EARMARKS), matches(SHARE, { each: true, message: 'priorityShares must be percentages such as "60" or "33.34"' })],
  },
  source: { presence: 'nullable', checks: [text({ max: 1000 })] },
  notes: { presence: 'nullable', checks: [text({ max: 4000, multiLine: true })] },
  externalRef: { presence: 'nullable', checks: [text({ min: 1, max: 120 })] },
} as const satisfies RuleTable;

/**
 * The problems of a `CreatePledgeDto` (as class-transformer makes it) exactly as `POST /api/pledges`
 * reports them, field by field; empty when valid. The CSV import checks every row with it.
 */
export const createPledgeProblems = compileRules(PLEDGE_RULES);
