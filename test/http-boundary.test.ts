// The HTTP boundary refuses what the database or SMTP would choke on, with a 4xx naming the field.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

interface ErrorJson {
  error: { code: string; message: string; requestId?: string; issues?: { field: string }[] };
}

describe.each(testDialects())('HTTP boundary on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  /** Sends a request and expects a 4xx that changed no row; returns the error body. */
  const refused = async (send: () => Promise<Response>, status: number): Promise<ErrorJson> => {
    const before = await rowCounts(server.database.db);
    const res = await send();
    expect(res.status).toBe(status);
    const body = (await res.json()) as ErrorJson;
    expect(await rowCounts(server.database.db)).toEqual(before);
    return body;
  };
  const multipart = (contentType: string) =>
    fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: '--real\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.co\r\n--real--\r\n',
    });

  it('refuses a multipart body whose boundary is wrong or missing with 400', async () => {
    for (const type of ['multipart/form-data; boundary=other', 'multipart/form-data']) {
      const body = await refused(() => multipart(type), 400);
      expect(body.error.message).toMatch(/multipart\/form-data/);
    }
    const ok = await multipart('multipart/form-data; boundary=real');
    expect(ok.status).toBe(202);
  });

  it('refuses NUL bytes in a path, a query value and a JSON string, naming where', async () => {
    const path = await refused(() => fetch(`${server.url}/v1/forms/newsletter%00`), 422);
    expect(path.error.issues?.[0]?.field).toBe('path');
    const query = await refused(() => server.api('/api/v1/events?type=%00'), 422);
    expect(query.error.issues?.[0]?.field).toBe('query.type');
    const json = await refused(
      () => server.subscribe('newsletter', { email: 'nul@example.com', firstName: 'a\u0000b' }),
      422,
    );
    expect(json.error.issues?.[0]?.field).toBe('firstName');
    const form = await refused(
      () =>
        server.api('/api/v1/forms', {
          method: 'POST',
          body: JSON.stringify({ id: 'nul', name: 'Nul', groups: ['a\u0000b'] }),
        }),
      422,
    );
    expect(form.error.issues?.[0]?.field).toBe('groups.0');
    const texts = await refused(
      () =>
        server.api('/api/v1/forms/newsletter', {
          method: 'PATCH',
          body: JSON.stringify({ texts: { success: 'ok\u0000' } }),
        }),
      422,
    );
    expect(texts.error.issues?.[0]?.field).toBe('texts.success');
    expect((await server.subscribe('newsletter', { email: 'after-nul@example.com' })).status).toBe(
      202,
    );
  });

  it('refuses a cursor beyond any id with 422 instead of failing in the query', async () => {
    for (const path of [
      '/api/v1/events?cursor=99999999999999999999999',
      '/api/v1/workflow-runs?cursor=99999999999999999999999',
    ]) {
      const body = await refused(() => server.api(path), 422);
      expect(body.error.issues?.[0]?.field).toBe('cursor');
    }
  });

  it('refuses form fields named after Object.prototype, and submissions keep working', async () => {
    for (const name of ['constructor', 'hasOwnProperty', 'toString']) {
      const fields = [{ name: 'email', type: 'email' }, { name }];
      const created = await refused(
        () =>
          server.api('/api/v1/forms', {
            method: 'POST',
            body: JSON.stringify({ id: `proto-${name.toLowerCase()}`, name, fields }),
          }),
        422,
      );
      expect(created.error.message).toContain(`${name} is reserved`);
      const patched = await refused(
        () =>
          server.api('/api/v1/forms/newsletter', {
            method: 'PATCH',
            body: JSON.stringify({ fields }),
          }),
        422,
      );
      expect(patched.error.message).toContain(`${name} is reserved`);
    }
    const res = await server.subscribe('newsletter', { email: 'proto@example.com', toString: 'x' });
    expect(res.status).toBe(422);
    expect((await server.subscribe('newsletter', { email: 'proto@example.com' })).status).toBe(202);
  });

  it('reads the media type case-insensitively and refuses look-alikes', async () => {
    const post = (type: string) =>
      server.subscribe('newsletter', { email: 'media@example.com' }, { 'content-type': type });
    expect((await post('APPLICATION/JSON')).status).toBe(202);
    expect((await post('Application/Json; Charset="UTF-8"')).status).toBe(202);
    for (const type of ['application/jsonx', 'text/json-ish', 'application/json-seq']) {
      await refused(() => post(type), 400);
    }
  });

  it('refuses addresses SMTP would refuse: long local part, long label, long address', async () => {
    const cases: [string, RegExp][] = [
      [`${'a'.repeat(65)}@example.com`, /before @ must be at most 64/],
      [`ann@${'b'.repeat(64)}.com`, /domain must be at most 63/],
      [`${'a'.repeat(60)}@${`${'d'.repeat(60)}.`.repeat(4)}com`, /at most 254/],
    ];
    for (const [email, message] of cases) {
      const body = await refused(() => server.subscribe('newsletter', { email }), 422);
      expect(body.error.issues?.[0]?.field).toBe('email');
      expect(body.error.message).toMatch(message);
      const api = await refused(
        () =>
          server.api('/api/v1/contact/subscribe', {
            method: 'POST',
            body: JSON.stringify({ contact: { channels: [{ type: 'email', value: email }] } }),
          }),
        422,
      );
      expect(api.error.issues?.[0]?.field).toBe('contact.channels.0.value');
    }
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.com`;
    expect((await server.subscribe('newsletter', { email: longest })).status).toBe(202);
  });

  it('closes a keep-alive connection after a 413, so no request follows an unread body', async () => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    // Refusing to write more once the server has answered is what a real client does too.
    socket.on('error', () => {});
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      'POST /v1/forms/newsletter/subscribe HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n' +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    const chunk = `{"email":"big@example.com","firstName":"${'x'.repeat(30_000)}"}`;
    socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    await ended;
    const head = received.slice(0, received.indexOf('\r\n\r\n')).toLowerCase();
    expect(head).toMatch(/^http\/1\.1 413/);
    expect(head).toContain('connection: close');
    expect(head).not.toContain('keep-alive');
  });

  it('gives every error answer a request id, in the header and the body', async () => {
    const answers = [
      await fetch(`${server.url}/nope`),
      await server.subscribe('newsletter', { email: 'x' }),
      await fetch(`${server.url}/api/v1/events`),
      await server.subscribe('newsletter', '{"email":'),
    ];
    for (const res of answers) {
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[\w-]{8,}$/);
      expect(((await res.json()) as ErrorJson).error.requestId).toBe(id);
    }
    const html = await fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'email=nope',
    });
    expect(await html.text()).toContain(html.headers.get('x-request-id') as string);
  });
});
