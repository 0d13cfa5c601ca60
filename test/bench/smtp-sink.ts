// An SMTP server in the bench process that accepts every mail and notes when each recipient's arrived.
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';

export class SmtpSink {
  /** Mails fully received (DATA ended), all recipients together. */
  received = 0;
  /** Arrival time (performance.now()) by recipient, for recipients starting with `watchPrefix`. */
  readonly arrivals = new Map<string, number>();
  /** Only watched recipients are timed, so a 30 000-mail throughput run keeps no per-mail state. */
  watchPrefix: string | undefined;
  private server: SMTPServer | undefined;
  private port = 0;

  async start(): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // A DNS lookup per connection would add to the latency being measured.
      disableReverseLookup: true,
      logger: false,
      // Server children are stopped first; don't wait the default 30 s for their sockets.
      closeTimeout: 1_000,
      onData: (stream, session, callback) => {
        // Only the envelope matters: drain the message without parsing it.
        stream.on('end', () => {
          const at = performance.now();
          this.received++;
          for (const rcpt of session.envelope.rcptTo) {
            if (this.watchPrefix && rcpt.address.startsWith(this.watchPrefix)) {
              this.arrivals.set(rcpt.address, at);
            }
          }
          callback();
        });
        stream.resume();
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves true once `count` mails have arrived in total, false after `timeoutMs`. */
  async waitForReceived(count: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.received < count) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
