import { HttpException, Injectable } from '@nestjs/common';
import { TooManyRequestsError } from '../common/errors/domain-errors';
import { AuthService } from '../auth/auth.service';
import { homeFor, safeLocalPath } from './navigation';

export interface LoginPage {
  title: string;
  email: string;
  next: string;
  error?: string;
  notice?: string;
}

export type SignInOutcome =
  { signedIn: true; token: string; redirectTo: string } | { signedIn: false; status: number; page: LoginPage; retryAfterSeconds?: number };

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Browser sign-in on top of AuthService: the same checks, throttling and timing as the API, a session token instead of a bearer token. */
@Injectable()
export class WebSessionService {
  constructor(private readonly auth: AuthService) {}

  loginPage(next: unknown, reset = false): LoginPage {
    const page: LoginPage = { title: 'Sign in', email: '', next: safeLocalPath(next) ?? '' };
    return reset ? { ...page, notice: 'Your new password is set. Sign in with it.' } : page;
  }

  async signIn(form: Record<string, unknown>, address: string | undefined): Promise<SignInOutcome> {
    const email = text(form.email).trim().slice(0, 254);
    const password = text(form.password).slice(0, 200);
    const next = safeLocalPath(form.next);
    const page = { title: 'Sign in', email, next: next ?? '' };
    if (!email || !password) return { signedIn: false, status: 400, page: { ...page, error: 'Enter your email and password.' } };
    try {
      const result = await this.auth.login(email, password, { kind: 'session', address });
      return { signedIn: true, token: result.token, redirectTo: next ?? homeFor(result.user.role, result.user.donorId) };
    } catch (error) {
      if (error instanceof TooManyRequestsError) {
        return { signedIn: false, status: 429, retryAfterSeconds: error.retryAfterSeconds, page: { ...page, error: error.message } };
      }
      if (error instanceof HttpException && error.getStatus() === 401) {
        return { signedIn: false, status: 401, page: { ...page, error: error.message } };
      }
      throw error;
    }
  }

  async signOut(token: string | null): Promise<void> {
    if (token) await this.auth.logout(token);
  }
}
