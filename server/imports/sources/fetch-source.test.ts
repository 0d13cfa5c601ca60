// The file URL fetch re-checks every redirect target: a "public" host redirecting inward is refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { blockedRange } from '../../engine/steps/address-guard.ts';
import { ValidationError } from '../../errors.ts';
import { fetchCsv } from './fetch-source.ts';

/** 127.0.0.2 plays a public host; everything else is judged as in production. */
const rangeOf = (ip: string) => (ip === '127.0.0.2' ? undefined : blockedRange(ip));
const limits = { maxBytes: 1000, timeoutMs: 5000, allowPrivate: false, rangeOf };

async function read(link: string, options = limits): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of fetchCsv(link, options)) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe('fetchCsv', () => {
  let server: Server;
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    return `http://127.0.0.2:${(server.address() as AddressInfo).port}`;
  }

  it('fetches from a public host, with basic auth from the URL', async () => {
    const base = await serve((req, res) => {
      const auth = Buffer.from('ann:s3cret').toString('base64');
      if (req.headers.authorization !== `Basic ${auth}`) return res.writeHead(401).end();
      res.end('email\nann@example.com\n');
    });
    const url = new URL(base);
    url.username = 'ann';
    url.password = 's3cret';
    expect(await read(`${url.origin.replace('//', '//ann:s3cret@')}/list.csv`)).toBe(
      'email\nann@example.com\n',
    );
    await expect(read(`${base}/list.csv`)).rejects.toThrow('answered 401');
  });

  it('refuses a redirect to loopback, by address and by name', async () => {
    const base = await serve((req, res) => {
      const port = (server.address() as AddressInfo).port;
      const to =
        req.url === '/by-name' ? `http://localhost:${port}/x` : `http://127.0.0.1:${port}/x`;
      res.writeHead(302, { location: to }).end();
    });
    for (const path of ['/by-address', '/by-name']) {
      const refusal = await read(`${base}${path}`).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(ValidationError);
      expect((refusal as ValidationError).issues).toEqual([
        {
          field: 'link',
          message: expect.stringMatching(
            /^refusing to fetch from (127\.0\.0\.1|::1): a loopback address/,
          ),
        },
      ]);
    }
  });

  it('stops a file larger than the limit, and one slower than the deadline', async () => {
    const base = await serve((req, res) => {
      if (req.url === '/big') return res.end('x'.repeat(5000));
      res.write('email\n');
    });
    await expect(read(`${base}/big`)).rejects.toThrow('larger than 1000 bytes');
    await expect(read(`${base}/slow`, { ...limits, timeoutMs: 300 })).rejects.toThrow(
      'took longer than 300 ms',
    );
  });
});
