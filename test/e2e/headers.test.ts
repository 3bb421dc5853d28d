import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { PERMISSIONS_POLICY } from '../../src/web/security-headers';
import { createTestApp, TestApp } from '../support/test-app';

describe('response headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  });
  afterAll(() => t.close());

  it('no answer that carries ledger data or a token may be stored by a browser or proxy', async () => {
    const auth = { authorization: `Bearer ${t.adminToken}` };
    const answers = [
      await t.http.get('/api/pledges').set(auth),
      await t.http.get('/api/funding-gap').set(auth),
      await t.http.post('/api/auth/login').send({ email: 'admin@test.local', password: 'admin-password-1' }),
      await t.http.get('/api/pledges/999999').set(auth), // an error answer too
      await t.http.get('/login'),
      await t.http.get('/api/health'),
    ];
    for (const res of answers) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['permissions-policy']).toBe(PERMISSIONS_POLICY);
    }
    expect(PERMISSIONS_POLICY).toContain('camera=()');
    expect(PERMISSIONS_POLICY).toContain('geolocation=()');
  });

  it('the stylesheet may be cached', async () => {
    const res = await t.http.get('/static/styles.css');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
  });
});
