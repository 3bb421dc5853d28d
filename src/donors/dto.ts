import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsCurrency } from '../common/http/validators';
import { DONOR_TYPES, type DonorType } from './donor.entity';

export class ContactDto {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiProperty()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ required: false, default: true })
  @IsOptional()
  @IsBoolean()
  digestEnabled?: boolean;
}

export class CreateDonorDto {
  @ApiProperty({ example: 'European Union' })
  @IsString()
  @MinLength(2, { message: 'name must be at least 2 characters' })
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: DONOR_TYPES })
  @IsIn(DONOR_TYPES, { message: `type must be one of ${DONOR_TYPES.join(', ')}` })
  type: DonorType;

  @ApiProperty({ required: false, example: 'SA', description: 'ISO 3166-1 alpha-2, upper case' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be two upper-case letters (ISO 3166-1), such as SA' })
  countryCode?: string;

  @ApiProperty({ required: false, example: 'USD' })
  @IsOptional()
  @IsCurrency()
  displayCurrency?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  source?: string;

  @ApiProperty({ required: false, type: [ContactDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts?: ContactDto[];
}

export class UpdateDonorDto {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  name?: string;

  @ApiProperty({ required: false, enum: DONOR_TYPES })
  @IsOptional()
  @IsIn(DONOR_TYPES, { message: `type must be one of ${DONOR_TYPES.join(', ')}` })
  type?: DonorType;

  @ApiProperty({ required: false, nullable: true })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be two upper-case letters (ISO 3166-1), such as SA' })
  countryCode?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsCurrency()
  displayCurrency?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string;
}
