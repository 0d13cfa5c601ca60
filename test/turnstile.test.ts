// Cloudflare Turnstile on a form: every public post that can create a contact (JSON and the plain
// form) needs a token that siteverify accepts — on each dialect, against a local fake siteverify.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { FakeSiteverify } from './helpers/fake-siteverify.ts';
import { rowCounts } from './helpers/row-counts.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const SECRET = 'turnstile-secret';
const GOOD = 'token-cloudflare-issued';
const SITE_KEY = '1x00000000000000000000AA';

describe.each(testDialects())('Turnstile on %s', (dialect) => {
  let database: TestDatabase;
  let siteverify: FakeSiteverify;
  let server: TestServer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    siteverify = await new FakeSiteverify({ secret: SECRET, token: GOOD }).start();
  });

  afterEach(async () => {
    await server.close();
    await siteverify.stop();
    await database.drop();
  });

  const start = async (env: Record<string, string>) => {
    server = await startTestServer({ DATABASE_URL: database.url, ...env });
  };

  const useTurnstile = () =>
    server.api('/api/v1/forms/newsletter', {
      method: 'PATCH',
      body: JSON.stringify({ botDefence: { turnstileSiteKey: SITE_KEY, challenge: 'off' } }),
    });

  const plainPost = (body: Record<string, string>) =>
    fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams(body),
    });

  it('refuses a site key while the server has no secret to verify its tokens with', async () => {
    await start({});
    const res = await useTurnstile();
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { issues: { field: string }[] } };
    expect(error.issues[0]?.field).toBe('botDefence.turnstileSiteKey');
  });

  it('verifies the token of every JSON and plain-form post server-side', async () => {
    await start({ TURNSTILE_SECRET_KEY: SECRET, TURNSTILE_VERIFY_URL: siteverify.url });
    expect((await useTurnstile()).status).toBe(200);
    const definition = await (await fetch(`${server.url}/v1/forms/newsletter`)).json();
    expect(definition).toMatchObject({ botDefence: { turnstileSiteKey: SITE_KEY } });
    const before = await rowCounts(server.database.db);

    const missing = await server.subscribe('newsletter', { email: 'no-token@example.com' });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      'cf-turnstile-response',
    );
    const forged = await server.subscribe('newsletter', {
      email: 'forged@example.com',
      'cf-turnstile-response': 'made-up',
    });
    expect(forged.status).toBe(403);
    const plainForged = await plainPost({
      email: 'plain-forged@example.com',
      'cf-turnstile-response': 'made-up',
    });
    expect(plainForged.status).toBe(403);
    expect(await plainForged.text()).toContain('needs JavaScript');
    expect(await rowCounts(server.database.db)).toEqual(before);

    const json = await server.subscribe('newsletter', {
      email: 'json@example.com',
      'cf-turnstile-response': GOOD,
    });
    expect(json.status).toBe(202);
    const plain = await plainPost({ email: 'plain@example.com', 'cf-turnstile-response': GOOD });
    expect(plain.status).toBe(202);
    expect(await plain.text()).toContain('check your inbox');
    const emails = await server.database.db.selectFrom('contacts').select('email').execute();
    expect(emails.map((c) => c.email).sort()).toEqual(['json@example.com', 'plain@example.com']);

    // Posts without a token never reach siteverify; each with one does, with the secret and IP.
    expect(siteverify.calls).toHaveLength(4);
    expect(siteverify.calls.at(-1)?.get('secret')).toBe(SECRET);
    expect(siteverify.calls.at(-1)?.get('remoteip')).toBe('127.0.0.1');
  });

  it('refuses every post while siteverify cannot be reached', async () => {
    await start({ TURNSTILE_SECRET_KEY: SECRET, TURNSTILE_VERIFY_URL: siteverify.url });
    expect((await useTurnstile()).status).toBe(200);
    await siteverify.stop();
    const res = await server.subscribe('newsletter', {
      email: 'down@example.com',
      'cf-turnstile-response': GOOD,
    });
    expect(res.status).toBe(403);
    expect((await rowCounts(server.database.db)).contacts).toBe(0);
  });
});
