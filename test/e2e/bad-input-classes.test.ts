import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addDays, addYears, todayUtc } from '../../src/common/dates';
import { changedTables, fingerprint, WriteLog } from '../support/fingerprint';
import { createTestApp, TEST_DB, TestApp } from '../support/test-app';
import { makeUser, signInWeb, WebSession } from './web-support';

/**
 * One case for each example of the fuzz review's classes of bad input (the class itself is
 * fuzzed by fuzz.test.ts): each is a 400 naming the field in `details`, and writes nothing
 * (row counts and hashes of every table, and the triggers' write log).
 */
describe(`bad input, by class: refused with the field named, nothing written (${TEST_DB})`, () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let writes: WriteLog;
  let browser: WebSession;
  let donorId: number;
  let pledgeId: number;
  const today = todayUtc();
  const BIG = 2 ** 31;

  interface Answer {
    status: number;
    body: { statusCode?: number; details?: Array<{ field: string; message: string }>; errors?: Array<{ row: number; field: string; message: string }> };
    text?: string;
  }

  /** Sends the request; expects `status` with `field` named (in `details`, or the CSV report's `errors`) and no write at all. */
  async function expectRefused(send: () => PromiseLike<Answer>, field: string, status = 400): Promise<Answer> {
    const before = await fingerprint(t.dataSource);
    await writes.since();
    const res = await send();
    const named = [...(res.body.details ?? []), ...(res.body.errors ?? [])].map((d) => d.field);
    expect({ status: res.status, named }).toEqual({ status, named: expect.arrayContaining([field]) });
    expect({ changed: changedTables(before, await fingerprint(t.dataSource)), logged: await writes.since() }).toEqual({ changed: [], logged: [] });
    return res;
  }

  const patch = (path: string, body: unknown) => () =>
    t.http
      .patch(path)
      .set(admin)
      .send(body as object);
  const post = (path: string, body: unknown) => () =>
    t.http
      .post(path)
      .set(admin)
      .send(body as object);
  const get = (path: string) => () => t.http.get(path).set(admin);
  const pledge = (overrides: Record<string, unknown>) => ({
    donorId,
    title: 'Demining support',
    kind: 'cash',
    amount: '1000.00',
    currency: 'USD',
    pledgedOn: '2024-06-03',
    channel: 'direct',
    priorityCodes: ['P01'],
    ...overrides,
  });

  beforeAll(async () => {
    t = await createTestApp({ seed: true, env: { DIGEST_CRON: 'off', DIGEST_SENDER_INTERVAL_MS: 'off' } });
    admin = { authorization: `Bearer ${t.adminToken}` };
    const pledges = (await t.http.get('/api/pledges?limit=50').set(admin)).body.items as Array<{ id: number; kind: string; status: string; donorId: number }>;
    const open = pledges.find((p) => p.kind === 'cash' && p.status !== 'cancelled' && p.status !== 'fully_disbursed');
    if (!open) throw new Error('the seed has no open cash pledge');
    ({ id: pledgeId, donorId } = open);
    await t.http
      .patch('/api/priorities/P11')
      .set(admin)
      .send({ target: { amount: '5000000.00', currency: 'USD' } })
      .expect(200);
    const user = await makeUser(t, 'admin');
    browser = await signInWeb(t, user.email, user.password);
    writes = await WriteLog.install(t.dataSource);
  }, 120_000);
  afterAll(() => t.close());

  describe('null for a field that cannot be empty', () => {
    it.each(['title', 'status', 'receiptExpectation', 'priorityCodes', 'priorityShares'])('PATCH /api/pledges/:id {"%s": null}', async (field) => {
      const res = await expectRefused(patch(`/api/pledges/${pledgeId}`, { [field]: null, notes: 'changed alongside' }), field);
      expect(res.body.details).toContainEqual({ field, message: `${field} cannot be null: leave it out instead` });
    });

    it.each(['name', 'type', 'displayCurrency'])('PATCH /api/donors/:id {"%s": null}', async (field) => {
      await expectRefused(patch(`/api/donors/${donorId}`, { [field]: null }), field);
    });

    it('still clears a field that may be empty with null', async () => {
      expect((await t.http.patch(`/api/donors/${donorId}`).set(admin).send({ countryCode: null })).body).toMatchObject({ countryCode: null });
      expect((await t.http.patch(`/api/pledges/${pledgeId}`).set(admin).send({ notes: null })).body).toMatchObject({ notes: null });
      // A channel of null records that the source does not say one.
      expect((await t.http.patch(`/api/pledges/${pledgeId}`).set(admin).send({ channel: null, receiptDueOn: null })).body).toMatchObject({
        channel: null,
        receiptDueOn: null,
      });
    });
  });

  describe('an empty PATCH body', () => {
    it('is refused on every PATCH route', async () => {
      await expectRefused(patch(`/api/pledges/${pledgeId}`, {}), 'body');
      await expectRefused(patch(`/api/donors/${donorId}`, {}), 'body');
      await expectRefused(patch('/api/priorities/P11', {}), 'target');
      await expectRefused(() => t.http.patch(`/api/pledges/${pledgeId}`).set(admin), 'body');
    });

    it('leaves P11 its target', async () => {
      const p11 = (await t.http.get('/api/priorities').set(admin)).body.find((p: { code: string }) => p.code === 'P11');
      expect(p11.target).toEqual({ amount: '5000000.00', currency: 'USD' });
    });
  });

  describe('ids outside 1..2147483647', () => {
    it.each([
      ['GET', '/api/pledges/2147483648', 'id'],
      ['GET', '/api/donors/2147483648', 'id'],
      ['PATCH', '/api/donors/2147483648', 'id'],
      ['PATCH', '/api/pledges/99999999999', 'id'],
      ['POST', '/api/pledges/2147483648/disbursements', 'id'],
      ['POST', '/api/pledges/2147483648/cancel', 'id'],
      ['POST', '/api/donors/2147483648/contacts', 'id'],
      ['GET', '/api/digests/preview/2147483648', 'donorId'],
      ['GET', '/api/pledges/0', 'id'],
    ])('%s %s in the path', async (method, path, field) => {
      const body =
        method === 'GET'
          ? undefined
          : { title: 'Valid title', name: 'Valid name', reason: 'Valid reason', amount: '1.00', receivedOn: today, email: 'x@y.example' };
      await expectRefused(
        () => (method === 'GET' ? t.http.get(path) : method === 'PATCH' ? t.http.patch(path) : t.http.post(path)).set(admin).send(body),
        field,
      );
    });

    it('in a page address', async () => {
      const res = await expectRefused(
        () => browser.get('/pledges/2147483648').then((r) => ({ status: r.status, body: { details: detailsOnPage(r.text) } })),
        'id',
      );
      expect(res.status).toBe(400);
    });

    it('in bodies', async () => {
      await expectRefused(post('/api/pledges', pledge({ donorId: BIG })), 'donorId');
      await expectRefused(post('/api/users', { email: 'big@ids.example', password: 'long-enough-1', role: 'donor', donorId: BIG }), 'donorId');
      await expectRefused(post('/api/digests/run', { period: '2025-03', donorIds: [1, BIG] }), 'donorIds');
    });

    it('in queries and cursors', async () => {
      await expectRefused(get(`/api/pledges?donorId=${BIG}`), 'donorId');
      await expectRefused(get(`/api/donors?cursor=${Buffer.from(String(BIG)).toString('base64url')}`), 'cursor');
      await expectRefused(get(`/api/pledges?cursor=${Buffer.from('99999999999999').toString('base64url')}`), 'cursor');
    });

    it('and an id with a space, sign, leading zero or decimals: /api/pledges/%201 is not pledge 1', async () => {
      for (const id of ['%201', '1%20', '+1', '01', '1.0', '1e0']) await expectRefused(get(`/api/pledges/${id}`), 'id');
      await expectRefused(patch(`/api/donors/%20${donorId}`, { name: 'Not renamed' }), 'id');
    });
  });

  describe('NUL and control characters', () => {
    it('in a title, created or edited', async () => {
      const res = await expectRefused(post('/api/pledges', pledge({ title: 'Demining\u0000 support' })), 'title');
      expect(res.body.details).toContainEqual({ field: 'title', message: 'title must not contain NUL characters' });
      await expectRefused(patch(`/api/pledges/${pledgeId}`, { title: 'Demining\u0000' }), 'title');
      await expectRefused(patch(`/api/pledges/${pledgeId}`, { notes: 'bell\u0007' }), 'notes');
    });

    it('in a query string', async () => {
      await expectRefused(get('/api/pledges?status=committed%00'), 'status');
      await expectRefused(get('/api/audit?entityType=pledge%00'), 'entityType');
    });

    it('in the pledge form', async () => {
      const res = await expectRefused(
        () =>
          browser
            .post('/pledges/new', {
              donorId: String(donorId),
              title: 'Demining\u0000',
              kind: 'cash',
              amount: '10.00',
              currency: 'USD',
              status: 'announced',
              channel: 'direct',
            })
            .then((r) => ({ status: r.status, body: { details: detailsOnPage(r.text) } })),
        'title',
      );
      expect(res.status).toBe(400);
    });

    it('in a CSV file: the dry run refuses what the import would', async () => {
      const csv = [
        'externalRef,donor,title,kind,amount,currency,pledgedOn,channel',
        `NUL-1,Italy,Demining\u0000 support,cash,10.00,USD,2024-01-16,direct`,
        `FAR-1,Italy,Far future,cash,10.00,USD,2999-01-16,direct`,
      ].join('\r\n');
      const send = (dryRun: boolean) => () => t.http.post(`/api/import/pledges?dryRun=${dryRun}`).set(admin).set('content-type', 'text/csv').send(csv);
      const dry = await expectRefused(send(true), 'title', 200);
      expect(dry.body.errors).toEqual(
        expect.arrayContaining([
          { row: 2, field: 'title', message: 'title must not contain NUL characters' },
          { row: 3, field: 'pledgedOn', message: expect.stringMatching(/^pledgedOn must be a date from 1990-01-01 to /) },
        ]),
      );
      const real = await expectRefused(send(false), 'row 2: title', 422);
      expect(real.body.errors).toEqual(dry.body.errors);
    });
  });

  describe('blank, multi-line and far-off values', () => {
    it('an all-blank title is refused, not stored as ""', async () => {
      await expectRefused(post('/api/pledges', pledge({ title: '   ' })), 'title');
      await expectRefused(patch(`/api/pledges/${pledgeId}`, { title: ' \t ' }), 'title');
    });

    it('dates in the year 2999', async () => {
      await expectRefused(post('/api/pledges', pledge({ pledgedOn: '2999-01-01' })), 'pledgedOn');
      await expectRefused(patch(`/api/pledges/${pledgeId}`, { sourceDate: '2999-01-01' }), 'sourceDate');
      await expectRefused(post(`/api/pledges/${pledgeId}/disbursements`, { amount: '1.00', receivedOn: '2999-01-01' }), 'receivedOn');
      await expectRefused(post('/api/fx-rates', { base: 'USD', quote: 'AZN', rate: '1.7000', date: '2999-01-01', source: 'CBAR' }), 'date');
      await expectRefused(get('/api/funding-gap?asOf=2999-01-01'), 'asOf');
    });

    it('dates just past each range, and the last date each range allows', async () => {
      await expectRefused(post('/api/pledges', pledge({ pledgedOn: '1989-12-31' })), 'pledgedOn');
      await expectRefused(post('/api/pledges', pledge({ pledgedOn: addDays(addYears(today, 10), 1) })), 'pledgedOn');
      await expectRefused(post(`/api/pledges/${pledgeId}/disbursements`, { amount: '1.00', receivedOn: addDays(today, 1) }), 'receivedOn');
      await expectRefused(post('/api/fx-rates', { base: 'USD', quote: 'AZN', rate: '1.7000', date: addDays(today, 2), source: 'CBAR' }), 'date');
      const planned = await t.http
        .post('/api/pledges')
        .set(admin)
        .send(pledge({ title: 'Planned pledge', pledgedOn: addYears(today, 10), currency: 'USD' }));
      expect(planned.status).toBe(201);
    });

    it('a line break in a donor name', async () => {
      await expectRefused(post('/api/donors', { name: 'Line\r\nBreak Foundation', type: 'foundation' }), 'name');
      await expectRefused(patch(`/api/donors/${donorId}`, { name: 'Line\nBreak' }), 'name');
    });
  });

  describe('a list where an object belongs', () => {
    it('inKind as an array', async () => {
      const res = await expectRefused(
        post('/api/pledges', pledge({ kind: 'in_kind', amount: undefined, currency: undefined, inKind: [{ quantity: 8, unit: 'dogs' }] })),
        'inKind',
      );
      expect(res.body.details).toContainEqual({ field: 'inKind', message: 'inKind must be a JSON object { … }, not a list or a single value' });
    });

    it('a priority target as an array', async () => {
      await expectRefused(patch('/api/priorities/P11', { target: [{ amount: '1.00', currency: 'USD' }] }), 'target');
    });
  });
});

/** The fields a page names: an error beside a form field (`id="<field>-error"`), or a message of the error page's list, which starts with the field. */
function detailsOnPage(html: string | undefined): Array<{ field: string; message: string }> {
  const text = html ?? '';
  const besideFields = [...text.matchAll(/id="([A-Za-z.]+)-error">([^<]*)</g)].map((m) => ({ field: m[1], message: m[2] }));
  const listed = [...text.matchAll(/<li>([A-Za-z.]+) ([^<]*)<\/li>/g)].map((m) => ({ field: m[1], message: `${m[1]} ${m[2]}` }));
  return [...besideFields, ...listed];
}
