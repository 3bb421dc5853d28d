import { describe, it, expect, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chooseChromium, launchChromium, PACKAGED_FLAGS_TURNED_OFF } from './support/chromium';

/** The browser the tests get from npm: unpacked whole, and as strict as a user's browser. */
describe('the packaged Chromium', () => {
  const cache = join(process.cwd(), '.tmp', `chromium-unpack-test-${process.pid}`);
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  function unpack(): { dir: string } {
    const run = spawnSync(process.execPath, [join(process.cwd(), 'test', 'browser', 'support', 'unpack-chromium.mjs')], {
      env: { ...process.env, CHROMIUM_CACHE_DIR: cache },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout) as { dir: string };
  }

  it('unpacks again when an earlier unpack lost some of its graphics libraries', () => {
    const { dir } = unpack();
    const vulkan = join(dir, 'libvk_swiftshader.so');
    const size = readFileSync(vulkan).length;
    rmSync(vulkan); // the half-removed unpack that made every launch die with a Vulkan error
    expect(unpack().dir).toBe(dir);
    expect(existsSync(vulkan)).toBe(true);
    expect(readFileSync(vulkan).length).toBe(size);
  });

  it("launches without the package's flags that switch a browser's protections off", async () => {
    const choice = await chooseChromium({ packaged: true });
    expect(choice.source).toBe('npm');
    for (const off of PACKAGED_FLAGS_TURNED_OFF) expect(choice.args.filter((a) => a.startsWith(off))).toEqual([]);
  });

  it('keeps the same-origin policy and enforces a Content-Security-Policy', async () => {
    const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    const other = createServer((_req, res) => res.end('secret of the other origin'));
    const page = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('content-security-policy', "script-src 'self'"); // as the app's pages send it
      res.end("<!doctype html><title>probe</title><script>document.title = 'inline script ran'</script>");
    });
    const [otherPort, pagePort] = [await listen(other), await listen(page)];
    const browser = await launchChromium({ packaged: true });
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${pagePort}/`);
      const outcome = await tab.evaluate(async (url) => {
        try {
          return await (await fetch(url)).text();
        } catch (error) {
          return `blocked: ${(error as Error).name}`;
        }
      }, `http://localhost:${otherPort}/`);
      // With --disable-web-security (the package's default) this read would succeed.
      expect(outcome).toBe('blocked: TypeError');
      // The Content-Security-Policy is enforced: the inline script did not run.
      expect(await tab.title()).toBe('probe');
    } finally {
      await browser.close();
      other.close();
      page.close();
    }
  });
});
