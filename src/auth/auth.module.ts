import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DonorsModule } from '../donors/donors.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { LoginThrottleGuard } from './login-throttle';

@Global()
@Module({
  imports: [DonorsModule],
  providers: [AuthRepository, AuthService, LoginThrottleGuard, { provide: APP_GUARD, useClass: AuthGuard }],
  controllers: [AuthController],
  exports: [AuthService, LoginThrottleGuard],
})
export class AuthModule {}
