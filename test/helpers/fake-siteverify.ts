// A stand-in for Cloudflare's Turnstile siteverify: accepts one token for one secret, records calls.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeSiteverify {
  private server: Server | undefined;
  url = '';
  /** The form bodies it was posted, in order. */
  readonly calls: URLSearchParams[] = [];

  constructor(private readonly accepts: { secret: string; token: string }) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        this.calls.push(form);
        const success =
          form.get('secret') === this.accepts.secret && form.get('response') === this.accepts.token;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            success
              ? { success: true, hostname: 'example.com', 'error-codes': [] }
              : { success: false, 'error-codes': ['invalid-input-response'] },
          ),
        );
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/siteverify`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
