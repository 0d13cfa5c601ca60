// A real SMTP server in-process (smtp-server) that keeps every received mail, parsed.
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: ParsedMail['headers'];
  /** Header values as sent (unfolded), by lower-case name. */
  rawHeaders: Record<string, string>;
  /** The message as received, byte for byte (what DKIM verifiers and spam filters read). */
  raw: Buffer;
  /** The SMTP envelope: MAIL FROM (the Return-Path, where bounces go) and RCPT TO. */
  envelope: { mailFrom: string; rcptTo: string[] };
}

export class TestSmtp {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  port = 0;
  /** Recipients answered with a permanent 550 at RCPT TO. */
  rejectTo: RegExp | undefined;

  /** Starts listening (on a fixed port after a restart, so the app's SMTP_URL stays right). */
  async start(port = this.port): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.rejectTo?.test(address.address)) {
          callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
        } else {
          callback();
        }
      },
      onData: (stream, session, callback) => {
        const { mailFrom, rcptTo } = session.envelope;
        const envelope = {
          mailFrom: mailFrom ? mailFrom.address : '',
          rcptTo: rcptTo.map((r) => r.address),
        };
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        const received = new Promise<Buffer>((resolve, reject) => {
          stream.on('end', () => resolve(Buffer.concat(chunks)));
          stream.on('error', reject);
        });
        received
          .then(async (raw) => ({ raw, mail: await simpleParser(raw) }))
          .then(({ raw, mail }) => {
            this.mails.push({
              to: Array.isArray(mail.to) ? (mail.to[0]?.text ?? '') : (mail.to?.text ?? ''),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
              headers: mail.headers,
              rawHeaders: Object.fromEntries(
                mail.headerLines.map((h) => [
                  h.key,
                  h.line
                    .slice(h.line.indexOf(':') + 1)
                    .replace(/\r?\n\s+/g, ' ')
                    .trim(),
                ]),
              ),
              raw,
              envelope,
            });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => resolve());
    });
    // A sender killed mid-conversation (the durability tests SIGKILL servers) resets its
    // connections; smtp-server reports that as a server error, which is expected here.
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') throw err;
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until a mail to `to` has arrived (mails are matched in arrival order). */
  async waitForMail(to: string, timeoutMs = 10_000, count = 1): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.mails.filter((m) => m.to.includes(to));
      if (matching.length >= count) return matching[count - 1] as ReceivedMail;
      if (Date.now() > deadline)
        throw new Error(`no mail #${count} to ${to} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  mailsTo(to: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(to));
  }
}

/** The confirmation link from a DOI mail's text part. */
export function confirmLinkIn(mail: ReceivedMail): string {
  const link = /https?:\/\/\S+\/confirm\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no confirmation link in mail:\n${mail.text}`);
  return link;
}
