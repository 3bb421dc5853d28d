import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DonorsModule } from '../donors/donors.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { LoginThrottleGuard } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { SignInThrottle } from './sign-in-throttle';

@Global()
@Module({
  imports: [DonorsModule],
  providers: [AuthRepository, AuthService, PasswordHasher, SignInThrottle, LoginThrottleGuard, { provide: APP_GUARD, useClass: AuthGuard }],
  controllers: [AuthController],
  exports: [AuthService, LoginThrottleGuard],
})
export class AuthModule {}
