import 'reflect-metadata';
import { describe, it, expect } from '@jest/globals';
import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { ruledProperties } from '../common/http/validators';
import { fieldProblems, createValidationPipe, VALIDATION_OPTIONS } from '../common/http/validation';
import type { FieldProblem } from '../common/errors/domain-errors';
import { PLEDGE_IMPORT_COLUMNS, PledgeCells, pledgeDtoFrom, rowToPledgeBody } from '../interop/pledge-csv';
import { CreatePledgeDto, InKindDto, UpdatePledgeDto } from './dto';
import { createPledgeProblems, IN_KIND_RULES, PLEDGE_RULES } from './pledge-rules';
import { MoneyDto } from '../priorities/dto';
import { MONEY_RULES } from '../common/field-rules';

/**
 * One table of rules (pledge-rules.ts), two paths: `POST /api/pledges` runs the DTO's decorators
 * made from it through the ValidationPipe; the CSV import runs `createPledgeProblems`, the table
 * compiled. These tests hold the two to the same problems (same fields, same messages, same
 * order) for the same values: rule by rule, on CSV rows, on JSON bodies, and on generated bodies.
 */

const pipe = createValidationPipe();

/** The API's answer to a body: the 400's `details`, or none when the pipe lets it through. */
async function apiProblems(body: Record<string, unknown>, metatype: new () => object = CreatePledgeDto): Promise<FieldProblem[]> {
  const metadata: ArgumentMetadata = { type: 'body', metatype, data: undefined };
  try {
    await pipe.transform(structuredClone(body), metadata);
    return [];
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    return (error.getResponse() as { details: FieldProblem[] }).details;
  }
}

/** The import's answer to the same body: the DTO it builds, checked by the compiled rules. */
const importProblems = (body: Record<string, unknown>): FieldProblem[] => createPledgeProblems(pledgeDtoFrom(structuredClone(body)));

const long = (n: number) => 'x'.repeat(n);
/** 150 emoji: 300 UTF-16 units, 150 characters to the text rule. */
const emoji = (n: number) => '\u{1F600}'.repeat(n);

const CASH_BODY = { donorId: 1, title: 'Demining support', kind: 'cash', amount: '1000.00', currency: 'USD', channel: 'direct', priorityCodes: ['P01'] };
const IN_KIND_BODY = { donorId: 1, title: 'Dogs', kind: 'in_kind', channel: 'direct', priorityCodes: [], inKind: { quantity: 8, unit: 'dogs' } };
const DATES = ['2024-01-16', '16/01/2024', '2024-02-30', '2999-01-16', '1989-12-31', 20240116, '', null, undefined];
const TEXT_200 = ['UNDP', long(200), long(201), emoji(200), 'UNDP\u007f', 'a\nb', 'a\tb', '  padded  ', '', 5, null, undefined];

/**
 * Good and bad values of every rule, by field (`inKind.unit` is the unit of an in-kind body): each
 * goes into a valid body, alone, and both paths must answer alike.
 */
const RULE_CASES: Record<string, readonly unknown[]> = {
  donorId: [1, 2 ** 31 - 1, 0, -1, 1.5, 2 ** 31, '7', true, null, undefined],
  title: [
    'Demining',
    'abc',
    'ab',
    '  ab  ',
    long(300),
    long(301),
    emoji(150),
    emoji(301),
    '',
    '   ',
    12345,
    'a\u0000b',
    'a\tb',
    'a\r\nb',
    'a\ud800b',
    null,
    undefined,
  ],
  kind: ['cash', 'goods', 'CASH', '', 1, null, undefined],
  amount: ['1.00', '0', '3000000.00', '1,000.00', '-5', '1e6', '0100', '.5', 5, '', null, undefined],
  currency: ['USD', 'AZN', 'usd', 'ABC', 'US', 840, '', null, undefined],
  inKind: [
    { quantity: 8, unit: 'dogs' },
    {},
    { quantity: 8, unit: 'dogs', colour: 'brown' },
    'eight dogs',
    8,
    [{ quantity: 8, unit: 'dogs' }],
    [{ quantity: 1.5 }, 'x', null],
    [],
    null,
    undefined,
  ],
  'inKind.quantity': [8, 1, 1_000_000_000, 0, -1, 1.5, 1_000_000_001, '8', null, undefined],
  'inKind.unit': ['dogs', 'mine detection dogs', long(80), long(81), emoji(80), '', '  ', 'dogs\u0000', 'dogs\nand more', 7, null, undefined],
  'inKind.upTo': [true, false, 'true', 'yes', 1, null, undefined],
  'inKind.unitValue': [{ amount: '10.00', currency: 'EUR' }, {}, { amount: '10', currency: 'EUR', rate: 1 }, [{ amount: '1' }], 'ten', null, undefined],
  'inKind.unitValue.amount': ['1500.50', '12,5', '-1', 10, '', null, undefined],
  'inKind.unitValue.currency': ['EUR', 'eur', 'XYZ', 978, null, undefined],
  pledgedOn: DATES,
  sourceDate: DATES,
  status: ['announced', 'committed', 'pending', '', null, undefined],
  channel: ['direct', 'un_agency', 'ngo', 'other', 'bank', '', 1, null, undefined],
  channelName: TEXT_200,
  instrument: TEXT_200,
  receiptExpectation: ['not_documented', 'owed', 'late', '', null, undefined],
  receiptDueOn: DATES,
  priorityCodes: [
    [],
    ['P01'],
    ['P01', 'P07'],
    'P01',
    ['P01', 'P01'],
    [1, 2],
    ['first'],
    ['P0\u00001'],
    Array.from({ length: 13 }, (_, i) => `P${String(i + 1).padStart(2, '0')}`),
    [null],
    null,
    undefined,
  ],
  priorityShares: [['60', '40'], ['100'], ['33.34'], ['101'], ['33.333'], ['-1'], [100], Array(13).fill('1'), '60', [], null, undefined],
  source: ['Letter of 16 January', long(1000), long(1001), 'Letter\nof 16 January', '', 3, null, undefined],
  notes: ['Two tranches', 'First tranche\r\n\tsecond tranche', long(4000), long(4001), 'First\u0000', 'First\u0007', '', null, undefined],
  externalRef: ['MOFA-2025-001', long(120), long(121), '', '   ', 'MOFA\u00002025', 7, null, undefined],
};

/** A valid body with `value` at `path` (dotted), `undefined` meaning the field left out. */
function bodyWith(path: string, value: unknown): Record<string, unknown> {
  const body = structuredClone(path.startsWith('inKind') ? IN_KIND_BODY : CASH_BODY) as Record<string, unknown>;
  const names = path.split('.');
  let parent = body;
  for (const name of names.slice(0, -1))
    parent = (parent[name] ??= name === 'unitValue' ? { amount: '10.00', currency: 'EUR' } : {}) as Record<string, unknown>;
  const last = names[names.length - 1];
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return body;
}

/** Every field of the tables, nested ones as `inKind.unit`. */
const ruleFields = (table: object, prefix = ''): string[] =>
  Object.entries(table).flatMap(([name, rule]: [string, { nested?: object }]) => [
    `${prefix}${name}`,
    ...(rule.nested ? ruleFields(rule.nested, `${prefix}${name}.`) : []),
  ]);

const RULE_ROWS = Object.entries(RULE_CASES).flatMap(([field, values]) => values.map((value) => [field, JSON.stringify(value) ?? 'left out', value] as const));

describe('the pledge rules: the API and the import give the same problems', () => {
  it('has cases for every field of the tables, and only for those', () => {
    expect(Object.keys(RULE_CASES).sort()).toEqual(ruleFields(PLEDGE_RULES).sort());
  });

  it.each(RULE_ROWS)('%s = %s', async (field, _shown, value) => {
    const body = bodyWith(field, value);
    expect(importProblems(body)).toEqual(await apiProblems(body));
  });

  it.each(Object.entries(RULE_CASES))('%s: the cases accept some values and refuse others, naming the field', async (field, values) => {
    const verdicts = await Promise.all(values.map(async (value) => (await apiProblems(bodyWith(field, value))).map((p) => p.field)));
    expect(verdicts.filter((fields) => fields.length === 0).length).toBeGreaterThan(0);
    const refused = verdicts.filter((fields) => fields.length > 0);
    expect(refused.length).toBeGreaterThan(0);
    for (const fields of refused) expect(fields.some((f) => f === field || f.startsWith(`${field}.`) || field.startsWith(`${f}.`))).toBe(true);
  });
});

describe('the DTOs take every rule of their table', () => {
  it.each([
    [CreatePledgeDto, PLEDGE_RULES],
    [InKindDto, IN_KIND_RULES],
    [MoneyDto, MONEY_RULES],
  ] as const)('%p', (dto, table) => {
    expect(ruledProperties(dto)?.table).toBe(table);
    // In the table's order: the API reports problems in the order the DTO declares its fields, the import in the table's.
    expect(ruledProperties(dto)?.properties).toEqual(Object.keys(table));
  });
});

const GOOD_CASH: Partial<PledgeCells> = {
  externalRef: 'MOFA-2025-001',
  donor: 'Italy',
  title: 'Direct assistance to ANAMA',
  kind: 'cash',
  amount: '3000000.00',
  currency: 'USD',
  pledgedOn: '2024-01-16',
  status: 'committed',
  channel: 'direct',
  priorityCodes: 'P01',
};
const GOOD_IN_KIND: Partial<PledgeCells> = {
  externalRef: 'MOFA-2025-002',
  donor: 'Croatia',
  title: 'Eight mine detection dogs',
  kind: 'in_kind',
  inKindQuantity: '8',
  inKindUnit: 'mine detection dogs',
  channel: 'direct',
};

/** [name, cells changed from a good row]: each CSV column, good and bad. */
const CSV_CASES: Array<[string, Partial<PledgeCells>]> = [
  ['good cash row', GOOD_CASH],
  ['good in-kind row', GOOD_IN_KIND],
  ['good in-kind row, up to, valued', { ...GOOD_IN_KIND, inKindUpTo: 'true', unitValue: '1500.50', currency: 'EUR' }],
  [
    'every optional text',
    {
      ...GOOD_CASH,
      sourceDate: '2024-02-01',
      channel: 'un_agency',
      channelName: 'UNDP',
      instrument: 'MoU',
      source: 'Letter',
      notes: 'Two tranches',
      priorityCodes: 'P01;P07',
      priorityShares: '60;40',
    },
  ],
  ['no status, no dates, no codes', { ...GOOD_CASH, status: '', pledgedOn: '', priorityCodes: '' }],
  ['formula apostrophe on title', { ...GOOD_CASH, title: "'=SUM(A1:A2) pledge" }],
  ['title too short', { ...GOOD_CASH, title: 'ab' }],
  ['title at 300', { ...GOOD_CASH, title: long(300) }],
  ['title at 301', { ...GOOD_CASH, title: long(301) }],
  ['title of 150 emoji (300 units)', { ...GOOD_CASH, title: emoji(150) }],
  ['title of 200 emoji (400 units, 200 characters)', { ...GOOD_CASH, title: emoji(200) }],
  ['title of 301 emoji', { ...GOOD_CASH, title: emoji(301) }],
  ['no title', { ...GOOD_CASH, title: '' }],
  ['kind unknown', { ...GOOD_CASH, kind: 'goods' }],
  ['no kind', { ...GOOD_CASH, kind: '' }],
  ['amount with comma', { ...GOOD_CASH, amount: '1,000.00' }],
  ['amount negative', { ...GOOD_CASH, amount: '-5' }],
  ['amount exponent', { ...GOOD_CASH, amount: '1e6' }],
  ['amount leading zero', { ...GOOD_CASH, amount: '0100' }],
  ['currency lower case', { ...GOOD_CASH, currency: 'usd' }],
  ['currency unknown', { ...GOOD_CASH, currency: 'ABC' }],
  ['in kind quantity zero', { ...GOOD_IN_KIND, inKindQuantity: '0' }],
  ['in kind quantity text', { ...GOOD_IN_KIND, inKindQuantity: 'eight' }],
  ['in kind quantity fraction', { ...GOOD_IN_KIND, inKindQuantity: '1.5' }],
  ['in kind quantity too big', { ...GOOD_IN_KIND, inKindQuantity: '2000000000' }],
  ['in kind unit too long', { ...GOOD_IN_KIND, inKindUnit: long(81) }],
  ['in kind unit missing', { ...GOOD_IN_KIND, inKindUnit: '' }],
  ['in kind up to not boolean', { ...GOOD_IN_KIND, inKindUpTo: 'yes' }],
  ['in kind unit value bad', { ...GOOD_IN_KIND, unitValue: '12,5', currency: 'EUR' }],
  ['in kind unit value without currency', { ...GOOD_IN_KIND, unitValue: '12.50' }],
  ['in kind unit value currency bad', { ...GOOD_IN_KIND, unitValue: '12.50', currency: 'eur' }],
  ['pledgedOn not a date', { ...GOOD_CASH, pledgedOn: '16/01/2024' }],
  ['pledgedOn impossible', { ...GOOD_CASH, pledgedOn: '2024-02-30' }],
  ['sourceDate not a date', { ...GOOD_CASH, sourceDate: '2024-13-01' }],
  ['status unknown', { ...GOOD_CASH, status: 'pending' }],
  ['channel unknown', { ...GOOD_CASH, channel: 'bank' }],
  ['no channel', { ...GOOD_CASH, channel: '' }],
  ['receipt owed by a date', { ...GOOD_CASH, receiptExpectation: 'owed', receiptDueOn: '2026-12-31' }],
  ['receipt not documented', { ...GOOD_CASH, receiptExpectation: 'not_documented' }],
  ['receipt expectation unknown', { ...GOOD_CASH, receiptExpectation: 'late' }],
  ['receipt due date not a date', { ...GOOD_CASH, receiptDueOn: '31/12/2026' }],
  ['receipt due date in 2999', { ...GOOD_CASH, receiptDueOn: '2999-12-31' }],
  ['channelName at 200', { ...GOOD_CASH, channelName: long(200) }],
  ['channelName too long', { ...GOOD_CASH, channelName: long(201) }],
  ['instrument too long', { ...GOOD_CASH, instrument: long(201) }],
  ['source at 1000', { ...GOOD_CASH, source: long(1000) }],
  ['source too long', { ...GOOD_CASH, source: long(1001) }],
  ['notes too long', { ...GOOD_CASH, notes: long(4001) }],
  ['externalRef at 120', { ...GOOD_CASH, externalRef: long(120) }],
  ['externalRef too long', { ...GOOD_CASH, externalRef: long(121) }],
  ['priority code repeated', { ...GOOD_CASH, priorityCodes: 'P01;P01' }],
  ['thirteen priority codes', { ...GOOD_CASH, priorityCodes: Array.from({ length: 13 }, (_, i) => `P${i + 1}`).join(';') }],
  ['priority share not a percentage', { ...GOOD_CASH, priorityShares: '101' }],
  ['priority share three decimals', { ...GOOD_CASH, priorityShares: '33.333' }],
  ['thirteen priority shares', { ...GOOD_CASH, priorityShares: Array(13).fill('1').join(';') }],
  // The shared text, date and id rules (common/http/validators.ts) hold on the import's fast path too.
  ['title with a NUL', { ...GOOD_CASH, title: 'Demining\u0000 support' }],
  ['title with a line break', { ...GOOD_CASH, title: 'Demining\r\nsupport' }],
  ['title with a tab', { ...GOOD_CASH, title: 'Demining\tsupport' }],
  ['title blank but for a guarded tab', { ...GOOD_CASH, title: "'\t" }],
  ['title with a guarded leading tab', { ...GOOD_CASH, title: "'\tDemining support" }],
  ['title with an unpaired surrogate', { ...GOOD_CASH, title: 'Demining \ud800 support' }],
  ['notes on several lines with a tab', { ...GOOD_CASH, notes: 'First tranche\r\n\tsecond tranche' }],
  ['notes with a NUL', { ...GOOD_CASH, notes: 'First\u0000' }],
  ['notes with a bell', { ...GOOD_CASH, notes: 'First\u0007' }],
  ['source on two lines', { ...GOOD_CASH, source: 'Letter\nof 16 January' }],
  ['externalRef with a NUL', { ...GOOD_CASH, externalRef: 'MOFA\u00002025' }],
  ['channelName with a DEL', { ...GOOD_CASH, channelName: 'UNDP\u007f' }],
  ['in kind unit with a NUL', { ...GOOD_IN_KIND, inKindUnit: 'dogs\u0000' }],
  ['pledgedOn in 2999', { ...GOOD_CASH, pledgedOn: '2999-01-16' }],
  ['pledgedOn in 1989', { ...GOOD_CASH, pledgedOn: '1989-12-31' }],
  ['sourceDate in 2999', { ...GOOD_CASH, sourceDate: '2999-03-31' }],
  ['priority code with a NUL', { ...GOOD_CASH, priorityCodes: 'P0\u00001' }],
  ['priority code not a code', { ...GOOD_CASH, priorityCodes: 'first' }],
];

/** [name, JSON body]: what the API's JSON can carry and a CSV cannot (other types, extra fields, null). */
const BODY_CASES: Array<[string, Record<string, unknown>]> = [
  ['good', { donorId: 1, title: 'A title', kind: 'cash', amount: '1.00', currency: 'USD', channel: 'direct', priorityCodes: [] }],
  ['donorId zero', { donorId: 0, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [] }],
  ['donorId text', { donorId: '7', title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [] }],
  ['donorId fraction', { donorId: 1.5, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [] }],
  ['no donorId', { title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [] }],
  ['title a number', { donorId: 1, title: 12345, kind: 'cash', channel: 'direct', priorityCodes: [] }],
  ['amount a number', { donorId: 1, title: 'A title', kind: 'cash', amount: 5, currency: 'USD', channel: 'direct', priorityCodes: [] }],
  ['unknown field', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [], colour: 'red' }],
  ['priorityCodes not a list', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: 'P01' }],
  ['priorityCodes of numbers', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [1, 2] }],
  ['no priorityCodes', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct' }],
  ['priorityShares of numbers', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: ['P01'], priorityShares: [100] }],
  [
    'null nullable fields',
    { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [], pledgedOn: null, notes: null, externalRef: null },
  ],
  ['null channel', { donorId: 1, title: 'A title', kind: 'cash', amount: '1.00', currency: 'USD', channel: null, priorityCodes: [] }],
  ['no channel', { donorId: 1, title: 'A title', kind: 'cash', amount: '1.00', currency: 'USD', priorityCodes: [] }],
  [
    'receipt owed by a date',
    { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [], receiptExpectation: 'owed', receiptDueOn: '2026-12-31' },
  ],
  ['null receiptExpectation', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [], receiptExpectation: null }],
  ['null receiptDueOn', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [], receiptDueOn: null }],
  ['null title', { donorId: 1, title: null, kind: 'cash', channel: 'direct', priorityCodes: [] }],
  ['null amount and currency', { donorId: 1, title: 'A title', kind: 'cash', amount: null, currency: null, channel: 'direct', priorityCodes: [] }],
  ['null status', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [], status: null }],
  ['null priorityShares', { donorId: 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [], priorityShares: null }],
  ['donorId 2^31', { donorId: 2 ** 31, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [] }],
  ['donorId 2^31 - 1', { donorId: 2 ** 31 - 1, title: 'A title', kind: 'cash', channel: 'direct', priorityCodes: [] }],
  ['title all blank', { donorId: 1, title: '     ', kind: 'cash', channel: 'direct', priorityCodes: [] }],
  [
    'inKind good',
    {
      donorId: 1,
      title: 'Dogs',
      kind: 'in_kind',
      channel: 'direct',
      priorityCodes: [],
      inKind: { quantity: 8, unit: 'dogs', upTo: false, unitValue: { amount: '10.00', currency: 'EUR' } },
    },
  ],
  ['inKind quantity text', { donorId: 1, title: 'Dogs', kind: 'in_kind', channel: 'direct', priorityCodes: [], inKind: { quantity: '8', unit: 'dogs' } }],
  [
    'inKind unknown field',
    { donorId: 1, title: 'Dogs', kind: 'in_kind', channel: 'direct', priorityCodes: [], inKind: { quantity: 8, unit: 'dogs', colour: 'brown' } },
  ],
  ['inKind a list', { donorId: 1, title: 'Dogs', kind: 'in_kind', channel: 'direct', priorityCodes: [], inKind: [{ quantity: 8, unit: 'dogs' }] }],
  ['inKind a string', { donorId: 1, title: 'Dogs', kind: 'in_kind', channel: 'direct', priorityCodes: [], inKind: 'eight dogs' }],
  ['inKind null', { donorId: 1, title: 'Dogs', kind: 'in_kind', channel: 'direct', priorityCodes: [], inKind: null }],
  [
    'unitValue amount a number',
    {
      donorId: 1,
      title: 'Dogs',
      kind: 'in_kind',
      channel: 'direct',
      priorityCodes: [],
      inKind: { quantity: 8, unit: 'dogs', unitValue: { amount: 10, currency: 'EUR' } },
    },
  ],
  [
    'unitValue unknown field',
    {
      donorId: 1,
      title: 'Dogs',
      kind: 'in_kind',
      channel: 'direct',
      priorityCodes: [],
      inKind: { quantity: 8, unit: 'dogs', unitValue: { amount: '10', currency: 'EUR', rate: 1 } },
    },
  ],
];

const cellsOf = (values: Partial<PledgeCells>): PledgeCells => Object.fromEntries(PLEDGE_IMPORT_COLUMNS.map((c) => [c, values[c] ?? ''])) as PledgeCells;
const rowBody = (values: Partial<PledgeCells>) => rowToPledgeBody(cellsOf(values), 1);

describe('CSV rows and JSON bodies: the same answers', () => {
  it.each(CSV_CASES)('a CSV row: %s', async (_name, values) => {
    expect(importProblems(rowBody(values))).toEqual(await apiProblems(rowBody(values)));
  });

  /** The bodies the API accepts; every other one is refused, by both. */
  const ACCEPTED_BODIES = new Set([
    'good',
    'null nullable fields',
    'donorId 2^31 - 1',
    'inKind good',
    'null channel',
    'receipt owed by a date',
    'null receiptDueOn',
  ]);

  it.each(BODY_CASES)('a JSON body: %s', async (name, body) => {
    const api = await apiProblems(body);
    expect(importProblems(body)).toEqual(api);
    expect(api.length === 0).toBe(ACCEPTED_BODIES.has(name));
  });

  it('reads an empty channel cell as null (the source names no channel), which the API accepts', async () => {
    const body = rowBody({ ...GOOD_CASH, channel: '' });
    expect(body.channel).toBeNull();
    expect(await apiProblems(body)).toEqual([]);
    expect(importProblems(body)).toEqual([]);
  });

  it.each(CSV_CASES.filter(([name]) => /NUL|line break|tab|surrogate|bell|DEL|two lines|2999|1989|not a code/.test(name)))(
    'the shared text, date and code rules refuse (or, in multi-line text, accept) a CSV row: %s',
    (name, values) => {
      const accepted = ['title with a guarded leading tab', 'notes on several lines with a tab'].includes(name);
      expect(importProblems(rowBody(values)).length === 0).toBe(accepted);
    },
  );

  it('has rows both ways for the tables to mean something', () => {
    const verdicts = CSV_CASES.map(([, values]) => importProblems(rowBody(values)).length === 0);
    expect(verdicts.filter(Boolean).length).toBeGreaterThanOrEqual(8);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThanOrEqual(30);
  });

  it.each(CSV_CASES)('builds the DTO class-transformer would: %s', (_name, values) => {
    const body = rowBody(values);
    const dto = pledgeDtoFrom(body);
    expect(dto).toBeInstanceOf(CreatePledgeDto);
    expect(dto).toEqual(plainToInstance(CreatePledgeDto, body));
  });
});

/** Values of every JSON type, and the near misses of the rules. */
const anyValue = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    true,
    false,
    0,
    1,
    -1,
    1.5,
    2 ** 31,
    '',
    '  ',
    'cash',
    'in_kind',
    'direct',
    'USD',
    'usd',
    '10.00',
    '2024-01-16',
    'P01',
    '60',
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.array(fc.constantFrom('P01', 'P07', 'P01', 'x', '60', '100.5', 1, null), { maxLength: 14 }),
);
const money = fc.record({ amount: anyValue, currency: anyValue, rate: anyValue }, { requiredKeys: [] });
const inKind = fc.record(
  { quantity: anyValue, unit: anyValue, upTo: anyValue, unitValue: fc.oneof(money, anyValue, fc.array(money, { maxLength: 2 })) },
  { requiredKeys: [] },
);
const body = fc.record(
  {
    ...Object.fromEntries(Object.keys(PLEDGE_RULES).map((name) => [name, anyValue])),
    inKind: fc.oneof(inKind, anyValue, fc.array(fc.oneof(inKind, anyValue), { maxLength: 2 })),
    colour: anyValue,
  },
  { requiredKeys: [] },
);

describe('generated bodies', () => {
  it("the compiled rules give what class-validator gives with the pipe's options, problem for problem", () => {
    fc.assert(
      fc.property(body, (generated) => {
        const dto = plainToInstance(CreatePledgeDto, generated);
        expect(createPledgeProblems(dto)).toEqual(fieldProblems(validateSync(dto, VALIDATION_OPTIONS)));
      }),
      { numRuns: 2_000, seed: 17 },
    );
  });
});

describe('UpdatePledgeDto, derived from the create', () => {
  const update = (body: Record<string, unknown>) => apiProblems(body, UpdatePledgeDto);

  it.each([
    [{ title: 'A longer title' }],
    [{ channel: null }],
    [{ notes: null, source: null, channelName: null, instrument: null, pledgedOn: null, sourceDate: null, receiptDueOn: null }],
    [{ priorityCodes: ['P01', 'P07'], priorityShares: ['60', '40'] }],
    [{ status: 'committed', receiptExpectation: 'owed', receiptDueOn: '2026-12-31' }],
  ])('accepts %j', async (body) => {
    expect(await update(body)).toEqual([]);
  });

  it.each([
    [{ title: null }, 'title', 'title cannot be null: leave it out instead'],
    [{ priorityCodes: null }, 'priorityCodes', 'priorityCodes cannot be null: leave it out instead'],
    [{ status: null }, 'status', 'status cannot be null: leave it out instead'],
    [{ title: 'ab' }, 'title', 'title must be at least 3 characters'],
    [{ channel: 'bank' }, 'channel', 'channel must be one of direct, un_agency, ngo, other, or null when the source does not say'],
    [{ amount: '5.00' }, 'amount', expect.stringMatching(/^amount cannot be changed: records are never rewritten/)],
    [{ inKind: { quantity: 2, unit: 'dogs' } }, 'inKind', expect.stringMatching(/^inKind cannot be changed/)],
    [{ donorId: 2 }, 'donorId', 'property donorId should not exist'],
    [{ externalRef: 'X-1' }, 'externalRef', 'property externalRef should not exist'],
    [{}, 'body', 'the body names no field to change: send at least one field'],
  ])('refuses %j', async (body, field, message) => {
    expect(await update(body)).toContainEqual({ field, message });
  });
});
