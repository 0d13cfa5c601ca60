// The bounce mailbox: a small SMTP receiver that takes DSN and ARF reports and applies them.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { VerbContext } from '../../db/unit-of-work.ts';
import type { Logger } from '../../logger.ts';
import { applyFeedback } from './apply-feedback.ts';
import { feedbackFromReport } from './dsn-report.ts';

/** Reports are small; the original message they quote is cut by the reporting MTA. */
const MAX_REPORT_BYTES = 1024 * 1024;

export interface BounceMailboxOptions {
  host: string;
  port: number;
  ctx: VerbContext;
  logger: Logger;
}

/**
 * Listens for mail to any address (point the MX of BOUNCE_ADDRESS's domain here, or forward to
 * it). A report is acknowledged only once applied, so a database error answers 451 and the
 * reporting MTA tries again later; a mail that is no report is accepted and dropped.
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
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('report too large'), { responseCode: 552 }));
            return;
          }
          this.apply(Buffer.concat(chunks)).then(
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

  private async apply(raw: Buffer): Promise<void> {
    const feedback = await feedbackFromReport(raw);
    if (feedback.length === 0) this.opts.logger.info('bounce mailbox: a mail that is no report');
    for (const item of feedback) await applyFeedback(this.opts.ctx, item, Date.now());
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
