import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { IsId, IsText, Nullable } from '../common/http/validators';
import { ROLES, type Role } from './user.entity';

export class LoginDto {
  @ApiProperty({ example: 'admin@anama.local' })
  @IsText({ min: 1, max: 254 })
  email: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  password: string;
}

export class CreateUserDto {
  @ApiProperty()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 10 })
  @IsString()
  @MinLength(10, { message: 'password must be at least 10 characters' })
  @MaxLength(200)
  password: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsId()
  donorId?: number | null;
}
