// Walks /api/v1/openapi.json: every documented operation answers as documented, every route is documented.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, TEST_API_KEY, type TestServer } from './helpers/server.ts';

const API_BASE = '/api/v1';
const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Methods tried on each path to see the 405s; HEAD is left out, Hono answers it wherever GET is. */
const PROBED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** Fills every path parameter: no such resource, and (as a number or a slug) a possible id. */
const NO_SUCH_ID = '999999999';

interface OpenApiResponse {
  description: string;
  content?: Record<string, { schema?: { $ref?: string } }>;
}

interface OpenApiOperation {
  responses: Record<string, unknown>;
  requestBody?: { content: Record<string, unknown> };
}
type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>> };

interface Operation {
  method: string;
  path: string;
  operation: OpenApiOperation;
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => OPERATION_METHODS.includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

/** An empty body of the operation's first media type: enough to reach its validation. */
function emptyBody(operation: OpenApiOperation): { body?: BodyInit; type?: string } {
  const type = Object.keys(operation.requestBody?.content ?? {})[0];
  if (!type) return {};
  if (type === 'application/json') return { body: '{}', type };
  if (type === 'multipart/form-data') return { body: new FormData() };
  if (type === 'application/x-www-form-urlencoded') return { body: new URLSearchParams(), type };
  return { body: '', type };
}

/** `/contacts/:id{[0-9]+}` (Hono) → `/contacts/{id}` (OpenAPI). */
const asOpenApiPath = (honoPath: string) =>
  honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, '{$1}');

describe.each(testDialects())('OpenAPI document walk on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url });
    doc = (await (await fetch(`${server.url}${API_BASE}/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  const send = (method: string, path: string, init: { body?: BodyInit; type?: string } = {}) =>
    fetch(`${server.url}${API_BASE}${path.replace(/\{[^}]+\}/g, NO_SUCH_ID)}`, {
      method,
      body: init.body,
      headers: {
        authorization: `Bearer ${TEST_API_KEY}`,
        ...(init.type ? { 'content-type': init.type } : {}),
      },
    });

  it('answers every documented operation with one of its documented statuses', async () => {
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(5);
    const wrong: string[] = [];
    for (const { method, path, operation } of operations) {
      const res = await send(method, path, emptyBody(operation));
      await res.arrayBuffer();
      const documented = Object.keys(operation.responses);
      const where = `${method} ${path} answered ${res.status}`;
      if (res.status === 405) wrong.push(`${where}: its own method refused`);
      else if (res.status === 404 && !path.includes('{')) wrong.push(`${where}: a fixed path`);
      else if (res.status >= 500) wrong.push(`${where}: a server error`);
      if (!documented.includes(String(res.status)) && !documented.includes('default')) {
        wrong.push(`${where}, documented: ${documented.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('documents every 4xx answer with the Error schema', () => {
    const bare: string[] = [];
    for (const { method, path, operation } of operationsOf(doc)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('4')) continue;
        const schema = (response as OpenApiResponse).content?.['application/json']?.schema;
        if (schema?.$ref !== '#/components/schemas/Error') bare.push(`${method} ${path} ${status}`);
      }
    }
    expect(bare).toEqual([]);
  });

  it('answers malformed JSON with 400 and another media type with 415, both documented', async () => {
    const wrong: string[] = [];
    for (const { method, path, operation } of operationsOf(doc)) {
      if (!operation.requestBody?.content['application/json']) continue;
      for (const [body, type, status, code] of [
        ['{"a":', 'application/json', 400, 'bad_request'],
        ['a=1', 'text/plain', 415, 'unsupported_media_type'],
      ] as const) {
        const res = await send(method, path, { body, type });
        const answer = (await res.json()) as { error?: { code?: string } };
        const where = `${method} ${path} with ${type}: ${res.status} ${answer.error?.code}`;
        if (res.status !== status || answer.error?.code !== code)
          wrong.push(`${where}, expected ${status} ${code}`);
        if (!(String(res.status) in operation.responses)) wrong.push(`${where}, undocumented`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers every other method on a documented path with 405, its methods in Allow', async () => {
    const wrong: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      const methods = Object.keys(item)
        .filter((m) => OPERATION_METHODS.includes(m))
        .map((m) => m.toUpperCase());
      if (methods.includes('GET')) methods.push('HEAD');
      const allow = methods.sort().join(', ');
      for (const method of PROBED_METHODS.filter((m) => !methods.includes(m))) {
        const res = await send(method, path);
        await res.arrayBuffer();
        if (res.status !== 405 || res.headers.get('allow') !== allow) {
          wrong.push(`${method} ${path}: ${res.status}, Allow ${res.headers.get('allow')}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('documents every route registered on the API app', () => {
    const registered = new Set(
      server.app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith(`${API_BASE}/`))
        .map((r) => `${r.method} ${asOpenApiPath(r.path.slice(API_BASE.length))}`)
        .filter((route) => route !== 'GET /openapi.json'),
    );
    const documented = new Set(operationsOf(doc).map((op) => `${op.method} ${op.path}`));
    expect([...registered].sort()).toEqual([...documented].sort());
  });
});
