import type { Browser } from 'playwright-core';
import { createTestApp, TestApp } from '../../support/test-app';
import { launchChromium, serveForBrowser } from './chromium';

export interface SeededBrowserApp {
  t: TestApp;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The app on the report's data, served on loopback, with one signed-up user of `role` (password `browser-password-1`) and Chromium launched. */
export async function seededBrowserApp(email: string, role: 'admin' | 'officer' | 'leadership' | 'donor'): Promise<SeededBrowserApp> {
  const t = await createTestApp({ seed: true });
  const user = await t.http.post('/api/users').set('authorization', `Bearer ${t.adminToken}`).send({ email, password: 'browser-password-1', role });
  if (user.status !== 201) throw new Error(`user: ${user.status} ${JSON.stringify(user.body)}`);
  const base = await serveForBrowser(t);
  const browser = await launchChromium();
  return {
    t,
    base,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}
