// A stand-in for a customer's website: serves given HTML pages from its own origin.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class HostSite {
  private server: Server | undefined;
  origin = '';

  constructor(private readonly pages: Record<string, string>) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const body = this.pages[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
