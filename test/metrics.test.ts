// /metrics: Prometheus text that parses, with the request, queue and process figures after a subscribe.
import { afterEach, describe, expect, it } from 'vitest';
import { createImport } from '../server/imports/store/import-sessions.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Values as Prometheus reads them (Go's ParseFloat: `NaN` in any case, prom-client prints `Nan`). */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-]Inf)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/g;

/**
 * Parses the text exposition format strictly enough to fail on a malformed line: every line is a
 * `# HELP`/`# TYPE` comment or a sample, and every sample belongs to a family that declared its type.
 */
function parseExposition(text: string): Sample[] {
  const typed = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') typed.set(comment[2] as string, comment[3] as string);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const name = match[1] as string;
    const family = name.replace(/_(bucket|sum|count|total)$/, '');
    if (!typed.has(name) && !typed.has(family)) throw new Error(`no TYPE for ${name}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key as string] = value as string;
    samples.push({ name, labels, value: Number(match[3]) });
  }
  return samples;
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );

describe.each(testDialects())('/metrics on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  const start = async (env: Record<string, string>) => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ DATABASE_URL: database.url, ...env });
  };
  afterEach(async () => {
    await server.close();
    await database.drop();
  });

  const scrape = async (base = server.url, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/metrics`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };

  it('shows requests by route pattern, the queues, imports and heartbeats after a subscribe', async () => {
    await start({ METRICS: 'true' });
    // Held still, so what the subscribe queued is still there to be counted.
    await server.mailer?.stop();
    await server.engine.stop();
    const before = await scrape();
    const subscribes = { method: 'POST', route: '/v1/forms/:formId/subscribe', status: '202' };
    const countBefore = find(before, 'subflow_http_request_duration_seconds_count', subscribes)[0];

    const res = await server.subscribe('newsletter', { email: 'metrics@example.com' });
    expect(res.status).toBe(202);
    const imported = await createImport(
      server.database.db,
      { kind: 'csv', status: 'receiving', options: {}, source: 'import:test', total: 40 },
      Date.now(),
    );
    const after = await scrape();

    const count = find(after, 'subflow_http_request_duration_seconds_count', subscribes)[0];
    expect(count?.value).toBe((countBefore?.value ?? 0) + 1);
    expect(
      find(after, 'subflow_http_request_duration_seconds_bucket', { ...subscribes, le: '+Inf' })[0]
        ?.value,
    ).toBe(count?.value);
    // Route patterns only: no series carries a form id or an address.
    const routes = new Set(after.map((s) => s.labels.route).filter(Boolean));
    expect([...routes].some((r) => r?.includes('newsletter'))).toBe(false);
    expect(routes.has('/metrics')).toBe(true);

    expect(find(after, 'subflow_outbox_pending')[0]?.value).toBe(1);
    expect(find(after, 'subflow_outbox_oldest_due_age_seconds')[0]?.value).toBeGreaterThanOrEqual(
      0,
    );
    expect(find(after, 'subflow_events_undispatched')[0]?.value).toBe(1);
    expect(find(after, 'subflow_event_dispatch_lag_seconds')[0]?.value).toBeGreaterThanOrEqual(0);
    expect(find(after, 'subflow_workflow_runs_waiting')[0]?.value).toBe(0);
    expect(find(after, 'subflow_workflow_runs_due')[0]?.value).toBe(0);
    expect(find(after, 'subflow_engine_lag_seconds')[0]?.value).toBe(0);
    expect(
      find(after, 'subflow_import_rows', { import: String(imported.id), rows: 'total' })[0]?.value,
    ).toBe(40);
    expect(
      find(after, 'subflow_import_rows', { import: String(imported.id), rows: 'processed' })[0]
        ?.value,
    ).toBe(0);
    const heartbeats = find(after, 'subflow_worker_heartbeat_age_seconds');
    expect(heartbeats).toHaveLength(1);
    expect(heartbeats[0]?.value).toBeLessThan(60);
    expect(find(after, 'subflow_metrics_database_up')[0]?.value).toBe(1);
    // Node's own, and the domain counters ported to the same registry.
    expect(find(after, 'subflow_process_resident_memory_bytes')[0]?.value).toBeGreaterThan(0);
    expect(after.some((s) => s.name.startsWith('subflow_nodejs_eventloop_lag'))).toBe(true);
  });

  it('is off unless asked for, and asks for METRICS_TOKEN when one is set', async () => {
    await start({});
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    await server.close();
    await database.drop();

    const token = 'metrics-token-0123456789';
    await start({ METRICS: 'true', METRICS_TOKEN: token });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-wrong-0000' },
    });
    expect(wrong.status).toBe(401);
    const samples = await scrape(server.url, { authorization: `Bearer ${token}` });
    expect(find(samples, 'subflow_outbox_pending')).toHaveLength(1);
  });

  it('serves METRICS_PORT on a listener of its own, and not on the main port', async () => {
    await start({ METRICS_PORT: '0' });
    expect(server.metricsUrl).toBeDefined();
    expect(server.metricsUrl).not.toBe(server.url);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    await server.subscribe('newsletter', { email: 'port@example.com' });
    expect((await server.api('/api/v1/contacts/424242')).status).toBe(404);
    expect((await fetch(`${server.url}/no/such/page`)).status).toBe(404);
    const samples = await scrape(server.metricsUrl);
    // The API's routes by their pattern; a path no route takes is `unmatched`, not itself.
    expect(
      find(samples, 'subflow_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/v1/contacts/:id',
        status: '404',
      }),
    ).toHaveLength(1);
    expect(
      find(samples, 'subflow_http_request_duration_seconds_count', {
        route: 'unmatched',
        status: '404',
      }).length,
    ).toBeGreaterThan(0);
    expect(
      samples.some(
        (s) => s.labels.route?.includes('424242') || s.labels.route?.includes('no/such'),
      ),
    ).toBe(false);
    // Requests to the main port are timed there too.
    expect(
      find(samples, 'subflow_http_request_duration_seconds_count', {
        route: '/v1/forms/:formId/subscribe',
      }).length,
    ).toBeGreaterThan(0);
    expect(find(samples, 'subflow_workflow_runs_waiting')).toHaveLength(1);
  });
});
