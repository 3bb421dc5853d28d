import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsCurrency, IsPlainObject, IsText, Nullable, OptionalNotNull, UpdateOf } from '../common/http/validators';
import { DONOR_TYPES, type DonorType } from './donor.entity';

const COUNTRY_CODE = /^[A-Z]{2}$/;
const COUNTRY_CODE_MESSAGE = 'countryCode must be two upper-case letters (ISO 3166-1), such as SA';

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
}

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
 * Every field optional: absent means unchanged, null clears countryCode or notes; name and type
 * may be left out but not cleared. Contacts have their own routes, and a donor's source is
 * recorded at creation only. A body that names no field is refused.
 */
export class UpdateDonorDto extends UpdateOf(CreateDonorDto, { omit: ['contacts', 'source'], notNull: ['name', 'type'] }) {}
