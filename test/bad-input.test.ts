// Bad input gets a 4xx that names the problem and changes nothing in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

describe.each(testDialects())('bad input on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url });
    const res = await server.api('/api/v1/forms', {
      method: 'POST',
      body: JSON.stringify({
        id: 'phones',
        name: 'Phones',
        defaultCountry: 'DE',
        requireConsent: true,
        fields: [
          { name: 'email', type: 'email' },
          { name: 'phone', type: 'tel' },
          { name: 'plan', type: 'text', maxLength: 10 },
        ],
      }),
    });
    expect(res.status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  const publicCases: [string, string, unknown, number, RegExp][] = [
    ['malformed JSON', 'newsletter', '{"email": ', 400, /malformed JSON/],
    ['a non-object body', 'newsletter', '[1,2]', 422, /expected object/],
    ['a wrong type', 'newsletter', { email: 42 }, 422, /email/],
    [
      'an invalid email',
      'newsletter',
      { email: 'not-an-email' },
      422,
      /email: must be a valid email/,
    ],
    ['header injection in the email', 'newsletter', { email: 'a@b.c\r\nBcc: x@y.z' }, 422, /email/],
    [
      'header injection in a name',
      'newsletter',
      { email: 'a@b.co', firstName: 'A\r\nBcc: x@y.z' },
      422,
      /firstName: must not contain control/,
    ],
    ['no email at all', 'newsletter', { firstName: 'Ann' }, 422, /email/],
    [
      'an unknown field',
      'newsletter',
      { email: 'a@b.co', admin: true },
      422,
      /unknown field\(s\) admin/,
    ],
    [
      'an impossible phone',
      'phones',
      { phone: '12', consent: true },
      422,
      /phone: is not a possible phone number/,
    ],
    ['a missing consent', 'phones', { email: 'a@b.co' }, 422, /consent: must be checked/],
    [
      'a too long custom field',
      'phones',
      { email: 'a@b.co', consent: true, plan: 'x'.repeat(11) },
      422,
      /plan: must be at most 10/,
    ],
    ['an unknown form', 'nope', { email: 'a@b.co' }, 404, /form nope not found/],
  ];

  it.each(publicCases)(
    'public subscribe refuses %s',
    async (_name, form, body, status, message) => {
      const before = await rowCounts(server.database.db);
      const res = await server.subscribe(form, body);
      expect(res.status).toBe(status);
      const json = (await res.json()) as { error: { message: string } };
      expect(json.error.message).toMatch(message);
      expect(await rowCounts(server.database.db)).toEqual(before);
    },
  );

  it('refuses an oversized body with 413', async () => {
    const before = await rowCounts(server.database.db);
    const res = await server.subscribe('newsletter', {
      email: 'a@b.co',
      firstName: 'x'.repeat(20_000),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
    expect(await rowCounts(server.database.db)).toEqual(before);
  });

  it('refuses an unsupported content type with 400', async () => {
    const res = await server.subscribe('newsletter', 'email=a@b.c', {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(400);
  });

  it('answers a no-JS form post that fails validation with an HTML page', async () => {
    const res = await fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: 'email=nope',
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('email: must be a valid email address');
  });

  const apiCases: [string, unknown, RegExp][] = [
    ['no channels', { contact: { channels: [] } }, /contact: send an email or a phone/],
    [
      'an invalid email channel',
      { contact: { channels: [{ type: 'email', value: 'x' }] } },
      /contact\.channels\.0\.value/,
    ],
    [
      'an impossible sms channel',
      {
        contact: {
          channels: [
            { type: 'email', value: 'a@b.co' },
            { type: 'sms', value: 'abc' },
          ],
        },
      },
      /contact\.channels\.1\.value: is not a possible phone/,
    ],
    [
      'an unknown channel type',
      { contact: { channels: [{ type: 'fax', value: '1' }] } },
      /contact\.channels\.0\.type/,
    ],
    [
      'an unknown key',
      { contact: { channels: [{ type: 'email', value: 'a@b.co' }] }, extra: 1 },
      /extra/,
    ],
    [
      'a formType with a line break',
      { contact: { channels: [{ type: 'email', value: 'a@b.co' }] }, formType: 'a\nb' },
      /formType/,
    ],
  ];

  it.each(apiCases)('API subscribe refuses %s', async (_name, body, message) => {
    const before = await rowCounts(server.database.db);
    const res = await server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(await rowCounts(server.database.db)).toEqual(before);
  });

  it('API subscribe refuses malformed JSON with 400', async () => {
    const res = await server.api('/api/v1/contact/subscribe', {
      method: 'POST',
      body: '{"contact":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });

  it('API subscribe names both contacts when email and phone belong to different ones', async () => {
    const make = (channels: object[]) =>
      server.api('/api/v1/contact/subscribe', {
        method: 'POST',
        body: JSON.stringify({ contact: { channels } }),
      });
    const a = (await (await make([{ type: 'email', value: 'split-a@example.com' }])).json()) as {
      id: number;
    };
    const b = (await (await make([{ type: 'sms', value: '+491712345678' }])).json()) as {
      id: number;
    };
    const before = await rowCounts(server.database.db);
    const res = await make([
      { type: 'email', value: 'split-a@example.com' },
      { type: 'sms', value: '+491712345678' },
    ]);
    expect(res.status).toBe(422);
    const body = (await res.json()) as {
      error: { code: string; contactIds: number[]; message: string };
    };
    expect(body.error.code).toBe('identity_conflict');
    expect(body.error.contactIds).toEqual([a.id, b.id]);
    expect(body.error.message).toContain(String(b.id));
    expect(await rowCounts(server.database.db)).toEqual(before);
  });
});
