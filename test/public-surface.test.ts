// The public endpoints' defences: bots, rate limit, CORS, and the dev mailbox — on each dialect.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { waitForDrainedOutbox } from './helpers/settled.ts';

describe.each(testDialects())('public surface on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  const start = async (env: Record<string, string> = {}) => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url, ...env });
    return server;
  };

  afterEach(async () => {
    await server.close();
    await database.drop();
  });

  it('accepts bot-like submissions like any other but stores nothing', async () => {
    await start();
    const before = await rowCounts(server.database.db);
    const person = await server.subscribe('newsletter', {
      email: 'p@example.com',
      _hp: '',
      _elapsed: 4000,
    });
    const personBody = await person.text();
    const after = await rowCounts(server.database.db);
    expect(after.contacts).toBe((before.contacts ?? 0) + 1);

    for (const bot of [
      { email: 'bot1@example.com', _hp: 'http://spam.example', _elapsed: 5000 },
      { email: 'bot2@example.com', _hp: '', _elapsed: 200 },
    ]) {
      const res = await server.subscribe('newsletter', bot);
      expect(res.status).toBe(202);
      expect(await res.text()).toBe(personBody);
    }
    expect(await rowCounts(server.database.db)).toEqual(after);
  });

  it('limits subscribes per IP with 429 and Retry-After', async () => {
    await start({ SUBSCRIBE_RATE_LIMIT: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await server.subscribe('newsletter', { email: `r${i}@example.com` })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const limited = await server.subscribe('newsletter', { email: 'r9@example.com' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('allows CORS only for the form’s listed origins', async () => {
    await start();
    await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ allowedOrigins: ['https://good.example'] }),
    });
    const preflight = (origin: string) =>
      fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const good = await preflight('https://good.example');
    expect(good.status).toBe(204);
    expect(good.headers.get('access-control-allow-origin')).toBe('https://good.example');
    expect(
      (await preflight('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();

    const before = await rowCounts(server.database.db);
    const refused = await server.subscribe(
      'newsletter',
      { email: 'x@example.com' },
      { origin: 'https://evil.example' },
    );
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(await rowCounts(server.database.db)).toEqual(before);

    const allowed = await server.subscribe(
      'newsletter',
      { email: 'x@example.com' },
      { origin: 'https://good.example' },
    );
    expect(allowed.status).toBe(202);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://good.example');

    const definition = await fetch(`${server.url}/v1/forms/newsletter`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(await definition.json()).toMatchObject({ id: 'newsletter', originAllowed: false });
  });

  it('serves the no-JS fallback: a page, or a 303 to the form’s success URL', async () => {
    await start();
    const post = () =>
      fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=nojs%40example.com&firstName=No',
      });
    const pageRes = await post();
    expect(pageRes.status).toBe(202);
    expect(await pageRes.text()).toContain('check your inbox');
    await server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ redirectUrls: { success: 'https://site.example/thanks' } }),
    });
    const redirected = await post();
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toBe('https://site.example/thanks');
  });

  it('keeps mail in the dev mailbox when no SMTP_URL is set, with a working link', async () => {
    await start();
    await server.subscribe('newsletter', { email: 'dev@example.com' });
    let list = '';
    for (let i = 0; i < 50 && !list.includes('/dev/mailbox/1'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      list = await (await fetch(`${server.url}/dev/mailbox`)).text();
    }
    expect(list).toContain('Please confirm your subscription');
    const mail = await (await fetch(`${server.url}/dev/mailbox/1`)).text();
    const link = /href="(http[^"]+\/confirm\/[^"]+)"/.exec(mail)?.[1];
    expect(link).toBeDefined();
    expect((await fetch(link as string, { method: 'POST' })).status).toBe(200);
    const contact = (await (await server.api('/api/v1/contacts/1')).json()) as { status: string };
    expect(contact.status).toBe('confirmed');
  });

  it('shows an invalid link as 404 and an expired one as 410, changing nothing', async () => {
    await start();
    expect((await fetch(`${server.url}/confirm/nope`, { method: 'POST' })).status).toBe(404);
    await server.close();
    server = await startTestServer({ DATABASE_URL: database.url }, { confirmTokenTtlMs: 1 });
    await server.subscribe('newsletter', { email: 'late@example.com' });
    await waitForDrainedOutbox(server.database.db);
    const mail = await (await fetch(`${server.url}/dev/mailbox/1`)).text();
    const link = /href="(http[^"]+\/confirm\/[^"]+)"/.exec(mail)?.[1] as string;
    expect((await fetch(link, { method: 'POST' })).status).toBe(410);
    const contact = (await (await server.api('/api/v1/contacts/1')).json()) as { status: string };
    expect(contact.status).toBe('unconfirmed');
  });

  it('serves the built widget with an ETag, answering 304 to a revalidation', async () => {
    await start();
    const res = await fetch(`${server.url}/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('max-age');
    const etag = res.headers.get('etag') as string;
    expect(etag).toMatch(/^(W\/)?"[\w-]+"$/);
    expect((await res.text()).length).toBeGreaterThan(1000);
    const again = await fetch(`${server.url}/widget.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const demo = await fetch(`${server.url}/demo`);
    expect(demo.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await demo.text()).toContain('<script src="/widget.js" async></script>');
  });
});
