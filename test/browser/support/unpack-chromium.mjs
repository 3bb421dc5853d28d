#!/usr/bin/env node
/**
 * Unpacks the headless Chromium shipped in the npm package @sparticuz/chromium into
 * node_modules/.cache/chromium-<version>/ and prints that folder. Run as its own process so that
 * TMPDIR, where the package inflates its files, is this folder's staging area and not the system
 * temp folder (Jest's sandboxed process.env does not reach os.tmpdir()).
 *
 * The package skips inflating when one of its files is already in place, so a half-deleted earlier
 * unpack made every launch die with a Vulkan error. Here: inflate into a staging folder of this
 * process, record every file with its size, then rename the whole folder into place (atomic). A
 * folder whose files do not match its record is removed and unpacked again.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const MANIFEST = '.complete.json';
const root = process.cwd();
const { version } = JSON.parse(readFileSync(join(root, 'node_modules', '@sparticuz', 'chromium', 'package.json'), 'utf8'));
const cache = process.env.CHROMIUM_CACHE_DIR ?? join(root, 'node_modules', '.cache');
const target = join(cache, `chromium-${version}`);

function listFiles(dir, prefix = '') {
  const files = {};
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    if (entry.name === MANIFEST) continue;
    if (entry.isDirectory()) Object.assign(files, listFiles(dir, rel));
    else files[rel] = statSync(join(dir, rel)).size;
  }
  return files;
}

export function isComplete(dir) {
  try {
    const expected = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
    if (!('chromium' in expected) || !('libvk_swiftshader.so' in expected)) return false;
    return Object.entries(expected).every(([file, size]) => existsSync(join(dir, file)) && statSync(join(dir, file)).size === size);
  } catch {
    return false;
  }
}

if (process.argv[2] === '--inflate') {
  // Child: TMPDIR is the staging folder; the package inflates there.
  const { default: Chromium } = await import('@sparticuz/chromium');
  await Chromium.executablePath();
  process.exit(0);
}

if (!isComplete(target)) {
  rmSync(target, { recursive: true, force: true });
  const staging = join(cache, `chromium-${version}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const child = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--inflate'], {
    cwd: root,
    env: { ...process.env, TMPDIR: staging },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (child.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    console.error(`Unpacking @sparticuz/chromium failed (exit ${child.status})`);
    process.exit(1);
  }
  writeFileSync(join(staging, MANIFEST), JSON.stringify(listFiles(staging)));
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process finished first
  }
  if (!isComplete(target)) {
    console.error(`Unpacking @sparticuz/chromium into ${target} did not give a whole browser`);
    process.exit(1);
  }
}
// The package's own fonts.conf names /tmp/fonts, where it did not unpack here, and its fonts are
// two Open Sans faces: this build of Chromium aborts (SkFontMgr_FontConfigInterface "Not
// implemented") when a character needs a fallback font. So a fontconfig of our own names the
// package's fonts, DejaVu from npm (dejavu-fonts-ttf: Latin, Cyrillic, the manat sign) and the
// system's fonts where there are any.
const fontconfig = join(cache, `chromium-${version}-fontconfig`);
mkdirSync(fontconfig, { recursive: true });
const dirs = [join(target, 'fonts', 'fonts'), join(root, 'node_modules', 'dejavu-fonts-ttf', 'ttf'), '/usr/share/fonts'];
writeFileSync(
  join(fontconfig, 'fonts.conf'),
  `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n${dirs.map((d) => `  <dir>${d}</dir>`).join('\n')}\n  <cachedir>${join(fontconfig, 'cache')}</cachedir>\n</fontconfig>\n`,
);
process.stdout.write(JSON.stringify({ dir: target, fontconfig }));
