import 'reflect-metadata';
import { describe, it, expect } from '@jest/globals';
import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, registerDecorator, ValidateIf, ValidateNested, validateSync } from 'class-validator';
import { CreatePledgeDto } from '../pledges/dto';
import { PLEDGE_VALIDATION } from './pledge-dto-check';
import { PLEDGE_IMPORT_COLUMNS, PledgeCells, pledgeDtoFrom, rowToPledgeBody } from './pledge-csv';
import { ValidationShortcut } from './validation-shortcut';

/**
 * The import checks each row with ValidationShortcut and runs validateSync only when the shortcut
 * cannot vouch for the row. These tables hold it to class-validator: for every row, "vouched for"
 * must mean "validateSync finds nothing", and on the pledge DTO it must also vouch for every valid
 * row (else the import is slow, not wrong). Every CreatePledgeDto field has good and bad values.
 */

const shortcut = new ValidationShortcut(PLEDGE_VALIDATION);
const classValidatorAccepts = (dto: object) => validateSync(dto, PLEDGE_VALIDATION).length === 0;

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

const long = (n: number) => 'x'.repeat(n);
/** 150 emoji: 300 UTF-16 units, 150 characters to class-validator's MaxLength. */
const emoji = (n: number) => '\u{1F600}'.repeat(n);

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

describe('ValidationShortcut on the pledge DTO', () => {
  it.each(CSV_CASES)('agrees with class-validator on a CSV row: %s', (_name, values) => {
    const dto = pledgeDtoFrom(rowToPledgeBody(cellsOf(values), 1));
    expect(shortcut.passes(dto)).toBe(classValidatorAccepts(dto));
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

  it.each(BODY_CASES)('agrees with class-validator on a JSON body: %s', (name, body) => {
    const dto = plainToInstance(CreatePledgeDto, body);
    expect(shortcut.passes(dto)).toBe(classValidatorAccepts(dto));
    expect(classValidatorAccepts(dto)).toBe(ACCEPTED_BODIES.has(name));
  });

  it('reads an empty channel cell as null (the source names no channel), which the API accepts', () => {
    const dto = pledgeDtoFrom(rowToPledgeBody(cellsOf({ ...GOOD_CASH, channel: '' }), 1));
    expect(dto.channel).toBeNull();
    expect(classValidatorAccepts(dto)).toBe(true);
    expect(shortcut.passes(dto)).toBe(true);
  });

  it.each(CSV_CASES.filter(([name]) => /NUL|line break|tab|surrogate|bell|DEL|two lines|2999|1989|not a code/.test(name)))(
    'the shared text, date and code rules refuse (or, in multi-line text, accept) a CSV row: %s',
    (name, values) => {
      const dto = pledgeDtoFrom(rowToPledgeBody(cellsOf(values), 1));
      const accepted = ['title with a guarded leading tab', 'notes on several lines with a tab'].includes(name);
      expect(classValidatorAccepts(dto)).toBe(accepted);
      expect(shortcut.passes(dto)).toBe(accepted);
    },
  );

  it('has rows both ways for the tables to mean something', () => {
    const verdicts = CSV_CASES.map(([, values]) => classValidatorAccepts(pledgeDtoFrom(rowToPledgeBody(cellsOf(values), 1))));
    expect(verdicts.filter(Boolean).length).toBeGreaterThanOrEqual(8);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThanOrEqual(30);
  });

  it.each(CSV_CASES)('builds the DTO class-transformer would: %s', (_name, values) => {
    const body = rowToPledgeBody(cellsOf(values), 1);
    const dto = pledgeDtoFrom(body);
    const transformed = plainToInstance(CreatePledgeDto, body);
    expect(dto).toBeInstanceOf(CreatePledgeDto);
    expect(dto).toEqual(transformed);
  });
});

/** A decorator that reads the other fields through the arguments, as a custom rule may. */
function SameLengthAs(other: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'sameLengthAs',
      target: target.constructor,
      propertyName,
      constraints: [other],
      validator: {
        validate: (value: unknown, args) =>
          typeof value === 'string' && value.length === String((args?.object as Record<string, unknown>)[args?.constraints[0] as string]).length,
      },
    });
}

class Leaf {
  @IsInt()
  n: number;
}

class Sample {
  @IsString()
  @MaxLength(3)
  code: string;

  @IsOptional()
  @SameLengthAs('code')
  twin?: string;

  @IsIn(['a', 'b'])
  @ValidateIf((o: Sample) => o.code !== 'any')
  letter: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Leaf)
  leaf?: Leaf;

  @IsOptional()
  @IsString({ each: true })
  tags?: string[] | Set<string>;
}

const SAMPLES: Array<[string, Record<string, unknown> | (() => object)]> = [
  ['good', { code: 'abc', letter: 'a' }],
  ['custom rule reading the object, good', { code: 'abc', twin: 'xyz', letter: 'a' }],
  ['custom rule reading the object, bad', { code: 'abc', twin: 'xy', letter: 'a' }],
  ['validateIf skips', { code: 'any', letter: 'zzz' }],
  ['validateIf checks', { code: 'abc', letter: 'zzz' }],
  ['nested good', { code: 'abc', letter: 'b', leaf: { n: 1 } }],
  ['nested bad', { code: 'abc', letter: 'b', leaf: { n: 1.5 } }],
  ['nested list', { code: 'abc', letter: 'b', leaf: [{ n: 1 }] }],
  ['each good', { code: 'abc', letter: 'b', tags: ['x', 'y'] }],
  ['each bad', { code: 'abc', letter: 'b', tags: ['x', 2] }],
  ['each over a Set', () => Object.assign(new Sample(), { code: 'abc', letter: 'b', tags: new Set(['x']) })],
  ['unknown property', { code: 'abc', letter: 'a', extra: 1 }],
  ['too long', { code: 'abcd', letter: 'a' }],
  ['plain object, not the class', () => ({ code: 'abc', letter: 'a' })],
];

describe('ValidationShortcut on other classes', () => {
  it.each(SAMPLES)('never vouches for what class-validator refuses: %s', (_name, input) => {
    const object = typeof input === 'function' ? input() : plainToInstance(Sample, input);
    const accepted = classValidatorAccepts(object);
    if (shortcut.passes(object)) expect(accepted).toBe(true);
    // Where it models the rules, it also vouches for what class-validator accepts.
    if (!(object instanceof Sample) || object.tags instanceof Set || Array.isArray(object.leaf)) return;
    expect(shortcut.passes(object)).toBe(accepted);
  });

  it('refuses to stand in for options it does not model', () => {
    expect(() => new ValidationShortcut({ whitelist: true })).toThrow(/whitelist without forbidNonWhitelisted/);
    expect(() => new ValidationShortcut({ groups: ['admin'] })).toThrow(/groups/);
    expect(() => new ValidationShortcut({ skipMissingProperties: true })).toThrow(/skip/);
  });
});
