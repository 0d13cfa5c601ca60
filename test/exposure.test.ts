// What the server exposes and to whom: client addresses behind proxies, the dev mailbox, CSP.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { type RunningServer, startServer } from '../server/server.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { freePort, startTestServer, TEST_API_KEY } from './helpers/server.ts';

describe.each(testDialects())('exposure on %s', (dialect) => {
  let database: TestDatabase;
  let server: RunningServer;

  const start = async (env: Record<string, string> = {}) => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url, ...env });
    return server;
  };

  afterEach(async () => {
    await server.close();
    await database.drop();
  });

  const consentIpAfter = async (forwardedFor: string, email: string) => {
    const res = await fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email }),
    });
    expect(res.status).toBe(202);
    const row = await server.database.db
      .selectFrom('consents')
      .innerJoin('contacts', 'contacts.id', 'consents.contact_id')
      .select('consents.ip')
      .where('contacts.email', '=', email)
      .executeTakeFirstOrThrow();
    return row.ip;
  };

  it('TRUST_PROXY=true takes the address the proxy appended, not what the client wrote', async () => {
    await start({ TRUST_PROXY: 'true', SUBSCRIBE_RATE_LIMIT: '2' });
    expect(await consentIpAfter('6.6.6.6, 203.0.113.7', 'p1@example.com')).toBe('203.0.113.7');
    // A client inventing a new first hop each time is still limited by its real address.
    expect(await consentIpAfter('7.7.7.7, 203.0.113.7', 'p2@example.com')).toBe('203.0.113.7');
    const limited = await fetch(`${server.url}/v1/forms/newsletter/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '8.8.8.8, 203.0.113.7' },
      body: JSON.stringify({ email: 'p3@example.com' }),
    });
    expect(limited.status).toBe(429);
  });

  it('TRUST_PROXY=2 counts two proxies from the right; false ignores the header', async () => {
    await start({ TRUST_PROXY: '2' });
    expect(await consentIpAfter('6.6.6.6, 198.51.100.4, 10.0.0.2', 'h1@example.com')).toBe(
      '198.51.100.4',
    );
    await server.close();
    server = await startTestServer({ DATABASE_URL: database.url, TRUST_PROXY: 'false' });
    expect(await consentIpAfter('198.51.100.4', 'h2@example.com')).toMatch(/127\.0\.0\.1/);
  });

  it('serves /dev/mailbox on loopback only, unless DEV_MAILBOX=true, and says so at start-up', async () => {
    database = await createTestDatabase(dialect);
    const lines: { msg: string; devMailbox?: boolean }[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const boot = async (env: Record<string, string>) =>
      startServer(
        loadConfig({
          PORT: String(await freePort()),
          DATABASE_URL: database.url,
          BOOTSTRAP_API_KEY: TEST_API_KEY,
          ...env,
        }),
        pino({ level: 'info' }, sink),
      );
    const mailboxStatus = async (env: Record<string, string>) => {
      server = await boot(env);
      const port = server.port;
      const status = (await fetch(`http://127.0.0.1:${port}/dev/mailbox`)).status;
      await server.close();
      return status;
    };

    expect(await mailboxStatus({ HOST: '0.0.0.0' })).toBe(404);
    expect(lines.find((l) => l.devMailbox === false)?.msg).toMatch(
      /not served: HOST 0\.0\.0\.0 is not loopback.*DEV_MAILBOX=true/,
    );
    lines.length = 0;
    expect(await mailboxStatus({ HOST: '0.0.0.0', DEV_MAILBOX: 'true' })).toBe(200);
    expect(lines.find((l) => l.devMailbox === true)?.msg).toMatch(/served.*DEV_MAILBOX=true/);
    lines.length = 0;
    expect(await mailboxStatus({ HOST: '127.0.0.1' })).toBe(200);
    expect(lines.find((l) => l.devMailbox === true)?.msg).toMatch(/loopback/);
    server = await boot({ HOST: '127.0.0.1' });
  });

  it('puts a strict CSP on the confirm, unsubscribe and docs pages', async () => {
    await start();
    for (const path of ['/confirm/nope', '/unsubscribe/nope']) {
      for (const method of ['GET', 'POST']) {
        const csp = (await fetch(`${server.url}${path}`, { method })).headers.get(
          'content-security-policy',
        );
        expect(csp).toContain("default-src 'none'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toMatch(/script-src|unsafe-inline/);
      }
    }
    const docs = await fetch(`${server.url}/api/docs`);
    const csp = docs.headers.get('content-security-policy') ?? '';
    // swagger-ui comes from the server itself: no other origin may run script or style here.
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toMatch(/https?:/);
    expect(csp).not.toContain('unsafe-inline');
    // No inline script: every <script> has a src.
    expect(await docs.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
