import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PledgeEntity } from '../../src/ledger/pledge.entity';
import { MAX_UPLOADS_IN_FLIGHT } from '../../src/common/http/upload-body';
import { createTestApp, TestApp } from '../support/test-app';
import { makeDonor, seedReferenceData } from '../support/factories';

/** One 49 MB body, shared by every request, so the test itself holds it once. */
const BIG = Buffer.alloc(49 * 1024 * 1024, 'a');

/** Sends `body` over a real socket; resolves with the status (or the error code when the server hung up). */
function send(port: number, path: string, headers: Record<string, string>, body: Buffer): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end(body);
  });
}

describe('large bodies are read only after sign-in, and never more than a few at once', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const countPledges = () => t.dataSource.getRepository(PledgeEntity).count();

  it('24 parallel anonymous 49 MB text bodies: each a 401, the heap does not grow by their size, nothing written', async () => {
    const before = await countPledges();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 20);
    const targets = ['/api/pledges', '/api/import/pledges', '/api/fx-rates/import', '/login'];
    const statuses = await Promise.all(
      Array.from({ length: 24 }, (_, i) => send(port, targets[i % targets.length], { 'content-type': i % 2 ? 'text/plain' : 'text/csv' }, BIG)),
    );
    clearInterval(sampler);
    // Refused before the body is read: 401 for the API, 403 (no CSRF token) or 401 for the form;
    // a client still sending when the answer comes may see the socket closed instead.
    for (const status of statuses) expect([401, 403, 413, 'ECONNRESET', 'EPIPE']).toContain(status);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
    // Before the fix the text parser turned every body into a string: 24 x 49 MB.
    expect(heapPeak - heapBefore).toBeLessThan(100 * 1024 * 1024);
    expect(await countPledges()).toBe(before);
    expect((await t.http.get('/api/health')).status).toBe(200);
  });

  it('a JSON body over the small limit is a 413 naming the body, even to a signed-in admin', async () => {
    const res = await t.http
      .post('/api/pledges')
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ title: 'x', notes: 'y'.repeat(300 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.details).toEqual([{ field: 'body', message: expect.stringContaining('larger than') }]);
  });

  it('a signed-in officer may import, but parallel uploads beyond the cap are a 503 with Retry-After, not a full heap', async () => {
    const officer = await t.tokenFor('officer');
    const before = await countPledges();
    const headers = { authorization: `Bearer ${officer}`, 'content-type': 'text/csv' };
    const statuses = await Promise.all(Array.from({ length: 6 }, () => send(port, '/api/import/pledges?dryRun=true', headers, BIG)));
    // Each body that was read is a CSV of one 49 MB line, which the dry run reports on (200 with
    // its errors, or a 4xx); the others could not be held at once.
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(6 - MAX_UPLOADS_IN_FLIGHT);
    for (const status of statuses) expect([200, 400, 422, 503]).toContain(status);
    const busy = await new Promise<Record<string, string | string[] | undefined>>((resolve) => {
      // Hold the slots with slow uploads, then ask once more and read the headers of the refusal.
      const slow = Array.from({ length: MAX_UPLOADS_IN_FLIGHT }, () => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          path: '/api/import/pledges?dryRun=true',
          method: 'POST',
          headers: { ...headers, 'content-length': '1000' },
        });
        req.on('error', () => undefined);
        req.write('externalRef');
        return req;
      });
      setTimeout(() => {
        const probe = httpRequest(
          { host: '127.0.0.1', port, path: '/api/import/pledges?dryRun=true', method: 'POST', headers: { ...headers, 'content-length': '11' } },
          (res) => {
            res.resume();
            resolve({ status: String(res.statusCode), 'retry-after': res.headers['retry-after'] });
            for (const req of slow) req.destroy();
          },
        );
        probe.end('externalRef');
      }, 300);
    });
    expect(busy).toEqual({ status: '503', 'retry-after': '5' });
    expect(await countPledges()).toBe(before);
  });

  it('a donor user may not import: refused before the body is read', async () => {
    const donor = await t.tokenFor('donor', await makeDonor(t, { name: 'Donor that may not import' }));
    const status = await send(port, '/api/import/pledges', { authorization: `Bearer ${donor}`, 'content-type': 'text/csv' }, BIG);
    expect([403, 'ECONNRESET', 'EPIPE']).toContain(status);
  });
});
