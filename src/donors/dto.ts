import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsCurrency, IsPlainObject, IsText, Nullable, OptionalNotNull, UpdateOf } from '../common/http/validators';
import { DONOR_TYPES, type DonorType } from './donor.entity';

const COUNTRY_CODE = /^[A-Z]{2}$/;
const COUNTRY_CODE_MESSAGE = 'countryCode must be two upper-case letters (ISO 3166-1), such as SA';
/** An IATI organisation identifier: a registration agency prefix and an id, such as XM-DAC-41114 or GB-GOV-1. */
const IATI_ORG_ID = /^[A-Za-z0-9]{2,}-[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$/;
const IATI_ORG_ID_MESSAGE = 'iatiOrgId must be an IATI organisation identifier such as XM-DAC-41114 (agency prefix, a dash, the id)';
/** A language tag: two or three lower-case letters, optionally a region, such as en, az or en-GB. */
const LANGUAGE = /^[a-z]{2,3}(?:-[A-Z]{2})?$/;

export class ContactDto {
  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 200 })
  name?: string | null;

  @ApiProperty()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ required: false, default: true })
  @OptionalNotNull()
  @IsBoolean()
  digestEnabled?: boolean;

  @ApiProperty({ required: false, nullable: true, example: 'en', description: 'the language the contact reads (digests are in English today)' })
  @Nullable()
  @Matches(LANGUAGE, { message: 'language must be a language code such as en, az, ar or en-GB' })
  language?: string | null;
}

/** PATCH a contact: every field optional; the email may change, never be cleared. A body that names no field is refused. */
export class UpdateContactDto extends UpdateOf(ContactDto, { omit: [], notNull: ['email'] }) {}

export class CreateDonorDto {
  @ApiProperty({ example: 'European Union' })
  @IsText({ min: 2, max: 200 })
  name: string;

  @ApiProperty({ enum: DONOR_TYPES })
  @IsIn(DONOR_TYPES, { message: `type must be one of ${DONOR_TYPES.join(', ')}` })
  type: DonorType;

  @ApiProperty({ required: false, nullable: true, example: 'SA', description: 'ISO 3166-1 alpha-2, upper case' })
  @Nullable()
  @Matches(COUNTRY_CODE, { message: COUNTRY_CODE_MESSAGE })
  countryCode?: string | null;

  @ApiProperty({ required: false, example: 'USD' })
  @OptionalNotNull()
  @IsCurrency()
  displayCurrency?: string;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 4000, multiLine: true })
  notes?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 1000 })
  source?: string | null;

  @ApiProperty({ required: false, nullable: true, example: 'XM-DAC-41114' })
  @Nullable()
  @Matches(IATI_ORG_ID, { message: IATI_ORG_ID_MESSAGE })
  @MaxLength(100)
  iatiOrgId?: string | null;

  @ApiProperty({ required: false, type: [ContactDto] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @IsPlainObject({ each: true, message: 'contacts must hold objects such as { "email": "…" }' })
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts?: ContactDto[];
}

/**
 * Every field optional: absent means unchanged, null clears countryCode, notes, source or the
 * IATI id; name and type may be left out but not cleared; `active: false` deactivates the donor.
 * Contacts have their own routes. A body that names no field is refused.
 */
export class UpdateDonorDto extends UpdateOf(CreateDonorDto, { omit: ['contacts'], notNull: ['name', 'type'] }) {
  @ApiProperty({ required: false, description: 'false: no new pledges and no digest; records and figures stay' })
  @OptionalNotNull()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}
