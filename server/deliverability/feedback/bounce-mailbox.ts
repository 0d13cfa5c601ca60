// The bounce mailbox: a small SMTP receiver that takes DSN and ARF reports and applies them.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { VerbContext } from '../../db/unit-of-work.ts';
import type { Logger } from '../../logger.ts';
import { outboxIdOfReturnPath } from './return-path.ts';
import { applyReturnedReport } from './returned-report.ts';

/** Reports are small; the original message they quote is cut by the reporting MTA. */
const MAX_REPORT_BYTES = 1024 * 1024;

export interface BounceMailboxOptions {
  host: string;
  port: number;
  /** BOUNCE_ADDRESS: mail is taken only for its signed sub-addresses (return-path.ts). */
  bounceAddress: string;
  secretKey: string;
  ctx: VerbContext;
  logger: Logger;
}

/**
 * Takes mail only for the signed return path of a mail we sent (point the MX of BOUNCE_ADDRESS's
 * domain here, or forward its `+` sub-addresses to it); any other recipient, BOUNCE_ADDRESS itself
 * included, is refused at RCPT TO with the same 550, so a forger learns nothing. A report is
 * acknowledged only once applied, so a database error answers 451 and the reporting MTA tries
 * again later; a mail that is no report is accepted and dropped.
 */
export class BounceMailbox {
  private server: SMTPServer | undefined;
  port = 0;

  constructor(private readonly opts: BounceMailboxOptions) {}

  async start(): Promise<void> {
    const { logger } = this.opts;
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAX_REPORT_BYTES,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.outboxIdOf(address.address) !== undefined) callback();
        else callback(Object.assign(new Error('5.1.1 no such mailbox'), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('report too large'), { responseCode: 552 }));
            return;
          }
          this.apply(session, Buffer.concat(chunks)).then(
            () => callback(),
            (err: unknown) => {
              logger.error({ err }, 'bounce mailbox: could not apply a report');
              callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
            },
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    logger.info({ host: this.opts.host, port: this.port }, 'bounce mailbox listening');
    this.server.on('error', (err) => logger.error({ err }, 'bounce mailbox error'));
  }

  private outboxIdOf(recipient: string): number | undefined {
    return outboxIdOfReturnPath(this.opts.bounceAddress, this.opts.secretKey, recipient);
  }

  /** Every recipient got past RCPT TO, so each names a mail; one report is normally sent to one. */
  private async apply(session: SMTPServerSession, raw: Buffer): Promise<void> {
    const outboxIds = new Set(session.envelope.rcptTo.map((rcpt) => this.outboxIdOf(rcpt.address)));
    for (const outboxId of outboxIds) {
      if (outboxId === undefined) continue;
      await applyReturnedReport(
        this.opts.ctx,
        { outboxId, raw, now: Date.now() },
        this.opts.logger,
      );
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
