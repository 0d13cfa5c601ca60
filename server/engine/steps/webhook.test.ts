// One webhook attempt against a real HTTP server on 127.0.0.1; refused targets never get a socket.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  callWebhook,
  MAX_RESPONSE_BYTES,
  verifySignature,
  type WebhookCall,
  WebhookError,
} from './webhook.ts';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const SECRET = 'whsec_test';
const received: Received[] = [];
let server: http.Server;
let base: string;

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = req.url ?? '/';
  const status = /^\/status\/(\d{3})$/.exec(path)?.[1];
  if (status === '429') res.setHeader('Retry-After', '7');
  if (status) return void res.writeHead(Number(status)).end(`status ${status}`);
  if (path === '/redirect') return void res.writeHead(302, { Location: '/echo' }).end();
  if (path === '/text') return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('hi');
  if (path === '/big') return void res.writeHead(200).end('a'.repeat(MAX_RESPONSE_BYTES + 40_000));
  // Headers then half a body, then silence: the deadline must cover the body too.
  if (path === '/slow-body') return void res.writeHead(200).write('{"partial":');
  if (path === '/hang') return;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': ['a=1', 'b=2'] });
  res.end(JSON.stringify({ ok: true }));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      route(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  received.length = 0;
  vi.restoreAllMocks();
});

function call(overrides: Partial<WebhookCall>): WebhookCall {
  return {
    url: `${base}/echo`,
    method: 'POST',
    headers: {},
    timeoutMs: 2000,
    secret: SECRET,
    idempotencyKey: 'run-7:step-2',
    allowPrivate: true,
    ...overrides,
  };
}

async function failure(c: WebhookCall): Promise<WebhookError> {
  const err = await callWebhook(c).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebhookError);
  return err as WebhookError;
}

describe('callWebhook', () => {
  it('sends a signed JSON body the receiver can verify, with the idempotency key', async () => {
    const result = await callWebhook(
      call({
        body: { contactId: 42, email: 'ada@example.org' },
        headers: { 'X-Trace': 'abc', 'x-subflow-signature': 'forged', 'Idempotency-Key': 'mine' },
      }),
    );
    expect(result).toMatchObject({ status: 200, body: { ok: true } });
    expect(result.headers['set-cookie']).toBe('a=1, b=2');

    const [req] = received;
    expect(req?.method).toBe('POST');
    expect(JSON.parse(req?.body ?? '')).toEqual({ contactId: 42, email: 'ada@example.org' });
    const signature = String(req?.headers['x-subflow-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, signature, req?.body ?? '')).toBe(true);
    expect(verifySignature('other-secret', signature, req?.body ?? '')).toBe(false);
    expect(req?.headers).toMatchObject({
      'idempotency-key': 'run-7:step-2',
      'user-agent': 'Subflow-Webhook/1',
      'content-type': 'application/json',
      'x-trace': 'abc',
    });
  });

  it('sends a GET without a body, still signed over the empty body', async () => {
    await callWebhook(call({ method: 'GET', body: { ignored: true } }));
    const [req] = received;
    expect(req?.method).toBe('GET');
    expect(req?.body).toBe('');
    expect(req?.headers['content-type']).toBeUndefined();
    expect(req?.headers['content-length']).toBeUndefined();
    expect(req?.headers['transfer-encoding']).toBeUndefined();
    expect(verifySignature(SECRET, String(req?.headers['x-subflow-signature']), '')).toBe(true);
  });

  it('returns text bodies as text and cuts large bodies at 64 KiB', async () => {
    expect((await callWebhook(call({ url: `${base}/text` }))).body).toBe('hi');
    const big = await callWebhook(call({ url: `${base}/big` }));
    expect(big.body).toBe('a'.repeat(MAX_RESPONSE_BYTES));
  });

  it('fails a 3xx permanently instead of following it', async () => {
    expect(await failure(call({ url: `${base}/redirect` }))).toMatchObject({
      retryable: false,
      message: expect.stringMatching(
        /answered 302 \(a redirect to \/echo\); redirects are not followed/,
      ),
    });
    expect(received).toHaveLength(1);
  });

  it('makes a 500 retryable and a 404 permanent, both carrying the status', async () => {
    expect(await failure(call({ url: `${base}/status/500` }))).toMatchObject({
      retryable: true,
      status: 500,
      message: 'webhook answered 500: status 500',
    });
    expect(await failure(call({ url: `${base}/status/404` }))).toMatchObject({
      retryable: false,
      status: 404,
    });
  });

  it('makes a 429 retryable and passes Retry-After on', async () => {
    expect(await failure(call({ url: `${base}/status/429` }))).toMatchObject({
      retryable: true,
      status: 429,
      retryAfterMs: 7000,
    });
  });

  it('times out a server that never answers, and one that stalls mid-body', async () => {
    const hang = await failure(call({ url: `${base}/hang`, timeoutMs: 150 }));
    expect(hang).toMatchObject({ retryable: true, status: undefined });
    expect(hang.message).toContain('timed out after 150 ms');
    const stall = await failure(call({ url: `${base}/slow-body`, timeoutMs: 150 }));
    expect(stall.message).toContain('timed out');
    expect(stall.retryable).toBe(true);
  });

  it('makes a refused connection retryable', async () => {
    const spare = net.createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const { port } = spare.address() as AddressInfo;
    await new Promise((resolve) => spare.close(resolve));
    const err = await failure(call({ url: `http://127.0.0.1:${port}/` }));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it.each([
    ['Evil', 'x\r\nInjected: 1'],
    ['X-Line', 'a\nb'],
  ])('refuses header %s carrying CR/LF before sending anything', async (name, value) => {
    const err = await failure(call({ headers: { [name]: value } }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toContain(name);
    expect(received).toHaveLength(0);
  });

  it.each([
    ['ftp://example.org/hook', 'http: or https:'],
    ['file:///etc/passwd', 'http: or https:'],
    ['not a url', 'not a valid URL'],
  ])('refuses the url %s', async (url, message) => {
    const err = await failure(call({ url }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(message);
  });
});

describe('callWebhook with allowPrivate: false', () => {
  // IP literals must be refused before any socket exists. connect is stubbed to throw, so even a
  // broken guard could not send a packet to 10.0.0.1 or the metadata address.
  it.each([
    ['http://10.0.0.1/hook', '10.0.0.1', 'private'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
    ['https://169.254.169.254/', '169.254.169.254', 'link-local'],
    ['http://127.0.0.1:1/', '127.0.0.1', 'loopback'],
    ['http://0x7f.1/', '127.0.0.1', 'loopback'],
    ['http://[::1]:1/', '::1', 'loopback'],
    ['http://[::ffff:127.0.0.1]:1/', '::ffff:7f00:1', 'loopback, IPv4-mapped'],
    ['http://[::ffff:10.0.0.1]/', '::ffff:a00:1', 'private, IPv4-mapped'],
  ])('refuses %s before connecting', async (url, address, range) => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(() => {
      throw new Error('a socket was opened');
    });
    const err = await failure(call({ url, allowPrivate: false }));
    expect(connect).not.toHaveBeenCalled();
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`refusing to connect to ${address}: a ${range}`);
  });

  it('refuses a hostname that resolves to loopback, checked in the lookup hook', async () => {
    const port = (server.address() as AddressInfo).port;
    const err = await failure(call({ url: `http://localhost:${port}/echo`, allowPrivate: false }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(
      /refusing to connect to localhost \((127\.0\.0\.1|::1)\): a loopback/,
    );
    expect(received).toHaveLength(0);
  });
});
