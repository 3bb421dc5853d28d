import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DonorsModule } from '../donors/donors.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { LoginThrottleGuard } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { SignInThrottle } from './sign-in-throttle';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Global()
@Module({
  imports: [DonorsModule, OrganisationsModule],
  providers: [AuthRepository, AuthService, UsersService, PasswordHasher, SignInThrottle, LoginThrottleGuard, { provide: APP_GUARD, useClass: AuthGuard }],
  controllers: [AuthController, UsersController],
  exports: [AuthService, UsersService, LoginThrottleGuard],
})
export class AuthModule {}
