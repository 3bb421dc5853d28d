import { HttpException, HttpStatus } from '@nestjs/common';
import busboy from 'busboy';
import type { Request } from 'express';
import { InvalidInputError } from '../errors/domain-errors';

/**
 * Large request bodies (CSV files) are read here, inside the route handler, so only after the
 * global guard has signed the caller in and checked the role: no body parser reads text/csv
 * before that (configure-app.ts), and an anonymous 49 MB upload costs the server nothing. The
 * limit is enforced as the bytes arrive (413 at once when Content-Length says it is too big),
 * and at most MAX_UPLOADS_IN_FLIGHT such bodies are held per process, so even signed-in users
 * cannot exhaust the heap with parallel uploads: one more is a 503 with Retry-After.
 */
export const MAX_UPLOADS_IN_FLIGHT = 2;
let inFlight = 0;

export const CSV_TYPES = ['text/csv', 'text/plain'];

export class UploadTooLargeError extends HttpException {
  constructor(limitBytes: number) {
    const limit = `${Math.round(limitBytes / 1024 / 1024)} MB`;
    super(
      {
        statusCode: 413,
        error: 'Payload Too Large',
        message: `The request body is larger than ${limit}`,
        details: [{ field: 'body', message: `larger than ${limit}` }],
      },
      HttpStatus.PAYLOAD_TOO_LARGE,
    );
  }
}

export class UploadsBusyError extends HttpException {
  constructor() {
    super(
      {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Other uploads are being read: try again in a few seconds',
        details: [{ field: 'body', message: 'too many uploads at once' }],
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  /** Seconds a client should wait before retrying (sent as Retry-After by the error filter). */
  readonly retryAfterSeconds = 5;
}

/**
 * Reads the whole body of a text/csv (or text/plain) request as UTF-8 text, leniently decoded
 * (invalid bytes become U+FFFD, which the CSV checks report with their row). Throws 400 for
 * another content type, 413 past `limitBytes`, 503 when MAX_UPLOADS_IN_FLIGHT are already held.
 */
export async function readTextUpload(req: Request, limitBytes: number): Promise<string> {
  if (req.body !== undefined && typeof req.body !== 'string') {
    throw InvalidInputError.field('body', 'send the CSV file as the request body with Content-Type: text/csv; charset=utf-8');
  }
  if (typeof req.body === 'string') return req.body; // already read (a test or a proxy that buffers)
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is(CSV_TYPES)) {
    throw InvalidInputError.field('body', 'send the CSV file as the request body with Content-Type: text/csv; charset=utf-8');
  }
  if (!hasBody) return '';
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume(); // discard what is still coming; the 413 answers at once
    throw new UploadTooLargeError(limitBytes);
  }
  if (inFlight >= MAX_UPLOADS_IN_FLIGHT) {
    req.resume();
    throw new UploadsBusyError();
  }
  inFlight += 1;
  try {
    const chunks: Buffer[] = [];
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received > limitBytes) {
          req.off('data', onData);
          req.resume();
          chunks.length = 0;
          reject(new UploadTooLargeError(limitBytes));
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => resolve());
      req.once('error', reject);
      req.once('aborted', () => reject(InvalidInputError.field('body', 'the upload was interrupted')));
    });
    return new TextDecoder('utf-8').decode(Buffer.concat(chunks, received));
  } finally {
    inFlight -= 1;
  }
}

export interface FormUpload {
  /** The file's name as the browser sent it (without any path), or null when none was chosen. */
  fileName: string | null;
  /** The file, decoded as UTF-8 like readTextUpload; '' when no file was chosen. */
  text: string;
  /** The form's other fields (small text only). */
  fields: Record<string, string>;
}

/**
 * Reads a browser form sent as multipart/form-data: one file under `fileField` and small text
 * fields, under the same limit and the same in-flight bound as readTextUpload. Called in the route
 * handler, after sign-in and the role check; the CSRF token of such a form travels in its action
 * URL (web/csrf.ts), as its body is not read before the handler.
 */
export async function readFormUpload(req: Request, limitBytes: number, fileField = 'file'): Promise<FormUpload> {
  if (!req.is('multipart/form-data')) throw InvalidInputError.field(fileField, 'choose a file to upload');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes + 64 * 1024) {
    req.resume();
    throw new UploadTooLargeError(limitBytes);
  }
  if (inFlight >= MAX_UPLOADS_IN_FLIGHT) {
    req.resume();
    throw new UploadsBusyError();
  }
  inFlight += 1;
  try {
    return await new Promise<FormUpload>((resolve, reject) => {
      const fields: Record<string, string> = {};
      const chunks: Buffer[] = [];
      let received = 0;
      let fileName: string | null = null;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        req.unpipe(parser);
        req.resume();
        reject(error);
      };
      const parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: limitBytes, fields: 20, fieldSize: 4096, parts: 30 } });
      parser.on('file', (name, stream, info) => {
        if (name !== fileField) {
          stream.resume();
          return;
        }
        fileName = info.filename ? (info.filename.split(/[\\/]/).pop() ?? null) : null;
        stream.on('data', (chunk: Buffer) => {
          received += chunk.length;
          chunks.push(chunk);
        });
        stream.on('limit', () => fail(new UploadTooLargeError(limitBytes)));
      });
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('error', () => fail(InvalidInputError.field(fileField, 'the upload could not be read: send the form again')));
      parser.on('close', () => {
        if (failed) return;
        resolve({ fileName: fileName || null, text: new TextDecoder('utf-8').decode(Buffer.concat(chunks, received)), fields });
      });
      req.once('aborted', () => fail(InvalidInputError.field(fileField, 'the upload was interrupted')));
      req.pipe(parser);
    });
  } finally {
    inFlight -= 1;
  }
}
