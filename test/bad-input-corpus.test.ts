// Hundreds of hostile requests over every endpoint: none may be a 5xx, and no refusal may write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { startTestServer, TEST_API_KEY, type TestServer } from './helpers/server.ts';

interface HostileRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent with the bootstrap key (API routes), else anonymously. */
  auth?: boolean;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** Path segments that are not ids, not slugs, or not even text. */
const hostileSegments = [
  '%00',
  'newsletter%00',
  '..%2F..%2Fetc%2Fpasswd',
  '%E0%A4%A',
  '%FF%FE',
  'x'.repeat(3000),
  '99999999999999999999999',
  '-1',
  '0',
  '1e308',
  'NaN',
  'Infinity',
  '0x10',
  '__proto__',
  'constructor',
  '%F0%9F%92%A9',
  '%E2%80%AE',
  "'%3B%20drop%20table%20contacts%3B--",
  '%20',
  '%u0000',
];

/** Query values for every list filter and cursor. */
const hostileValues = [
  '%00',
  'a%00b',
  '99999999999999999999999',
  '9007199254740993',
  '-1',
  '1e400',
  'NaN',
  '',
  '[]',
  '%FF',
  'x'.repeat(3000),
  '__proto__',
  '%F0%9F%92%A9',
  '1.5',
];

/** JSON bodies of the wrong shape, wrong types, prototype keys and odd text. */
const hostileJson: string[] = [
  'null',
  '[]',
  '1',
  '"text"',
  'true',
  '{}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"email":"a@b.co","__proto__":{"x":1}}',
  '{"email":{"$ne":null}}',
  '{"email":["a@b.co"]}',
  '{"email":"a@b.co\\u0000"}',
  '{"email":"\\ud800@example.com"}',
  '{"email":"a@b.co","firstName":"\\u202eevil"}',
  '{"email":"a@b.co","firstName":"\\u0000"}',
  '{"email":"a@b.co","firstName":1e400}',
  '{"email":"a@b.co","firstName":99999999999999999999999}',
  '{"email":"a@b.co","firstName":{"a":1}}',
  `{"email":"${'a'.repeat(65)}@example.com"}`,
  `{"email":"a@${'b'.repeat(64)}.com"}`,
  '{"email":"a@b.co",',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  '{"id":"nul\\u0000","name":"x"}',
  '{"id":"x","name":"x","groups":["a\\u0000b"]}',
  '{"id":"x","name":"x","groups":"Newsletter"}',
  '{"id":"x","name":"x","fields":[{"name":"constructor"}]}',
  '{"id":"x","name":"x","fields":[{"name":"toString","type":"text"},{"name":"email"}]}',
  '{"id":"x","name":"x","fields":[{"name":"__proto__"}]}',
  '{"id":"x","name":"x","texts":{"success":"\\u0000"}}',
  '{"id":"x","name":"x","allowedOrigins":["javascript:alert(1)"]}',
  '{"id":"x","name":"x","redirectUrls":{"success":"javascript:alert(1)"}}',
  '{"id":"x","name":"x","fields":[{"name":"email","maxLength":1e400}]}',
  '{"contact":{"channels":[{"type":"email","value":"a@b.co\\u0000"}]}}',
  '{"contact":{"channels":[{"type":"email","value":"a@b.co"}],"fields":[{"id":"x","value":"\\u0000"}]}}',
  '{"contact":{"channels":[{"type":"sms","value":"+1\\u0000"}]}}',
  '{"contact":{"channels":[{"type":"email","value":"a@b.co"}]},"groups":["a\\u0000"]}',
  '{"contact":{"channels":[{"type":"email","value":"a@b.co"}]},"formType":"\\u0000"}',
  '{"contact":{"channels":"email"}}',
  '{"contact":null}',
  '{"contact":{"channels":[{"type":"email","value":"a@b.co"}],"address":{"town":["x"]}}}',
];

/** Bodies whose content type lies, is missing, or is broken multipart. */
const hostileTyped: [string | undefined, string][] = [
  [undefined, '{"email":"a@b.co"}'],
  ['text/plain', '{"email":"a@b.co"}'],
  ['application/jsonx', '{"email":"a@b.co"}'],
  ['application/json; charset=utf-16', '{"email":"a@b.co"}'],
  ['application/json', 'email=a@b.co'],
  ['application/x-www-form-urlencoded', 'email=a%00@b.co'],
  ['application/x-www-form-urlencoded', 'email=%E0%A4%A&firstName=%'],
  ['application/x-www-form-urlencoded', '__proto__[admin]=1&email=a@b.co'],
  ['application/x-www-form-urlencoded', 'email=a@b.co&email=c@d.co'],
  [
    'multipart/form-data',
    '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.co\r\n--x--',
  ],
  [
    'multipart/form-data; boundary=y',
    '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.co\r\n--x--',
  ],
  ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data\r\n\r\n--x'],
  ['multipart/form-data; boundary=x', 'garbage'],
  [
    'multipart/form-data; boundary=x',
    '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\u0000@b.co\r\n--x--\r\n',
  ],
  ['image/png', '\u0089PNG'],
];

/** Headers a client can send to any route. */
const hostileHeaders: Record<string, string>[] = [
  { 'accept-language': `${'xx-'.repeat(2000)}de` },
  { 'accept-language': '*;q=NaN,,,;;' },
  { origin: 'null' },
  { origin: `https://${'a'.repeat(3000)}.example` },
  { 'x-forwarded-for': 'not-an-ip, , ,' },
  { 'x-request-id': '../../etc/passwd' },
  { 'x-request-id': 'x'.repeat(1000) },
  { authorization: `Bearer ${'k'.repeat(5000)}` },
  { authorization: 'Bearer \u00ff\u00fe' },
  { 'x-api-key': '' },
  { 'if-none-match': `"${'a'.repeat(5000)}"` },
  { accept: 'text/html' },
];

function corpus(): HostileRequest[] {
  const cases: HostileRequest[] = [];
  const templates: [string, string, boolean][] = [
    ['GET', '/v1/forms/:s', false],
    ['OPTIONS', '/v1/forms/:s/subscribe', false],
    ['POST', '/v1/forms/:s/subscribe', false],
    ['GET', '/confirm/:s', false],
    ['POST', '/confirm/:s', false],
    ['GET', '/unsubscribe/:s', false],
    ['POST', '/unsubscribe/:s', false],
    ['GET', '/dev/mailbox/:s', false],
    ['GET', '/api/v1/forms/:s', true],
    ['PATCH', '/api/v1/forms/:s', true],
    ['DELETE', '/api/v1/forms/:s', true],
    ['GET', '/api/v1/contacts/:s', true],
    ['GET', '/api/v1/workflow-runs/:s', true],
    ['POST', '/api/v1/workflow-runs/:s/cancel', true],
  ];
  for (const [method, template, auth] of templates) {
    for (const segment of hostileSegments) {
      const body = method === 'POST' || method === 'PATCH' ? '{"email":"a@b.co"}' : undefined;
      cases.push({ method, path: template.replace(':s', segment), auth, body, headers: JSON_TYPE });
    }
  }
  const lists: [string, string[]][] = [
    ['/api/v1/events', ['type', 'contactId', 'cursor', 'limit']],
    ['/api/v1/contacts/changes', ['cursor', 'limit']],
    ['/api/v1/workflow-runs', ['contactId', 'workflow', 'status', 'cursor', 'limit']],
    ['/v1/forms/newsletter', ['lang']],
  ];
  for (const [path, keys] of lists) {
    for (const key of keys) {
      for (const value of hostileValues) {
        cases.push({
          method: 'GET',
          path: `${path}?${key}=${value}`,
          auth: path.startsWith('/api'),
        });
      }
    }
    cases.push({ method: 'GET', path: `${path}?limit=1&limit=2&cursor=1&cursor=x`, auth: true });
    cases.push({ method: 'GET', path: `${path}?__proto__[x]=1&constructor=1`, auth: true });
    cases.push({ method: 'GET', path: `${path}?${'k'.repeat(2000)}=1`, auth: true });
  }
  const posts: [string, string, boolean][] = [
    ['POST', '/v1/forms/newsletter/subscribe', false],
    ['POST', '/api/v1/contact/subscribe', true],
    ['POST', '/api/v1/forms', true],
    ['POST', '/api/v1/events', true],
    ['PATCH', '/api/v1/forms/newsletter', true],
  ];
  for (const [method, path, auth] of posts) {
    for (const body of hostileJson) cases.push({ method, path, auth, body, headers: JSON_TYPE });
    for (const [type, body] of hostileTyped) {
      cases.push({ method, path, auth, body, headers: type ? { 'content-type': type } : {} });
    }
    cases.push({ method, path, auth, headers: JSON_TYPE, body: `{"x":"${'y'.repeat(11 << 20)}"}` });
  }
  const everyRoute = [
    '/healthz',
    '/widget.js',
    '/demo',
    '/api/docs',
    '/api/v1/openapi.json',
    '/api/v1/workflows',
    '/v1/forms/newsletter',
    '/dev/mailbox',
  ];
  for (const headers of hostileHeaders) {
    for (const path of everyRoute) cases.push({ method: 'GET', path, headers });
    cases.push({
      method: 'POST',
      path: '/v1/forms/newsletter/subscribe',
      headers: { ...JSON_TYPE, ...headers },
      body: '{"email":"hdr@example.com"}',
    });
  }
  for (const method of ['PUT', 'PATCH', 'DELETE', 'PURGE', 'PROPFIND']) {
    cases.push({ method, path: '/v1/forms/newsletter/subscribe', body: '{}', headers: JSON_TYPE });
    cases.push({ method, path: '/api/v1/events', auth: true });
  }
  return cases;
}

async function send(url: string, request: HostileRequest): Promise<number> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.auth && !('authorization' in headers))
    headers.authorization = `Bearer ${TEST_API_KEY}`;
  try {
    const res = await fetch(`${url}${request.path}`, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
    });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    // A body the server refused before reading it all may end in a reset: that is a refusal too.
    if (request.body && request.body.length > 1 << 20) return 413;
    throw err;
  }
}

describe.each(testDialects())('bad-input corpus on %s', (dialect) => {
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

  const formCount = async () =>
    (await server.database.db.selectFrom('forms').select('config').execute()).map((r) => r.config);

  it('answers every hostile request below 500, and a refused one changes no row', async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThanOrEqual(300);
    const failures: string[] = [];
    for (const request of cases) {
      const before = { rows: await rowCounts(server.database.db), forms: await formCount() };
      const status = await send(server.url, request);
      const label = `${request.method} ${request.path.slice(0, 80)} ${JSON.stringify(request.headers ?? {}).slice(0, 80)} ${(request.body ?? '').slice(0, 80)}`;
      if (status >= 500) failures.push(`${status} ${label}`);
      if (status >= 400) {
        const after = { rows: await rowCounts(server.database.db), forms: await formCount() };
        if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`wrote: ${label}`);
      }
    }
    expect(failures).toEqual([]);
    // And the server still serves ordinary requests afterwards.
    expect((await server.subscribe('newsletter', { email: 'after@example.com' })).status).toBe(202);
  });
});
