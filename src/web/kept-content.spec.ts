import { describe, expect, it } from '@jest/globals';
import { gunzipSync } from 'node:zlib';
import { gzipBody, identityBody, KeptContent } from './kept-content';

/** Text that compresses (repeated table rows) with characters of two, three and four bytes in UTF-8. */
function page(rows: number): string {
  const out: string[] = [];
  for (let i = 0; i < rows; i++) out.push(`<tr><td>Donor ${i} — Ağdam, Füzuli</td><td>₼${(i * 7919) % 100_000}.00</td><td>🐕 ${i % 13}</td></tr>\n`);
  return `<table>${out.join('')}</table>`;
}

describe('the kept content joined with the layout around it', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a small page', '<html><body><nav>Signed in as leader@anama.local</nav>', page(3), '</body></html>'],
    ['content beyond deflate’s 32 KB window (about 170 KB, as at 100k pledges)', '<html><body>', page(2_500), '<footer>csrf=Zm9v</footer></body></html>'],
    ['empty layout parts', '', page(10), ''],
    ['empty content', '<p>before</p>', '', '<p>after</p>'],
    ['layout parts longer than one stored block (65,535 bytes)', `<p>${'ä'.repeat(40_000)}</p>`, page(20), `<p>${'b'.repeat(140_000)}</p>`],
  ];

  it.each(cases)('decodes to exactly the same bytes, gzipped or not: %s', async (_name, before, html, after) => {
    const kept = new KeptContent(html);
    const expected = Buffer.from(before + html + after, 'utf8');
    expect(identityBody(before, kept, after).equals(expected)).toBe(true);
    const gzipped = await gzipBody(before, kept, after);
    expect(gunzipSync(gzipped).equals(expected)).toBe(true);
  });

  it('compresses the content once and reuses it for every reader, each with their own layout', async () => {
    const kept = new KeptContent(page(2_500));
    const first = await kept.deflatedBlocks();
    for (const user of ['officer@anama.local', 'leader@anama.local']) {
      const before = `<nav>${user}</nav>`;
      const body = await gzipBody(before, kept, '<footer></footer>');
      expect(gunzipSync(body).toString('utf8')).toBe(`${before}${page(2_500)}<footer></footer>`);
      expect(body.length).toBeLessThan(kept.bytes.length / 4);
    }
    expect(await kept.deflatedBlocks()).toBe(first);
  });

  it('fails the check of a member whose trailer is wrong (the CRC covers every byte)', async () => {
    const body = await gzipBody('<p>a</p>', new KeptContent(page(5)), '<p>b</p>');
    const broken = Buffer.from(body);
    broken[broken.length - 8] ^= 0xff;
    expect(() => gunzipSync(broken)).toThrow();
  });
});
