import 'reflect-metadata';
import { describe, it, expect } from '@jest/globals';
import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, ValidateNested } from 'class-validator';
import { addDays, addYears, DATE_RANGES, todayUtc } from '../dates';
import { InvalidInputError } from '../errors/domain-errors';
import { ParseIdPipe } from './params';
import { urlTextProblem } from './url-text';
import { createValidationPipe } from './validation';
import { declaredPresence, IsId, IsIsoDate, IsPlainObject, IsText, Nullable, OptionalNotNull, PartialUpdate, RequiredNullable, UpdateOf } from './validators';

class Inner {
  @IsText({ min: 1, max: 10 })
  unit: string;
}

@PartialUpdate()
class Sample {
  @OptionalNotNull()
  @IsText({ min: 3, max: 20 })
  title?: string;

  @Nullable()
  @IsText({ max: 50, multiLine: true })
  notes?: string | null;

  @OptionalNotNull()
  @IsIn(['a', 'b'])
  letter?: string;

  @OptionalNotNull()
  @IsId()
  donorId?: number;

  @OptionalNotNull()
  @IsId({ each: true })
  donorIds?: number[];

  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  pledgedOn?: string | null;

  @OptionalNotNull()
  @IsPlainObject()
  @ValidateNested()
  @Type(() => Inner)
  inner?: Inner;
}

class Target {
  @RequiredNullable()
  @IsPlainObject()
  @ValidateNested()
  @Type(() => Inner)
  target: Inner | null;
}

const pipe = createValidationPipe();
const body = (metatype: new () => object): ArgumentMetadata => ({ type: 'body', metatype, data: undefined });

/** The pipe's answer: the DTO, or the fields its 400 names. */
async function check(metatype: new () => object, value: unknown): Promise<{ ok: object } | { fields: string[] }> {
  try {
    return { ok: (await pipe.transform(value, body(metatype))) as object };
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    const response = error.getResponse() as { details: Array<{ field: string }> };
    return { fields: [...new Set(response.details.map((d) => d.field))] };
  }
}

describe('OptionalNotNull and Nullable', () => {
  it('lets a field be left out, and refuses null only where null means nothing', async () => {
    expect(await check(Sample, { notes: 'x' })).toEqual({ ok: expect.any(Sample) });
    expect(await check(Sample, { title: null })).toEqual({ fields: ['title'] });
    expect(await check(Sample, { letter: null, donorId: null, inner: null })).toEqual({ fields: ['letter', 'donorId', 'inner'] });
    expect(await check(Sample, { notes: null, pledgedOn: null })).toEqual({ ok: expect.objectContaining({ notes: null, pledgedOn: null }) });
  });

  it('names the field in the null message', async () => {
    await expect(pipe.transform({ title: null }, body(Sample))).rejects.toMatchObject({
      response: { details: expect.arrayContaining([{ field: 'title', message: 'title cannot be null: leave it out instead' }]) },
    });
  });
});

describe('RequiredNullable', () => {
  it('must be given; null is a value; an object is checked', async () => {
    expect(await check(Target, {})).toEqual({ fields: ['target'] });
    expect(await check(Target, { target: null })).toEqual({ ok: expect.objectContaining({ target: null }) });
    expect(await check(Target, { target: { unit: 'dogs' } })).toEqual({ ok: expect.any(Target) });
    expect(await check(Target, { target: { unit: '' } })).toEqual({ fields: ['target.unit'] });
  });
});

describe('IsText', () => {
  it('trims before storing and before counting', async () => {
    expect(await check(Sample, { title: '  Demining  ' })).toEqual({ ok: expect.objectContaining({ title: 'Demining' }) });
    expect(await check(Sample, { title: '   ' })).toEqual({ fields: ['title'] });
    expect(await check(Sample, { title: '  ab  ' })).toEqual({ fields: ['title'] });
  });

  it('refuses NUL and control characters, and line breaks in single-line fields', async () => {
    expect(await check(Sample, { title: 'abc\u0000def' })).toEqual({ fields: ['title'] });
    expect(await check(Sample, { title: 'abc\r\ndef' })).toEqual({ fields: ['title'] });
    expect(await check(Sample, { notes: 'abc\r\ndef\tghi' })).toEqual({ ok: expect.objectContaining({ notes: 'abc\r\ndef\tghi' }) });
    expect(await check(Sample, { notes: 'abc\u0000' })).toEqual({ fields: ['notes'] });
    expect(await check(Sample, { title: 12345 })).toEqual({ fields: ['title'] });
  });
});

describe('IsId', () => {
  it('takes whole numbers from 1 to 2^31 - 1, alone or in a list', async () => {
    expect(await check(Sample, { donorId: 2147483647, donorIds: [1, 2] })).toEqual({ ok: expect.any(Sample) });
    for (const donorId of [0, -1, 1.5, 2147483648, 2 ** 53, '7']) expect(await check(Sample, { donorId })).toEqual({ fields: ['donorId'] });
    expect(await check(Sample, { donorIds: [1, 2147483648] })).toEqual({ fields: ['donorIds'] });
  });
});

describe('IsPlainObject', () => {
  it('refuses a list where an object is expected, which @ValidateNested alone would check item by item', async () => {
    expect(await check(Sample, { inner: { unit: 'dogs' } })).toEqual({ ok: expect.any(Sample) });
    expect(await check(Sample, { inner: [{ unit: 'dogs' }] })).toEqual({ fields: ['inner'] });
    expect(await check(Sample, { inner: 'dogs' })).toEqual({ fields: ['inner'] });
  });
});

describe('IsIsoDate with a range', () => {
  it('refuses far dates and names the range', async () => {
    const today = todayUtc();
    expect(await check(Sample, { pledgedOn: addYears(today, 10) })).toEqual({ ok: expect.any(Sample) });
    expect(await check(Sample, { pledgedOn: addDays(addYears(today, 10), 1) })).toEqual({ fields: ['pledgedOn'] });
    await expect(pipe.transform({ pledgedOn: '2999-01-01' }, body(Sample))).rejects.toMatchObject({
      response: {
        details: [
          { field: 'pledgedOn', message: expect.stringMatching(/^pledgedOn must be a date from 1990-01-01 to \d{4}-\d\d-\d\d \(today \+ 10 years\)$/) },
        ],
      },
    });
  });
});

describe('the validation pipe', () => {
  it('refuses a PATCH body that names no field', async () => {
    expect(await check(Sample, {})).toEqual({ fields: ['body'] });
    expect(await check(Sample, undefined)).toEqual({ fields: ['body'] });
    expect(await check(Sample, { notes: null })).toEqual({ ok: expect.any(Sample) });
    expect(await check(Target, { target: null })).toEqual({ ok: expect.any(Target) });
  });

  it('leaves a path or query value typed number as text, for the strict parsers', async () => {
    expect(await pipe.transform(' 1', { type: 'param', metatype: Number, data: 'id' })).toBe(' 1');
    expect(await pipe.transform('1e3', { type: 'query', metatype: Number, data: 'limit' })).toBe('1e3');
    expect(await pipe.transform('x', { type: 'query', metatype: String, data: 'q' })).toBe('x');
  });
});

class CreateThing {
  @IsText({ min: 3, max: 20 })
  name: string;

  @IsId()
  ownerId: number;

  @Nullable()
  @IsText({ max: 50, multiLine: true })
  notes?: string | null;

  @RequiredNullable()
  @IsIsoDate(DATE_RANGES.ledger)
  dueOn: string | null;

  @OptionalNotNull()
  @IsIn(['a', 'b'])
  letter?: string;
}

class UpdateThing extends UpdateOf(CreateThing, { omit: ['ownerId'], notNull: ['name'] }) {}

/** The pipe's `details` for a body. */
async function details(metatype: new () => object, value: unknown): Promise<Array<{ field: string; message: string }>> {
  try {
    await pipe.transform(value, body(metatype));
    return [];
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    return (error.getResponse() as { details: Array<{ field: string; message: string }> }).details;
  }
}

describe('UpdateOf: a PATCH body derived from its create', () => {
  it('lets every field be left out, and refuses a body that names none', async () => {
    expect(await check(UpdateThing, { letter: 'a' })).toEqual({ ok: expect.any(UpdateThing) });
    expect(await check(UpdateThing, {})).toEqual({ fields: ['body'] });
  });

  it("keeps the create's rules and messages", async () => {
    expect(await details(UpdateThing, { name: 'ab', letter: 'z' })).toEqual(await details(CreateThing, { name: 'ab', ownerId: 1, dueOn: null, letter: 'z' }));
    expect(await check(UpdateThing, { dueOn: '2999-01-01' })).toEqual({ fields: ['dueOn'] });
  });

  it('keeps what null means: it clears a nullable field and a given-or-null one, and is refused where the create refuses it or requires the field', async () => {
    expect(await check(UpdateThing, { notes: null, dueOn: null })).toEqual({ ok: expect.objectContaining({ notes: null, dueOn: null }) });
    expect(await details(UpdateThing, { name: null })).toContainEqual({ field: 'name', message: 'name cannot be null: leave it out instead' });
    expect(await details(UpdateThing, { letter: null })).toContainEqual({ field: 'letter', message: 'letter cannot be null: leave it out instead' });
    expect(declaredPresence(UpdateThing)).toEqual(
      new Map([
        ['notes', 'nullable'],
        ['dueOn', 'nullable'],
        ['letter', 'optionalNotNull'],
        ['name', 'optionalNotNull'],
      ]),
    );
  });

  it('leaves out the omitted fields: the PATCH refuses them as unknown', async () => {
    expect(await details(UpdateThing, { ownerId: 2 })).toEqual([{ field: 'ownerId', message: 'property ownerId should not exist' }]);
  });

  it('refuses to list under notNull a field that already says what null means', () => {
    expect(() => UpdateOf(CreateThing, { omit: [], notNull: ['notes'] })).toThrow(/already says what null means/);
  });
});

describe('ParseIdPipe', () => {
  const pipeOf = new ParseIdPipe();
  const param = (data: string): ArgumentMetadata => ({ type: 'param', metatype: Number, data });

  it('reads digits from 1 to 2^31 - 1 and refuses anything else, naming the parameter', () => {
    expect(pipeOf.transform('42', param('id'))).toBe(42);
    expect(pipeOf.transform('2147483647', param('id'))).toBe(2147483647);
    for (const raw of [' 1', '01', '0', '+1', '-1', '1.0', '1e3', '2147483648', '', 'abc', 1]) {
      expect(() => pipeOf.transform(raw, param('donorId'))).toThrow(InvalidInputError);
    }
    try {
      pipeOf.transform('2147483648', param('donorId'));
    } catch (error) {
      expect((error as InvalidInputError).details).toEqual([{ field: 'donorId', message: expect.stringContaining('from 1 to 2147483647') }]);
    }
  });
});

describe('urlTextProblem', () => {
  it('finds control characters in the decoded path and in query names and values', () => {
    expect(urlTextProblem({ path: '/api/pledges/1', query: { currency: 'USD' } })).toBeNull();
    expect(urlTextProblem({ path: '/api/priorities/P%0001', query: {} })).toEqual({ field: 'path', message: 'path must not contain NUL characters' });
    expect(urlTextProblem({ path: '/api/pledges', query: { donorId: '1\u0000' } })?.field).toBe('donorId');
    expect(urlTextProblem({ path: '/api/pledges', query: { status: ['a', 'b\r\n'] } })?.field).toBe('status');
    expect(urlTextProblem({ path: '/api/pledges', query: { 'x\u0000': '1' } })?.field).toBe('query parameter');
    expect(urlTextProblem({ path: '/api/%E0%A4%A', query: {} })).toBeNull();
  });
});
