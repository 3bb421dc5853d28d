import 'reflect-metadata';
import { describe, it, expect } from '@jest/globals';
import { getMetadataStorage, IS_OPTIONAL, ValidationTypes } from 'class-validator';
import * as authDtos from '../../auth/dto';
import * as digestDtos from '../../digests/dto';
import * as donorDtos from '../../donors/dto';
import * as fundingDtos from '../../funding/dto';
import * as fxDtos from '../../fx/dto';
import * as nationalDtos from '../../national/dto';
import * as obligationDtos from '../../obligations/dto';
import * as pledgeDtos from '../../pledges/dto';
import * as priorityDtos from '../../priorities/dto';
import * as statementDtos from '../../statements/dto';
import { declaredPresence, isPartialUpdate } from './validators';

/**
 * The shared rules hold only if every DTO uses them. These checks read the decorators of every DTO
 * class, so a field added tomorrow with `@IsOptional()`, a bare `@IsString()`, a nested object
 * without `@IsPlainObject()` or an id without `@IsId()` fails here rather than in production.
 */
const MODULES = { authDtos, digestDtos, donorDtos, fundingDtos, fxDtos, nationalDtos, obligationDtos, pledgeDtos, priorityDtos, statementDtos };
const storage = getMetadataStorage();

type DtoClass = new () => object;

const DTOS: DtoClass[] = Object.values(MODULES)
  .flatMap((m) => Object.values(m) as unknown[])
  .filter((value): value is DtoClass => typeof value === 'function' && storage.getTargetValidationMetadatas(value, '', true, false).length > 0);

type Metadata = ReturnType<typeof storage.getTargetValidationMetadatas>[number];
const byProperty = (dto: DtoClass) => storage.groupByPropertyName(storage.getTargetValidationMetadatas(dto, '', true, false));
const constraintName = (m: Metadata) => storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name;
const names = (ms: Metadata[]) => ms.filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION).map(constraintName);

/** Plain strings that are not text the ledger stores or queries by: secrets are hashed, a period is parsed strictly. */
/** Passwords take any character: they are hashed, never shown or stored as text. */
const PLAIN_STRINGS = new Set([
  'LoginDto.password',
  'CreateUserDto.password',
  'ChangePasswordDto.currentPassword',
  'ChangePasswordDto.newPassword',
  'RunDigestsDto.period',
  'RunDigestsFormDto.period',
  'RunDigestsFormDto._csrf',
]);

/** Rules that already refuse any control character: enumerations, codes, dates, patterns, emails. */
const CLOSED_STRING_RULES = new Set(['isIn', 'isCurrency', 'isIsoDate', 'isDecimalString', 'matches', 'isEmail', 'notEditable']);

const properties = DTOS.flatMap((dto) => Object.entries(byProperty(dto)).map(([property, ms]) => ({ dto, property, ms, key: `${dto.name}.${property}` })));

describe('every DTO uses the shared rules', () => {
  it('finds the DTOs', () => {
    expect(DTOS.map((d) => d.name)).toEqual(expect.arrayContaining(['CreatePledgeDto', 'UpdatePledgeDto', 'UpdateDonorDto', 'SetTargetDto', 'InKindDto']));
    expect(properties.length).toBeGreaterThan(60);
  });

  it('never uses @IsOptional, which lets null through: each optional field says what null means', () => {
    const offenders = properties.filter(({ ms }) => ms.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION && m.name === IS_OPTIONAL));
    expect(offenders.map((p) => p.key)).toEqual([]);
    const unexplained = properties.filter(
      ({ dto, property, ms }) => ms.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION) && !declaredPresence(dto).has(property),
    );
    expect(unexplained.map((p) => p.key)).toEqual([]);
  });

  it('checks free text with @IsText (control characters, trimming, blank), never a bare @IsString or @MaxLength', () => {
    const offenders = properties.filter(({ key, ms }) => {
      const rules = names(ms);
      const stringish = rules.some((n) => n === 'isString' || n === 'maxLength' || n === 'minLength');
      return stringish && !rules.includes('isText') && !rules.some((n) => CLOSED_STRING_RULES.has(n)) && !PLAIN_STRINGS.has(key);
    });
    expect(offenders.map((p) => p.key)).toEqual([]);
  });

  it('checks a nested object to be an object (not a list) before checking its fields', () => {
    const offenders = properties.filter(({ ms }) => ms.some((m) => m.type === ValidationTypes.NESTED_VALIDATION) && !names(ms).includes('isPlainObject'));
    expect(offenders.map((p) => p.key)).toEqual([]);
  });

  it('bounds every id to the database integer range with @IsId', () => {
    // An IATI organisation identifier is text (XM-DAC-41114), not a record id.
    const ids = properties.filter(({ property }) => /Ids?$/.test(property) && property !== 'iatiOrgId');
    expect(ids.map((p) => p.key)).toEqual(expect.arrayContaining(['CreatePledgeDto.donorId', 'CreateUserDto.donorId', 'RunDigestsDto.donorIds']));
    expect(ids.filter(({ ms }) => !names(ms).includes('isId')).map((p) => p.key)).toEqual([]);
  });

  it('marks every PATCH body, so that an empty one is refused', () => {
    const updates = DTOS.filter((dto) => dto.name.startsWith('Update'));
    expect(updates.map((d) => d.name).sort()).toEqual(['UpdateContactDto', 'UpdateDonorDto', 'UpdateInstalmentDto', 'UpdatePledgeDto', 'UpdateUserDto']);
    expect(updates.filter((dto) => !isPartialUpdate(dto)).map((d) => d.name)).toEqual([]);
  });
});
