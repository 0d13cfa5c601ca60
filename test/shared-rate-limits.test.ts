// Request budgets are the application's, not a process's: on PostgreSQL every process spends from one.
import { pino } from 'pino';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import { openDatabase } from '../server/db/open-database.ts';
import { sharedBudget } from '../server/http/shared-budget.ts';
import { rateLimitFallbacks } from '../server/metrics/counters.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { counterValue } from './helpers/metrics.ts';
import { freePort, startTestServer, type TestServer } from './helpers/server.ts';

const SUBSCRIBES_PER_MINUTE = 60;
const API_CALLS_PER_MINUTE = 30;

describe.each(testDialects())('rate limits across processes on %s', (dialect) => {
  // SQLite is one process on one machine: its budgets live in that process's memory.
  const processes = dialect === 'postgres' ? 3 : 1;
  let database: TestDatabase;
  let servers: TestServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const env = {
      DATABASE_URL: database.url,
      TRUST_PROXY: 'true',
      SUBSCRIBE_RATE_LIMIT: String(SUBSCRIBES_PER_MINUTE),
      API_RATE_LIMIT: String(API_CALLS_PER_MINUTE),
    };
    // One after the other: the first migrates, the others find the schema ready.
    for (let i = 0; i < processes; i++) servers.push(await startTestServer(env));
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    servers = [];
    await database?.drop();
  });

  /** `total` requests spread over the servers in turn, all at once; the statuses they got. */
  const spread = async (
    total: number,
    request: (server: TestServer, i: number) => Promise<Response>,
  ) => {
    const answers = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        request(servers[i % servers.length] as TestServer, i),
      ),
    );
    return answers.map((r) => r.status);
  };
  const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

  it(`accepts ${SUBSCRIBES_PER_MINUTE} subscribes a minute from one address, however many processes answer`, async () => {
    const statuses = await spread(SUBSCRIBES_PER_MINUTE * 3, (server, i) =>
      server.subscribe(
        'newsletter',
        { email: `ip${i}@example.com` },
        {
          'x-forwarded-for': '203.0.113.9',
        },
      ),
    );
    expect(count(statuses, 202)).toBe(SUBSCRIBES_PER_MINUTE);
    expect(count(statuses, 429)).toBe(SUBSCRIBES_PER_MINUTE * 2);
    // Another address has a budget of its own, on every process.
    for (const server of servers) {
      const res = await server.subscribe(
        'newsletter',
        { email: `other${server.port}@example.com` },
        {
          'x-forwarded-for': '198.51.100.20',
        },
      );
      expect(res.status).toBe(202);
    }
  });

  it(`answers ${API_CALLS_PER_MINUTE} API calls a minute per key, however many processes answer`, async () => {
    const key = (
      await createApiKey(servers[0]?.database.db as TestServer['database']['db'], {
        name: 'shared-budget',
        scopes: ['admin'],
      })
    ).key;
    const statuses = await spread(API_CALLS_PER_MINUTE * 3, (server) =>
      fetch(`${server.url}/api/v1/keys`, { headers: { authorization: `Bearer ${key}` } }),
    );
    expect(count(statuses, 200)).toBe(API_CALLS_PER_MINUTE);
    expect(count(statuses, 429)).toBe(API_CALLS_PER_MINUTE * 2);
    const limited = await servers[0]?.api('/api/v1/keys', {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The bootstrap key's budget is untouched by that key's.
    expect((await servers.at(-1)?.api('/api/v1/keys'))?.status).toBe(200);
  });
});

describe('a shared budget whose database does not answer', () => {
  it('goes on limiting in this process alone, and counts each fallback', async () => {
    // Nothing listens on a port just freed: every query fails at connect.
    const unreachable = openDatabase(`postgres://postgres@127.0.0.1:${await freePort()}/test`);
    try {
      const budget = sharedBudget(unreachable.db, {
        name: 'fallback-test',
        perMinute: 3,
        logger: pino({ level: 'silent' }),
      });
      const before = await counterValue(rateLimitFallbacks, { budget: 'fallback-test' });
      for (let i = 0; i < 3; i++)
        await expect(budget.consume('203.0.113.1')).resolves.toBeDefined();
      const refused = await budget.consume('203.0.113.1').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RateLimiterRes);
      expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
      await expect(budget.consume('203.0.113.2')).resolves.toBeDefined();
      expect(await counterValue(rateLimitFallbacks, { budget: 'fallback-test' })).toBe(before + 5);
    } finally {
      await unreachable.close();
    }
  });
});
