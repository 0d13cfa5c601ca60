// The /api/v1 rules on every path: 401 first, 405 with Allow for a known path, 404 for the rest.
import { describe, expect, it } from 'vitest';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

interface ErrorJson {
  error: { code: string; message: string; issues?: { field: string }[] };
}

describe.each(testDialects())('API surface rules on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  const errorOf = async (res: Response) => ((await res.json()) as ErrorJson).error;

  it('answers a wrong method on a known path with 405 and the path’s methods in Allow', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/api/v1/forms', 'GET, HEAD, POST'],
      ['PUT', '/api/v1/forms/newsletter', 'DELETE, GET, HEAD, PATCH'],
      ['PUT', '/api/v1/events', 'GET, HEAD, POST'],
      ['PUT', '/api/v1/contact/subscribe', 'POST'],
      ['PUT', '/api/v1/contacts/changes', 'GET, HEAD'],
      ['GET', '/api/v1/contact/subscribe', 'POST'],
      ['GET', '/api/v1/workflow-runs/1/cancel', 'POST'],
      ['OPTIONS', '/api/v1/forms', 'GET, HEAD, POST'],
      ['POST', '/api/v1/openapi.json', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await server.api(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      const error = await errorOf(res);
      expect(error.code).toBe('method_not_allowed');
      expect(error.message).toContain(allow);
    }
    // What Allow promises is served: HEAD wherever GET is.
    const head = await server.api('/api/v1/forms', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('answers 404 for a path that names nothing, also when an id cannot be one', async () => {
    for (const path of [
      '/api/v1/contacts/abc',
      '/api/v1/contacts/0',
      '/api/v1/contacts/1/nope',
      '/api/v1/workflow-runs/abc',
      '/api/v1/nope',
      '/api/v1/forms/newsletter/nope/deeper',
      '/api/v1',
    ]) {
      const res = await server.api(path);
      expect(res.status, path).toBe(404);
      expect((await errorOf(res)).code, path).toBe('not_found');
    }
    const cancel = await server.api('/api/v1/workflow-runs/x/cancel', { method: 'POST' });
    expect(cancel.status).toBe(404);
  });

  it('keeps 422 for a bad query or body, naming the field', async () => {
    const query = await server.api('/api/v1/events?limit=0');
    expect(query.status).toBe(422);
    expect((await errorOf(query)).issues?.map((i) => i.field)).toEqual(['limit']);
    const body = await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ doubleOptIn: 'sometimes' }),
    });
    expect(body.status).toBe(422);
    expect((await errorOf(body)).issues?.map((i) => i.field)).toEqual(['doubleOptIn']);
  });

  it('asks for a key before it tells which paths or methods exist', async () => {
    for (const [method, path] of [
      ['DELETE', '/api/v1/forms'],
      ['GET', '/api/v1/nope'],
      ['GET', '/api/v1/contacts/abc'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('allow')).toBeNull();
    }
  });
});
