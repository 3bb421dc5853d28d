import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { IsId, IsText, Nullable, OptionalNotNull, PartialUpdate } from '../common/http/validators';
import { ROLES, type Role } from '../access/roles';

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

/** PATCH /api/users/:id: what an admin may change; email and password are not among them. A body that names no field is refused. */
@PartialUpdate()
export class UpdateUserDto {
  @ApiProperty({ enum: ROLES, required: false })
  @OptionalNotNull()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;

  @ApiProperty({ required: false, nullable: true, description: 'the donor a donor user belongs to; null for other roles' })
  @Nullable()
  @IsId()
  donorId?: number | null;

  @ApiProperty({ required: false, description: 'false ends every session and token of the user at once' })
  @OptionalNotNull()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString({ message: 'currentPassword must be text' })
  @MaxLength(200)
  currentPassword: string;

  @ApiProperty({ minLength: 10 })
  @IsString({ message: 'newPassword must be text' })
  @MinLength(10, { message: 'newPassword must be at least 10 characters' })
  @MaxLength(200)
  newPassword: string;
}
