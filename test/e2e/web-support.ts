import type { TestApp } from '../support/test-app';

/** A browser's state in supertest: its cookies, and the CSRF token of the last page it loaded. */
export interface WebSession {
  cookies: Map<string, string>;
  csrf: string;
  get(path: string): Promise<import('supertest').Response>;
  post(path: string, form: Record<string, string | string[]>): Promise<import('supertest').Response>;
  /** A file upload form (multipart), its CSRF token in the action URL as the page writes it. */
  upload(path: string, file: { name: string; content: string | Buffer } | null, fields?: Record<string, string>): Promise<import('supertest').Response>;
}

function storeCookies(jar: Map<string, string>, setCookie: string[] | string | undefined): void {
  for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field on the page');
  return match[1];
}

/** Form-encodes like a browser, repeating a name for each value of an array. */
export function formBody(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  return params.toString();
}

export function newWebSession(t: TestApp): WebSession {
  const session: WebSession = {
    cookies: new Map(),
    csrf: '',
    async get(path) {
      const res = await t.http.get(path).set('accept', 'text/html').set('cookie', cookieHeader(session.cookies));
      storeCookies(session.cookies, res.headers['set-cookie']);
      const token = /name="_csrf" value="([^"]+)"/.exec(res.text ?? '');
      if (token) session.csrf = token[1];
      return res;
    },
    async post(path, form) {
      const res = await t.http
        .post(path)
        .set('accept', 'text/html')
        .set('cookie', cookieHeader(session.cookies))
        .type('form')
        .send(formBody({ _csrf: session.csrf, ...form }));
      storeCookies(session.cookies, res.headers['set-cookie']);
      const token = /name="_csrf" value="([^"]+)"/.exec(res.text ?? '');
      if (token) session.csrf = token[1];
      return res;
    },
    async upload(path, file, fields = {}) {
      const url = `${path}${path.includes('?') ? '&' : '?'}_csrf=${encodeURIComponent(session.csrf)}`;
      let req = t.http.post(url).set('accept', 'text/html').set('cookie', cookieHeader(session.cookies));
      for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
      if (file) req = req.attach('file', Buffer.from(file.content), { filename: file.name, contentType: 'text/csv' });
      else req = req.field('file', '');
      const res = await req;
      storeCookies(session.cookies, res.headers['set-cookie']);
      const token = /name="_csrf" value="([^"]+)"/.exec(res.text ?? '');
      if (token) session.csrf = token[1];
      return res;
    },
  };
  return session;
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Signs in through the form and follows the redirect, as a browser would (which also fetches a CSRF token bound to the new session). */
export async function signInWeb(t: TestApp, email: string, password: string): Promise<WebSession> {
  const session = newWebSession(t);
  await session.get('/login');
  const res = await session.post('/login', { email, password });
  if (res.status !== 303) throw new Error(`web sign-in as ${email} failed: ${res.status} ${res.text?.slice(0, 300)}`);
  await session.get(res.headers.location);
  return session;
}

/** Creates a user of a role through the API and returns its credentials. */
export async function makeUser(t: TestApp, role: 'admin' | 'officer' | 'leadership' | 'donor', donorId?: number) {
  const email = `${role}-${Math.random().toString(36).slice(2, 10)}@web.test`;
  const password = `${role}-password-123`;
  const res = await t.http.post('/api/users').set('authorization', `Bearer ${t.adminToken}`).send({ email, password, role, donorId });
  if (res.status !== 201) throw new Error(`creating ${role}: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, password, id: res.body.id as number };
}
