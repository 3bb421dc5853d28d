import { crc32, deflateRaw, constants as zlibConstants } from 'node:zlib';
import { promisify } from 'node:util';

const deflateRawAsync = promisify(deflateRaw);

/** A gzip member's header: deflate, no name or comment, no modification time, unknown OS (RFC 1952, 2.3). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);

/**
 * HTML rendered once and kept between requests (the funding-gap page's content), as bytes and,
 * once a client has asked for gzip, as raw deflate blocks ending on a byte boundary (a sync flush,
 * no final block). Such blocks can stand between other deflate blocks in one stream (the way pigz
 * compresses pieces apart and joins them), so a request does not compress the content again: the
 * layout around it (the user's name, navigation and CSRF token, a few KB) goes in stored blocks.
 */
export class KeptContent {
  readonly bytes: Buffer;
  private deflated: Promise<Buffer> | null = null;

  constructor(html: string) {
    this.bytes = Buffer.from(html, 'utf8');
  }

  /** The content as deflate blocks that do not end the stream (compressed on first use, then kept). */
  deflatedBlocks(): Promise<Buffer> {
    this.deflated ??= deflateRawAsync(this.bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    return this.deflated;
  }
}

/** The page as bytes: `before` + the kept content + `after`. */
export function identityBody(before: string, content: KeptContent, after: string): Buffer {
  return Buffer.concat([Buffer.from(before, 'utf8'), content.bytes, Buffer.from(after, 'utf8')]);
}

/**
 * The page as one gzip member: `before` and `after` as stored (uncompressed) deflate blocks around
 * the content's kept compressed blocks. The layout is a few KB; compressing it per request cost
 * more than sending it (a zlib stream set up twice per request: 1.1 s of CPU in 1,350 requests).
 * The trailer's CRC-32 runs over every byte in order (the content's too, about 0.05 ms for
 * 170 KB), and ISIZE is the whole length modulo 2^32 (RFC 1952, 2.3.1).
 */
export async function gzipBody(before: string, content: KeptContent, after: string): Promise<Buffer> {
  const head = Buffer.from(before, 'utf8');
  const tail = Buffer.from(after, 'utf8');
  const contentBlocks = await content.deflatedBlocks();
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crcOf([head, content.bytes, tail]), 0);
  trailer.writeUInt32LE((head.length + content.bytes.length + tail.length) % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, ...storedBlocks(head, false), contentBlocks, ...storedBlocks(tail, true), trailer]);
}

/** Largest stored block (RFC 1951, 3.2.4: LEN is 16 bits). */
const STORED_MAX = 0xffff;

/**
 * `data` as stored deflate blocks (RFC 1951, 3.2.4), each starting on a byte boundary (where the
 * blocks before them end, a sync flush): a header byte (BFINAL, BTYPE 00), LEN and its complement
 * NLEN, then the bytes. `final`: the last block ends the stream (an empty one when `data` is empty).
 */
function storedBlocks(data: Buffer, final: boolean): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  do {
    const length = Math.min(STORED_MAX, data.length - at);
    const last = at + length >= data.length;
    const header = Buffer.alloc(5);
    header[0] = final && last ? 1 : 0;
    header.writeUInt16LE(length, 1);
    header.writeUInt16LE(~length & 0xffff, 3);
    out.push(header, data.subarray(at, at + length));
    at += length;
  } while (at < data.length);
  return out;
}

/** The CRC-32 of `parts` in order. Empty parts are skipped: on Node 20.20, an empty buffer that has been through `deflateRaw` makes `crc32(thatBuffer, value)` answer 0, not `value`. */
function crcOf(parts: readonly Buffer[]): number {
  let crc = 0;
  for (const part of parts) if (part.length > 0) crc = crc32(part, crc);
  return crc;
}
