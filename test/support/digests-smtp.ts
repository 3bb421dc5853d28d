import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  mails: CapturedMail[];
  /** Resolves once `count` messages have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real SMTP server in the test process (smtp-server), no TLS, no auth. Every accepted message is
 * parsed with mailparser. `beforeAccept` runs once the whole message has arrived and before the
 * server answers 250; returning false answers 451 instead, so the sender never sees it accepted.
 */
export async function startSmtpServer(
  opts: { port?: number; beforeAccept?: (arrivalNumber: number) => boolean | Promise<boolean> } = {},
): Promise<TestSmtpServer> {
  const mails: CapturedMail[] = [];
  let arrivals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const arrival = ++arrivals;
        try {
          if (opts.beforeAccept && !(await opts.beforeAccept(arrival))) {
            const refusal = new Error('Refused by the test') as Error & { responseCode: number };
            refusal.responseCode = 451;
            return callback(refusal);
          }
          const parsed = await simpleParser(Buffer.concat(chunks));
          mails.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed });
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    mails,
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${mails.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on right now (for "the server is down"). */
export async function unusedPort(): Promise<number> {
  const probe = await startSmtpServer();
  await probe.close();
  return probe.port;
}
