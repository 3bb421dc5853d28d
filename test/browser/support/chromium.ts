import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestApp } from '../../support/test-app';

/**
 * Shared browser-test helpers. Nothing here is skipped: a browser that cannot start fails the run.
 *
 * Which Chromium, first that applies:
 *   1. CHROMIUM_PATH, when set;
 *   2. /usr/bin/chromium (Debian's package), when present;
 *   3. the headless Chromium shipped inside the npm package @sparticuz/chromium (a devDependency),
 *      unpacked once into node_modules/.cache/chromium-<version>/ (see unpackedChromium below).
 *
 *   const browser = await launchChromium();
 *   const page = await browser.newPage();
 *   await screenshot(page, 'officer-01-signed-in');   // → test-artifacts/officer-01-signed-in.png
 *   await browser.close();
 */
export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts');
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Flags for every launch: headless, no sandbox (tests run as root in CI), no calls out of the machine. */
const COMMON_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Of @sparticuz/chromium's default flags (built for AWS Lambda) the tests turn these off, so the
 * browser keeps the protections a user's browser has and the tests still see what they would:
 *   --disable-web-security, --allow-running-insecure-content, --disable-site-isolation-trials
 *     (same-origin policy, mixed content and site isolation stay on; the app's
 *     Content-Security-Policy is enforced as in any browser),
 *   --disable-features=IsolateOrigins,site-per-process (site isolation stays as in Chrome),
 *   --single-process, --no-zygote (one browser process per test would otherwise die on a second
 *     page or context).
 */
export const PACKAGED_FLAGS_TURNED_OFF = [
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
  '--single-process',
  '--no-zygote',
  '--disable-features=AudioServiceOutOfProcess,IsolateOrigins,site-per-process',
];

export interface ChromiumChoice {
  executablePath: string;
  source: 'CHROMIUM_PATH' | 'debian' | 'npm';
  args: string[];
  env?: Record<string, string>;
}

/** `packaged: true` skips CHROMIUM_PATH and Debian's browser (the tests of the packaged one use it). */
export async function chooseChromium(opts: { packaged?: boolean } = {}): Promise<ChromiumChoice> {
  const fromEnv = opts.packaged ? undefined : process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist`);
    return { executablePath: fromEnv, source: 'CHROMIUM_PATH', args: COMMON_ARGS };
  }
  if (!opts.packaged && existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, source: 'debian', args: COMMON_ARGS };
  const { dir, fontconfig } = unpackedChromium();
  const packaged = await packagedArgs();
  const args = [...new Set([...packaged.filter((flag) => !PACKAGED_FLAGS_TURNED_OFF.some((off) => flag.startsWith(off))), ...COMMON_ARGS])];
  return {
    executablePath: join(dir, 'chromium'),
    source: 'npm',
    args,
    env: { ...(process.env as Record<string, string>), FONTCONFIG_PATH: fontconfig },
  };
}

export async function launchChromium(opts: { packaged?: boolean } = {}): Promise<Browser> {
  const choice = await chooseChromium(opts);
  return chromium.launch({ executablePath: choice.executablePath, args: choice.args, env: choice.env, ignoreDefaultArgs: ['--headless'] });
}

async function packagedArgs(): Promise<string[]> {
  const { default: Chromium } = await import('@sparticuz/chromium');
  return Chromium.args;
}

/** The packaged browser's folder and a fontconfig folder for it, made by unpack-chromium.mjs (see there why in its own process). */
export function unpackedChromium(): { dir: string; fontconfig: string } {
  const script = join(process.cwd(), 'test', 'browser', 'support', 'unpack-chromium.mjs');
  const run = spawnSync(process.execPath, [script], { cwd: process.cwd(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`Could not unpack @sparticuz/chromium: ${run.stderr}`);
  return JSON.parse(run.stdout) as { dir: string; fontconfig: string };
}

/** Saves a full-page PNG under test-artifacts/ (`name` may hold a folder: "screens/admin-phone-home") and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Serves a test app on a free loopback port for the browser; returns its base URL. */
export async function serveForBrowser(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
}
