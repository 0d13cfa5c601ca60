// API keys (401/403), the forms API and the OpenAPI document — on each dialect.
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import { testDialects } from './helpers/databases.ts';
import { serverPerSuite } from './helpers/server.ts';

describe.each(testDialects())('API keys and forms on %s', (dialect) => {
  const server = serverPerSuite(dialect);

  const call = (path: string, key?: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
    });

  it('answers 401 without a key or with an unknown one, 403 without the scope', async () => {
    const none = await call('/api/v1/forms');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await call('/api/v1/forms', 'sf_wrong')).status).toBe(401);

    const { key } = await createApiKey(server.database.db, {
      name: 'reader',
      scopes: ['events:read'],
    });
    expect((await call('/api/v1/events', key)).status).toBe(200);
    const forbidden = await call('/api/v1/forms', key);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { message: string } }).error.message).toContain(
      'forms:read',
    );

    const viaHeader = await fetch(`${server.url}/api/v1/events`, { headers: { 'x-api-key': key } });
    expect(viaHeader.status).toBe(200);
  });

  it('creates, changes, lists and deletes forms, validating every field', async () => {
    const created = await server.api('/api/v1/forms', {
      method: 'POST',
      body: JSON.stringify({ id: 'launch', name: 'Launch list', groups: ['Launch'] }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: 'launch',
      doubleOptIn: true,
      allowedOrigins: [],
      fields: [{ name: 'email', required: true }],
    });
    expect(
      (
        await server.api('/api/v1/forms', {
          method: 'POST',
          body: JSON.stringify({ id: 'launch', name: 'x' }),
        })
      ).status,
    ).toBe(409);

    const patched = await server.api('/api/v1/forms/launch', {
      method: 'PATCH',
      body: JSON.stringify({ texts: { success: 'See you at launch' } }),
    });
    expect(await patched.json()).toMatchObject({
      name: 'Launch list',
      groups: ['Launch'],
      texts: { success: 'See you at launch' },
    });

    const bad = await server.api('/api/v1/forms/launch', {
      method: 'PATCH',
      body: JSON.stringify({
        allowedOrigins: ['https://x.example/path'],
        defaultCountry: 'germany',
      }),
    });
    expect(bad.status).toBe(422);
    const issues = (
      (await bad.json()) as { error: { issues: { field: string }[] } }
    ).error.issues.map((i) => i.field);
    expect(issues).toEqual(expect.arrayContaining(['allowedOrigins.0', 'defaultCountry']));

    const list = (await (await server.api('/api/v1/forms')).json()) as { items: { id: string }[] };
    expect(list.items.map((f) => f.id)).toEqual(['launch', 'newsletter']);
    expect((await server.api('/api/v1/forms/launch', { method: 'DELETE' })).status).toBe(204);
    expect((await server.api('/api/v1/forms/launch')).status).toBe(404);
  });

  it('shows the owner’s texts in the visitor’s language, else the form’s texts', async () => {
    const created = await server.api('/api/v1/forms', {
      method: 'POST',
      body: JSON.stringify({
        id: 'multi',
        name: 'Multilingual',
        texts: { title: 'Join us', submit: 'Go' },
        translations: { de: { title: 'Mach mit' }, he: { title: 'הצטרפו', submit: 'שלח' } },
      }),
    });
    expect(created.status).toBe(201);
    const strings = async (query: string, headers: Record<string, string> = {}) =>
      (
        (await (await fetch(`${server.url}/v1/forms/multi${query}`, { headers })).json()) as {
          strings: { title: string; submit: string };
        }
      ).strings;

    expect(await strings('?lang=de')).toMatchObject({ title: 'Mach mit', submit: 'Go' });
    expect(await strings('', { 'accept-language': 'he-IL' })).toMatchObject({
      title: 'הצטרפו',
      submit: 'שלח',
    });
    expect(await strings('?lang=fr')).toMatchObject({ title: 'Join us', submit: 'Go' });

    const unknown = await server.api('/api/v1/forms/multi', {
      method: 'PATCH',
      body: JSON.stringify({ translations: { xx: { title: 'x' }, de: { confirmSubject: 'x' } } }),
    });
    expect(unknown.status).toBe(422);
    const fields = (
      (await unknown.json()) as { error: { issues: { field: string }[] } }
    ).error.issues.map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining(['translations.xx', 'translations.de.confirmSubject']),
    );
  });

  it('publishes an OpenAPI document without a key that lists the routes', async () => {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/forms',
        '/forms/{id}',
        '/events',
        '/contacts/{id}',
        '/contact/subscribe',
      ]),
    );
    expect((await fetch(`${server.url}/api/docs`)).status).toBe(200);
  });

  it('reports health', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});
