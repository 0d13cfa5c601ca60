// The SQLite work thread as an operator sees it: /metrics keeps every series the process reports.
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/databases.ts';
import { startTestServer } from './helpers/server.ts';

describe('--role all on a SQLite file, with its work thread', () => {
  it('keeps the series only the request thread reports in /metrics', async () => {
    const database = await createTestDatabase('sqlite');
    const server = await startTestServer({ DATABASE_URL: database.url, METRICS: 'true' });
    try {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      // prom-client "omits" this series when it sums threads; uptime and restart alerts read it.
      expect(metrics).toMatch(/^subflow_process_start_time_seconds \d+/m);
      expect(metrics).toMatch(/^subflow_nodejs_version_info\{/m);
      expect(metrics.match(/^subflow_process_cpu_seconds_total /gm)).toHaveLength(1);
    } finally {
      await server.close();
      await database.drop();
    }
  });
});
