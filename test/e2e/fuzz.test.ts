import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { todayUtc } from '../../src/common/dates';
import { createTestApp, TEST_DB, TestApp } from '../support/test-app';
import { changedTables, Fingerprint, fingerprint, unloggedChanges, WriteLog } from '../support/fingerprint';
import { formBody, makeUser, signInWeb, WebSession } from './web-support';

/**
 * Property-based fuzzing of every route of the app, on the seeded ledger.
 *
 * The routes come from the app's own route table (the Express router Nest filled), so a route
 * added tomorrow is fuzzed without editing this file. Each generated request goes to one route
 * as one role (admin, officer, leadership, donor, anonymous, or the admin's browser session with
 * its CSRF token) and carries bad input in the path (huge, negative, fractional, padded, encoded
 * ids), the query, and the body (nulls, lists for objects, wrong types, NUL and control
 * characters, blanks, far dates, deep and large bodies within the limits, unknown fields), most
 * often one or two fields of an otherwise valid body so that each field's own rule is reached.
 *
 * The properties: no request is answered with a 5xx; a refused request (4xx) changes nothing
 * (row counts and row hashes of every table before and after, and the write log of triggers on
 * every table; support/fingerprint.ts); a read (GET) changes nothing whatever it answers; an /api
 * error has the contract's body. Full hashes of every table around the whole run show that the
 * write log missed nothing.
 *
 * FUZZ_RUNS (default 1000) generated requests per run, after a fixed sweep of every route;
 * FUZZ_SEED (default below) makes a run repeatable: a failure prints the seed, the path to the
 * failing case and the request.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

type Role = 'admin' | 'officer' | 'leadership' | 'donor' | 'anonymous' | 'browser';

interface Route {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
}

interface FuzzRequest {
  route: Route;
  role: Role;
  path: string;
  query: string;
  body?: { type: 'json' | 'form' | 'csv'; text: string };
  idempotencyKey?: string;
}

/** Routes left out, and why: signing out would end the sessions the fuzzer works with. */
const NOT_FUZZED = new Set(['post /api/auth/logout', 'post /logout']);

/** Reads that write by design: following an unsubscribe link stops a contact's digests. */
const WRITING_READS = new Set(['get /digests/unsubscribe']);

interface ExpressLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  name?: string;
  handle?: { stack?: ExpressLayer[] };
}

/** Every route of the app, from the Express router that Nest registered them on. */
function routeTable(t: TestApp): Route[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  const routes: Route[] = [];
  const walk = (stack: ExpressLayer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path]) {
          for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') routes.push({ method: method as Route['method'], path });
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk(express.router.stack);
  return routes.filter((r) => !NOT_FUZZED.has(`${r.method} ${r.path}`));
}

const isApi = (route: Route) => route.path.startsWith('/api/');
const routeKey = (route: Route) => `${route.method} ${route.path}`;

// ---------------------------------------------------------------------------------------------
// Values

const today = todayUtc();

/** Ids as they may be written in a path or query: out of range, signed, padded, fractional, encoded. */
const BAD_ID_TEXT = [
  '0',
  '-1',
  '01',
  '+1',
  '%201',
  '1%20',
  '1.5',
  '1e3',
  '0x1A',
  '2147483648',
  '4294967296',
  '99999999999999999999',
  'abc',
  '%00',
  '1%00',
  '%0A1',
  '1%0D%0A',
  'NaN',
  'Infinity',
  '%E0%A4%A',
  '%FF',
  '1,2',
  '%5B1%5D',
  '%C2%A01',
];

const DEEP = (depth: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

/** What a bad field value looks like, by class: each class is likely on its own, so every rule is reached often. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>([], [null], {}, [{}], [{ quantity: 1, unit: 'x' }], ['P01', 'P01'], DEEP(12), true, false) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      '',
      '   ',
      '\u0000',
      'a\u0000b',
      'tab\there',
      'line\r\nbreak',
      'para\u2028graph',
      'lone \ud800 surrogate',
      'del\u007f',
      'esc\u001b[31m',
      'x'.repeat(5000),
      "' OR 1=1 --",
      '<script>alert(1)</script>',
      '=HYPERLINK("http://evil.example")',
      'javascript:alert(1)',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(2147483648, 2 ** 53, -1, 0, 1.5, 1e308, '7', '2147483648', '-5.00', '1e6', '0x10') },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '2999-01-01',
      '0001-01-01',
      '1989-12-31',
      '2024-02-30',
      '9999-12-31',
      `${Number(today.slice(0, 4)) + 11}${today.slice(4)}`,
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.jsonValue({ maxDepth: 2 })) },
);

/** A value with no structure: a form field or a query parameter. */
const badText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ...BAD_ID_TEXT.map(decodeSafe),
      '',
      '   ',
      'a\u0000b',
      'x\r\ny',
      '2999-01-01',
      '1989-12-31',
      'x'.repeat(3000),
      'P1\u0000',
      'null',
      '[]',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
);

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const QUERY_KEYS = [
  'donorId',
  'status',
  'priorityCode',
  'currency',
  'displayCurrency',
  'asOf',
  'limit',
  'cursor',
  'dryRun',
  'createDonors',
  'format',
  'period',
  'entityType',
  'entityId',
  'token',
  'next',
  'sort',
  'recorded',
  'queued',
  'amount',
  'from',
  'to',
  'date',
  'unknown',
];

const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom(...QUERY_KEYS),
          fc.oneof(
            fc.constantFrom(...BAD_ID_TEXT),
            badText.map((v) => encodeURIComponent(v)),
            fc.constantFrom('2147483648', 'MjE0NzQ4MzY0OA', 'MDE', 'true', 'USD', 'P01', today),
          ),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  },
);

// ---------------------------------------------------------------------------------------------
// Bodies: a valid body per route, so that one bad field is judged by its own rule

interface Fixtures {
  donorId: number;
  pledgeIds: number[];
  inKindPledgeIds: number[];
}

function templates(f: Fixtures): Record<string, Record<string, unknown>> {
  const pledge = {
    donorId: f.donorId,
    title: 'Fuzzed pledge',
    kind: 'cash',
    amount: '1000.00',
    currency: 'USD',
    pledgedOn: '2024-06-03',
    status: 'announced',
    channel: 'direct',
    priorityCodes: ['P01'],
    notes: 'fuzz',
  };
  return {
    'post /api/auth/login': { email: 'nobody@fuzz.example', password: 'not-the-password' },
    'post /api/users': { email: 'fuzzed@fuzz.example', password: 'fuzz-password-123', role: 'donor', donorId: f.donorId },
    'post /api/donors': { name: 'Fuzzed donor', type: 'government', countryCode: 'DK', notes: 'fuzz', contacts: [{ email: 'desk@fuzz.example' }] },
    'patch /api/donors/:id': { name: 'Renamed by the fuzzer', type: 'government', displayCurrency: 'USD', notes: 'fuzz', countryCode: 'DK' },
    'post /api/donors/:id/contacts': { name: 'Desk', email: 'desk2@fuzz.example', digestEnabled: true },
    'post /api/pledges': pledge,
    'post /api/pledges#in kind': { ...pledge, kind: 'in_kind', amount: undefined, currency: undefined, inKind: { quantity: 8, unit: 'dogs', upTo: false } },
    'patch /api/pledges/:id': {
      title: 'Edited by the fuzzer',
      status: 'committed',
      channel: 'direct',
      notes: 'fuzz',
      pledgedOn: '2024-06-04',
      priorityCodes: ['P01'],
      priorityShares: ['100'],
    },
    'post /api/pledges/:id/disbursements': { amount: '1.00', currency: 'USD', receivedOn: today, reference: 'FUZZ-1' },
    'post /api/pledges/:id/cancel': { reason: 'x' },
    'patch /api/priorities/:code': { target: { amount: '1000000.00', currency: 'USD' } },
    'post /api/fx-rates': { base: 'USD', quote: 'AZN', rate: '1.7000', date: '2019-01-01', source: 'Fuzz bank' },
    'post /api/government-spend': {
      amount: '1.00',
      currency: 'AZN',
      asAt: '2020-12-31',
      basis: 'spent',
      periodStart: '2020-01-01',
      source: 'Fuzz report',
      sourcePage: 'p. 1',
    },
    'post /api/government-spend#version 1': { amount: '1.00', currency: 'AZN', periodStart: '2020-01-01', periodEnd: '2020-12-31', source: 'Fuzz report' },
    'post /api/reported-figures': { key: 'foreign_share', value: '0.048', asOf: '2025-03-31', source: 'Fuzz report', sourcePage: 'p. 1' },
    'post /api/digests/run': { period: '2025-03', donorIds: [f.donorId] },
    'post /pledges/new': {
      donorId: String(f.donorId),
      title: 'Fuzzed form pledge',
      kind: 'cash',
      amount: '1,000.00',
      currency: 'USD',
      pledgedOn: '2024-06-03',
      status: 'announced',
      channel: 'direct',
      priorityCodes: 'P01',
    },
    'post /pledges/:id/edit': { title: 'Edited in the form', status: 'announced', channel: 'direct', pledgedOn: '2024-06-03', priorityCodes: 'P01' },
    'post /pledges/:id/disbursements': { amount: '1.00', currency: 'USD', receivedOn: today, reference: 'FORM-1' },
    'post /pledges/:id/cancel': { reason: 'x' },
    'post /users': { email: 'invited@fuzz.example', password: 'fuzz-password-123', role: 'officer' },
    'post /digests/run': { period: '2025-03' },
    'post /login': { email: 'nobody@fuzz.example', password: 'not-the-password' },
  };
}

/** The fields of a template, nested ones dotted ("inKind.unit"), and some that no DTO has. */
function fieldsOf(template: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(template).flatMap(([key, value]) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? [`${prefix}${key}`, ...fieldsOf(value as Record<string, unknown>, `${prefix}${key}.`)]
      : [`${prefix}${key}`],
  );
}

function setField(body: Record<string, unknown>, field: string, value: unknown, remove: boolean): void {
  const parts = field.split('.');
  let target = body;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    if (!next || typeof next !== 'object' || Array.isArray(next)) return;
    target = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (remove) delete target[last];
  else Object.defineProperty(target, last, { value, enumerable: true, writable: true, configurable: true });
}

const EXTRA_FIELDS = ['unknownField', '__proto__', 'constructor', 'id', 'createdAt', 'amountMinor', 'inKind', 'inKind.unit', 'target.amount', '_csrf'];

/** A JSON body for a route: its template with a few fields broken, or a body that is wrong as a whole. */
function jsonBody(template: Record<string, unknown> | undefined): fc.Arbitrary<string> {
  const own = fieldsOf(template ?? {});
  const fields = [...own, ...EXTRA_FIELDS];
  const field = own.length
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: fc.constantFrom(...EXTRA_FIELDS) })
    : fc.constantFrom(...fields);
  const mutated = fc
    .array(fc.record({ field, value: badValue, remove: fc.constantFrom(false, false, false, true) }), {
      minLength: 1,
      maxLength: 3,
    })
    .chain((edits) =>
      fc.constantFrom(false, false, false, true).map((dropOthers) => {
        const body = dropOthers ? {} : structuredClone<Record<string, unknown>>(template ?? {});
        for (const e of edits) setField(body, e.field, e.value, e.remove);
        return JSON.stringify(body);
      }),
    );
  const removed = fc.constantFrom(...fields).map((field) => {
    const body = structuredClone<Record<string, unknown>>(template ?? {});
    setField(body, field, undefined, true);
    return JSON.stringify(body);
  });
  const whole = fc.oneof(
    fc.constantFrom('{}', '[]', 'null', '"text"', '123', '[{}]', '{"a":', '{"a":1}}', JSON.stringify(DEEP(40)), JSON.stringify(DEEP(31))),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constant(JSON.stringify({ ...(template ?? {}), notes: 'n'.repeat(900_000) })),
    fc.constant(JSON.stringify([template ?? {}])),
  );
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 2, arbitrary: removed }, { weight: 2, arbitrary: whole });
}

/** A form body: the template's fields as text, a few broken. */
function formBodyOf(template: Record<string, unknown> | undefined): fc.Arbitrary<string> {
  const fields = [...Object.keys(template ?? {}), 'unknownField', 'idempotencyKey', 'inKindQuantity', 'inKindUnit', 'unitValueAmount'];
  return fc.array(fc.tuple(fc.constantFrom(...fields), fc.oneof(badText, fc.array(badText, { maxLength: 3 }))), { minLength: 1, maxLength: 3 }).map((edits) => {
    const form: Record<string, string | string[]> = Object.fromEntries(Object.entries(template ?? {}).map(([k, v]) => [k, String(v)]));
    for (const [field, value] of edits) form[field] = value;
    return formBody(form);
  });
}

const CSV_HEADER = 'externalRef,donor,title,kind,amount,currency,pledgedOn,status,channel,priorityCodes,notes';

/** A pledges CSV with one or two bad cells, or an ECB rates file with a bad date or rate. */
function csvBody(route: Route): fc.Arbitrary<string> {
  const cell = fc.oneof(badText, fc.constantFrom('', '"a\nb"', '"a""b"', "'=1+1", '2999-01-01', 'Italy'));
  if (route.path.includes('fx-rates')) {
    return fc.tuple(cell, cell).map(([date, rate]) => `Date,USD,JPY,\n${date},${rate},160.5,\n`);
  }
  return fc.tuple(fc.integer({ min: 0, max: 10 }), cell, fc.string({ unit: 'binary', maxLength: 8 })).map(([column, bad, ref]) => {
    const cells = [
      `FUZZ-${ref.replace(/[",\r\n]/g, '')}`,
      'Italy',
      'Fuzzed import',
      'cash',
      '10.00',
      'USD',
      '2024-01-16',
      'announced',
      'direct',
      'P01',
      'fuzz',
    ];
    cells[column] = bad.includes('"') || /[,\r\n]/.test(bad) ? `"${bad.replace(/"/g, '""')}"` : bad;
    return `${CSV_HEADER}\r\n${cells.join(',')}\r\n`;
  });
}

/** A value for a path parameter: a real record most of the time, so that the body is reached. */
function pathParam(name: string, route: Route, f: Fixtures): fc.Arbitrary<string> {
  let good: string[];
  if (name === 'code') good = ['P11', 'P01'];
  else if (name === 'table') good = ['by-priority', 'by-donor', 'rates'];
  else if (name === 'donorId' || route.path.includes('donors')) good = [String(f.donorId)];
  else if (route.path.includes('disbursements') || route.path.includes('cancel')) good = [...f.pledgeIds, ...f.inKindPledgeIds].map(String);
  else good = [...f.pledgeIds.slice(0, 2), ...f.inKindPledgeIds.slice(0, 1), 1].map(String);
  return fc.oneof(
    { weight: route.method === 'get' ? 3 : 6, arbitrary: fc.constantFrom(...good) },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_ID_TEXT, 'P99', 'p11', 'P1', 'by-nothing') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((s) => encodeURIComponent(s) || '%20') },
  );
}

function requestFor(route: Route, f: Fixtures, bodies: Record<string, Record<string, unknown>>): fc.Arbitrary<FuzzRequest> {
  const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
  const path = fc
    .tuple(...params.map((p) => pathParam(p, route, f)))
    .map((values) => params.reduce((p, name, i) => p.replace(`:${name}`, values[i]), route.path));
  const variants = Object.entries(bodies)
    .filter(([key]) => key === routeKey(route) || key.startsWith(`${routeKey(route)}#`))
    .map(([, template]) => template);
  const template = fc.constantFrom(...(variants.length ? variants : [undefined]));
  const csv = route.path.includes('/import');
  const body: fc.Arbitrary<FuzzRequest['body']> =
    route.method === 'get'
      ? fc.constant(undefined)
      : csv
        ? fc.oneof(
            { weight: 4, arbitrary: csvBody(route).map((text) => ({ type: 'csv' as const, text })) },
            { weight: 1, arbitrary: jsonBody({}).map((text) => ({ type: 'json' as const, text })) },
          )
        : isApi(route)
          ? template.chain(jsonBody).map((text) => ({ type: 'json' as const, text }))
          : template.chain(formBodyOf).map((text) => ({ type: 'form' as const, text }));
  // Mostly roles that may write, so that bodies are judged rather than refused for the role.
  const roles: Role[] = isApi(route)
    ? ['admin', 'admin', 'admin', 'officer', 'officer', 'leadership', 'donor', 'anonymous']
    : ['browser', 'browser', 'browser', 'anonymous'];
  return fc.record({
    route: fc.constant(route),
    role: fc.constantFrom(...roles),
    path,
    query: route.path.includes('/import') ? fc.constantFrom('dryRun=true', 'dryRun=false', '', 'format=ecb', 'dryRun=maybe') : query,
    body,
    idempotencyKey: fc.option(fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'x'.repeat(300)), { nil: undefined }),
  });
}

// ---------------------------------------------------------------------------------------------

describe(`fuzzing every route with bad input (${TEST_DB})`, () => {
  let t: TestApp;
  let routes: Route[];
  let fixtures: Fixtures;
  let bodies: Record<string, Record<string, unknown>>;
  const tokens: Partial<Record<Role, string>> = {};
  let browser: WebSession;
  let current: Fingerprint;
  let start: Fingerprint;
  let writes: WriteLog;
  let sent = 0;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await createTestApp({ seed: true, env: { DIGEST_CRON: 'off', DIGEST_SENDER_INTERVAL_MS: 'off' } });
    routes = routeTable(t);
    const admin = { authorization: `Bearer ${t.adminToken}` };
    const pledges = (await t.http.get('/api/pledges?limit=200').set(admin)).body.items as Array<{ id: number; kind: string; status: string; donorId: number }>;
    const open = pledges.filter((p) => p.status !== 'cancelled');
    fixtures = {
      donorId: open[0].donorId,
      pledgeIds: open.filter((p) => p.kind === 'cash').map((p) => p.id),
      inKindPledgeIds: open.filter((p) => p.kind === 'in_kind').map((p) => p.id),
    };
    bodies = templates(fixtures);
    tokens.admin = t.adminToken;
    tokens.officer = await t.tokenFor('officer');
    tokens.leadership = await t.tokenFor('leadership');
    tokens.donor = await t.tokenFor('donor', fixtures.donorId);
    const webAdmin = await makeUser(t, 'admin');
    browser = await signInWeb(t, webAdmin.email, webAdmin.password);
    // Things done once on first use, before the baseline: the unsubscribe links' signing key.
    await t.http.post('/api/digests/unsubscribe?token=warm-up');
    writes = await WriteLog.install(t.dataSource);
    start = await fingerprint(t.dataSource, { full: true });
    current = await fingerprint(t.dataSource);
  }, 120_000);

  afterAll(async () => {
    console.log(`fuzz (${TEST_DB}): ${sent} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    await t?.close();
  });

  async function send(r: FuzzRequest) {
    const url = r.query ? `${r.path}?${r.query}` : r.path;
    let req = t.http[r.route.method](url);
    if (r.role === 'browser') {
      req = req.set('accept', 'text/html').set('cookie', [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    } else if (r.role !== 'anonymous') req = req.set('authorization', `Bearer ${tokens[r.role]}`);
    if (r.idempotencyKey) req = req.set('idempotency-key', r.idempotencyKey);
    if (r.body?.type === 'json') req = req.set('content-type', 'application/json').send(r.body.text);
    else if (r.body?.type === 'csv') req = req.set('content-type', 'text/csv').send(r.body.text);
    else if (r.body?.type === 'form')
      req = req.type('form').send(r.role === 'browser' ? `${r.body.text}&_csrf=${encodeURIComponent(browser.csrf)}` : r.body.text);
    return req;
  }

  /** Sends one request and checks the properties; throws with everything needed to reproduce it. */
  async function check(r: FuzzRequest): Promise<void> {
    const res = await send(r);
    sent++;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const after = await fingerprint(t.dataSource);
    const changed = [...changedTables(current, after), ...(await writes.since())];
    current = after;
    const refused = res.status >= 400 && res.status < 500;
    const read = r.route.method === 'get' && !WRITING_READS.has(routeKey(r.route));
    const problems: string[] = [];
    if (res.status >= 500) problems.push(`answered ${res.status}`);
    if (r.route.method === 'patch' && (r.body?.text === '{}' || r.body?.text === '[]') && res.status < 400)
      problems.push(`an empty PATCH body was accepted (${res.status})`);
    if (changed.length && (refused || read)) problems.push(`a ${refused ? 'refused request' : 'read'} (${res.status}) changed ${changed.join(', ')}`);
    if (isApi(r.route) && res.status >= 400 && res.type === 'application/json') {
      const b = res.body as { statusCode?: unknown; error?: unknown; message?: unknown; details?: unknown };
      if (b.statusCode !== res.status || typeof b.error !== 'string' || typeof b.message !== 'string' || !Array.isArray(b.details)) {
        problems.push('the error body is not the contract’s {statusCode, error, message, details}');
      }
    }
    if (problems.length) {
      throw new Error(
        `${problems.join('; ')}\n  ${r.route.method.toUpperCase()} ${r.query ? `${r.path}?${r.query}` : r.path} as ${r.role}` +
          `${r.body ? `\n  body (${r.body.type}): ${r.body.text.slice(0, 600)}` : ''}\n  answer: ${(res.text ?? '').slice(0, 600)}`,
      );
    }
  }

  it('reads the route table: every API and page route, with its method', () => {
    const keys = routes.map(routeKey);
    expect(keys).toEqual(
      expect.arrayContaining([
        'post /api/pledges',
        'patch /api/pledges/:id',
        'patch /api/donors/:id',
        'patch /api/priorities/:code',
        'post /api/import/pledges',
        'get /api/digests/preview/:donorId',
        'post /pledges/:id/edit',
        'post /users',
        'get /donors/:id',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(50);
  });

  it('answers a fixed sweep of bad input on every route without a 5xx or a write', async () => {
    const sweep: FuzzRequest[] = [];
    for (const route of routes) {
      const role: Role = isApi(route) ? 'admin' : 'browser';
      const withIds = (id: string) => route.path.replace(/:[A-Za-z]+/g, id);
      if (route.path.includes(':'))
        for (const id of ['2147483648', '%201', '-1', '1.5', '01', '%00']) sweep.push({ route, role, path: withIds(id), query: '' });
      const good = route.path
        .replace(/:code/, 'P11')
        .replace(/:table/, 'by-donor')
        .replace(/:[A-Za-z]+/g, String(fixtures.pledgeIds[0]));
      sweep.push({ route, role, path: good, query: 'donorId=2147483648&cursor=MjE0NzQ4MzY0OA&asOf=2999-01-01&limit=%00&period=%0A' });
      if (route.method === 'get') continue;
      const type = isApi(route) ? 'json' : 'form';
      const template = bodies[routeKey(route)] ?? {};
      const encode = (o: Record<string, unknown>) => (type === 'json' ? JSON.stringify(o) : formBody(o as Record<string, string>));
      const nulls = Object.fromEntries(Object.keys(template).map((k) => [k, type === 'json' ? null : 'a\u0000b']));
      for (const body of [{}, nulls, { ...template, title: '\u0000', name: 'a\r\nb', inKind: [{ quantity: 1, unit: 'x' }] }])
        sweep.push({ route, role, path: good, query: '', body: { type, text: encode(body) } });
    }
    for (const r of sweep) await check(r);
    expect(sweep.length).toBeGreaterThan(routes.length * 2);
  }, 300_000);

  it(`answers ${RUNS} generated requests without a 5xx, and a refused one writes nothing`, async () => {
    // Writes three times as often as reads: most rules are about bodies.
    const request = fc.oneof(...routes.map((route) => ({ weight: route.method === 'get' ? 1 : 3, arbitrary: requestFor(route, fixtures, bodies) })));
    const before = sent;
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          await check(r);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } catch (error) {
      const cause = (error as Error).cause as Error | undefined;
      throw new Error(
        `Fuzzing failed; repeat with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} TEST_DB=${TEST_DB}\n${(error as Error).message}\n${cause?.message ?? ''}`,
        { cause: error },
      );
    }
    expect(sent - before).toBeGreaterThanOrEqual(RUNS);
  }, 600_000);

  it('leaves the app answering, and every change to the tables over the run was in the write log', async () => {
    expect((await t.http.get('/api/health')).body).toEqual({ status: 'ok', db: 'up' });
    expect(await unloggedChanges(start, await fingerprint(t.dataSource, { full: true }), writes)).toEqual([]);
  });
});
