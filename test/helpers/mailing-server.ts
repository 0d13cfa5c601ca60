// A server with a real SMTP server behind it, on a fresh database for every test of a suite.
import { afterEach, beforeEach, expect } from 'vitest';
import type { Timings } from '../../server/config.ts';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.ts';
import { startTestServer, type TestServer } from './server.ts';
import { TestSmtp } from './smtp.ts';

export interface MailingServerOptions {
  env?: Record<string, string>;
  timings?: Partial<Timings>;
  /** A form to create through the API before each test (`POST /api/v1/forms` body). */
  form?: object;
  /** Runs after the form is made, before the test (field definitions, say). */
  setUp?: (server: TestServer) => Promise<void>;
}

/**
 * Starts a database, an SMTP server and a server wired to both in beforeEach and stops them in
 * afterEach, for tests that each need a clean mailbox and clean tables. Returns stand-ins that
 * forward to the current test's instances.
 * @example const { server, smtp } = mailingServerPerTest(dialect, { form: { id: 'join', … } });
 */
export function mailingServerPerTest(
  dialect: TestDialect,
  options: MailingServerOptions = {},
): { server: TestServer; smtp: TestSmtp } {
  let current: { database: TestDatabase; smtp: TestSmtp; server: TestServer } | undefined;
  beforeEach(async () => {
    const database = await createTestDatabase(dialect);
    const smtp = await new TestSmtp().start();
    const server = await startTestServer(
      { DATABASE_URL: database.url, SMTP_URL: smtp.url, ...options.env },
      options.timings,
    );
    current = { database, smtp, server };
    if (options.form) {
      const res = await server.api('/api/v1/forms', {
        method: 'POST',
        body: JSON.stringify(options.form),
      });
      expect(res.status).toBe(201);
    }
    await options.setUp?.(server);
  });
  afterEach(async () => {
    await current?.server.close();
    await current?.smtp.stop();
    await current?.database.drop();
    current = undefined;
  });
  return {
    server: forwardTo(() => current?.server),
    smtp: forwardTo(() => current?.smtp),
  };
}

/** An object that forwards every property to what `target` returns when it is read. */
function forwardTo<T extends object>(target: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, key) {
      const value = target();
      if (!value) throw new Error('the test’s servers start in beforeEach: use them inside tests');
      const property = Reflect.get(value, key);
      return typeof property === 'function' ? property.bind(value) : property;
    },
  });
}
