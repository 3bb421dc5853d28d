import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Response } from 'supertest';
import { PasswordHasher } from '../../src/auth/password-hasher';
import { bucketKey, FREE_FAILURES, WRONG_CREDENTIALS } from '../../src/auth/sign-in-policy';
import { SignInThrottle } from '../../src/auth/sign-in-throttle';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, newWebSession } from './web-support';

/**
 * Sign-in throttling (src/auth/sign-in-policy.ts) against the attacks it answers: parallel guesses
 * racing the failure count, strangers locking the owner out, and answers that tell which emails
 * exist. Requests come "from" other addresses through X-Forwarded-For (the app trusts it from
 * loopback only). The throttle's clock is frozen per test, so no delay runs out by accident while
 * a batch is in flight, and moved on instead of waited for.
 */
describe(`sign-in throttling (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let t: TestApp;
  let throttle: SignInThrottle;
  let clock: number;
  let addressCount = 0;
  /** A fresh stranger address each call, so the per-address limit (60 a minute) never interferes. */
  const stranger = () => `203.0.${Math.floor(++addressCount / 250)}.${(addressCount % 250) + 1}`;

  const login = (email: string, password: string, from?: string) => {
    const req = t.http.post('/api/auth/login');
    return (from ? req.set('x-forwarded-for', from) : req).send({ email, password });
  };
  const statuses = (responses: Response[]) => responses.map((r) => r.status);
  const count = (responses: Response[], status: number) => responses.filter((r) => r.status === status).length;
  const failuresIn = async (email: string, address: string | null = null): Promise<number | null> => {
    const rows: Array<{ failures: number }> = await t.dataSource.query(`SELECT failures FROM sign_in_buckets WHERE bucket = '${bucketKey(email, address)}'`);
    return rows.length ? Number(rows[0].failures) : null;
  };
  const tokensOf = async (userId: number): Promise<number> =>
    Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM auth_tokens WHERE user_id = ${Number(userId)}`))[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    throttle = t.app.get(SignInThrottle);
  });
  beforeEach(() => {
    clock = Date.now();
    throttle.now = () => clock;
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(() => t.close());

  it('counts 40 parallel wrong passwords one by one: only the allowance is checked, every other one waits (429)', async () => {
    const user = await makeUser(t, 'officer');
    const responses = await Promise.all(Array.from({ length: 40 }, () => login(user.email, 'wrong-password-1', stranger())));
    expect(count(responses, 401)).toBe(FREE_FAILURES + 1);
    expect(count(responses, 429)).toBe(40 - FREE_FAILURES - 1);
    // No lost increments: the stored count is the number of attempts that were let through.
    expect(await failuresIn(user.email)).toBe(FREE_FAILURES + 1);
  });

  it('refuses the right password among 29 parallel wrong ones once the guesses have put the account in delay', async () => {
    const user = await makeUser(t, 'officer');
    for (let i = 0; i <= FREE_FAILURES; i++) expect((await login(user.email, 'wrong-password-1', stranger())).status).toBe(401);
    const batch = Array.from({ length: 30 }, (_, i) => (i === 15 ? user.password : `wrong-password-${i}`));
    const responses = await Promise.all(batch.map((password) => login(user.email, password, stranger())));
    expect(statuses(responses)).toEqual(Array(30).fill(429));
    expect(new Set(responses.map((r) => r.headers['retry-after']))).toEqual(new Set(['2']));
    expect(await tokensOf(user.id)).toBe(0);
    expect(await failuresIn(user.email)).toBe(FREE_FAILURES + 1);
    // Once the delay is over, one attempt is let through again: the owner's right password works.
    clock += 2_000;
    expect((await login(user.email, user.password, stranger())).status).toBe(200);
  });

  it('checks at most one of 29 wrong passwords and the right one sent in parallel at the edge of the allowance', async () => {
    const user = await makeUser(t, 'officer');
    for (let i = 0; i < FREE_FAILURES; i++) expect((await login(user.email, 'wrong-password-1', stranger())).status).toBe(401);
    const batch = Array.from({ length: 30 }, (_, i) => (i === 29 ? user.password : `wrong-password-${i}`));
    const responses = await Promise.all(batch.map((password) => login(user.email, password, stranger())));
    const signedIn = responses[29].status === 200;
    // The attempt that takes the last free place is checked; every later one waits. Only if that
    // was the right password (which resets the count) may later wrong ones be checked again.
    expect(count(responses, 401)).toBeLessThanOrEqual(signedIn ? FREE_FAILURES + 1 : 1);
    expect(count(responses, 401) + count(responses, 200)).toBeGreaterThanOrEqual(1);
    expect(count(responses, 429)).toBeGreaterThanOrEqual(30 - FREE_FAILURES - 2);
  });

  it('lets the owner sign in from an address used before while strangers fail 50 times', async () => {
    const owner = await makeUser(t, 'officer');
    // The owner's usual address: the test's own (no X-Forwarded-For).
    expect((await login(owner.email, owner.password)).status).toBe(200);
    const strangers = Array.from({ length: 5 }, stranger);
    const attacks = await Promise.all(Array.from({ length: 50 }, (_, i) => login(owner.email, `guess-${i}-password`, strangers[i % 5])));
    expect(count(attacks, 200)).toBe(0);
    expect(count(attacks, 429)).toBe(50 - FREE_FAILURES - 1);

    expect((await login(owner.email, owner.password)).status).toBe(200);
    const web = newWebSession(t);
    await web.get('/login');
    const form = await web.post('/login', { email: owner.email, password: owner.password });
    expect(form.status).toBe(303);
    // From an address it never used, the owner waits with the strangers.
    const elsewhere = await login(owner.email, owner.password, stranger());
    expect(elsewhere.status).toBe(429);
  });

  it('gives an unknown email the same answers, headers and cost as a known one: wrong password and throttled', async () => {
    const known = await makeUser(t, 'officer');
    const unknown = `nobody-${Math.random().toString(36).slice(2, 10)}@web.test`;
    const verify = jest.spyOn(t.app.get(PasswordHasher), 'verify');
    const attempt = async (email: string, from: string) => {
      const before = verify.mock.calls.length;
      const res = await login(email, 'wrong-password-1', from);
      expect({ email, scryptRuns: verify.mock.calls.length - before }).toEqual({ email, scryptRuns: 1 });
      return res;
    };
    const comparable = (res: Response) => {
      const headers: Record<string, unknown> = { ...res.headers };
      delete headers.date;
      return { status: res.status, body: res.body, headers };
    };
    const seen: number[] = [];
    const knownFrom = stranger();
    const unknownFrom = stranger();
    for (let i = 0; i < FREE_FAILURES + 3; i++) {
      if (i === FREE_FAILURES + 2) clock += 2_000;
      const a = await attempt(known.email, knownFrom);
      const b = await attempt(unknown, unknownFrom);
      expect(comparable(b)).toEqual(comparable(a));
      seen.push(a.status);
    }
    expect(seen).toEqual([...Array(FREE_FAILURES + 1).fill(401), 429, 401]);
    const throttled = await attempt(unknown, unknownFrom);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('4');
    expect(throttled.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many sign-in attempts: wait 4 seconds, then try again',
      details: [],
    });
    const wrong = await attempt(`other-${unknown}`, unknownFrom);
    expect(wrong.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: WRONG_CREDENTIALS, details: [] });
  });

  it('makes each delay twice the last, up to 15 minutes, and starts afresh after a success', async () => {
    const user = await makeUser(t, 'officer');
    const from = stranger();
    for (let i = 0; i < FREE_FAILURES; i++) expect((await login(user.email, 'wrong-password-1', from)).status).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      expect((await login(user.email, 'wrong-password-1', from)).status).toBe(401);
      const refused = await login(user.email, user.password, from);
      expect(refused.status).toBe(429);
      const wait = Number(refused.headers['retry-after']);
      waits.push(wait);
      clock += wait * 1000 - 1;
      expect((await login(user.email, user.password, from)).status).toBe(429);
      clock += 1;
    }
    expect(waits).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
    expect((await login(user.email, user.password, from)).status).toBe(200);
    expect(await failuresIn(user.email)).toBe(0);
    // Afresh: the allowance again, then the first, shortest delay.
    for (let i = 0; i <= FREE_FAILURES; i++) expect((await login(user.email, 'wrong-password-1', from)).status).toBe(401);
    const again = await login(user.email, 'wrong-password-1', from);
    expect([again.status, again.headers['retry-after']]).toEqual([429, '2']);
  });

  it('applies the same rules to the sign-in form: 429 with Retry-After and the typed email kept, the same bucket as the API', async () => {
    const user = await makeUser(t, 'officer');
    const web = newWebSession(t);
    await web.get('/login');
    for (let i = 0; i <= FREE_FAILURES; i++) {
      const res = await web.post('/login', { email: user.email, password: 'not-the-password' });
      expect(res.status).toBe(401);
      expect(res.text).toContain(WRONG_CREDENTIALS);
    }
    const waiting = await web.post('/login', { email: user.email, password: user.password });
    expect(waiting.status).toBe(429);
    expect(waiting.headers['retry-after']).toBe('2');
    expect(waiting.text).toContain('Too many sign-in attempts: wait 2 seconds, then try again');
    expect(waiting.text).toContain(`value="${user.email}"`);
    expect(waiting.text).not.toContain('locked');
    // The API at the same address shares the bucket.
    expect((await login(user.email, user.password)).status).toBe(429);
  });
});

describe('sign-in throttling shared by two app instances on one PostgreSQL database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ db: 'postgres' });
    b = await createTestApp({ db: 'postgres', database: a.db });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('counts parallel wrong passwords sent to either instance in one place', async () => {
    const now = Date.now();
    for (const app of [a, b]) app.app.get(SignInThrottle).now = () => now;
    const user = await makeUser(a, 'officer');
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).http
          .post('/api/auth/login')
          .set('x-forwarded-for', `198.18.0.${i + 1}`)
          .send({ email: user.email, password: 'wrong-password-1' }),
      ),
    );
    expect(responses.filter((r) => r.status === 401)).toHaveLength(FREE_FAILURES + 1);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(40 - FREE_FAILURES - 1);
  });
});
