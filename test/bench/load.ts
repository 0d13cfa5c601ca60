// Drives a server with autocannon: POSTs of unique subscribe bodies, with the server's RSS sampled.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { type ServerChild, sampleRss } from './processes.ts';

export const SUBSCRIBE_PATH = '/v1/forms/newsletter/subscribe';

export interface LoadOptions {
  connections: number;
  durationS: number;
  /** Requests/s over all connections; unset: closed loop, as fast as the server answers. */
  overallRate?: number;
  /** Next address to subscribe; must never repeat, or Subflow answers from the update path. */
  nextEmail: () => string;
  /** Called with the address and the time (performance.now()) its 202 arrived. */
  onAccepted?: (email: string, at: number) => void;
}

export interface LoadResult {
  /** 2xx answers per second; failed requests do not count as throughput. */
  rate: number;
  p50: number;
  p99: number;
  accepted: number;
  /** Non-2xx answers, socket errors and timeouts together. */
  failed: number;
  peakRss: number;
}

/** `prefix-1@example.com`, `prefix-2@…`; the prefix is random so reruns on one DB never collide. */
export function emailSequence(label: string): { prefix: string; next: () => string } {
  const prefix = `${label}-${randomBytes(4).toString('hex')}-`;
  let n = 0;
  return { prefix, next: () => `${prefix}${++n}@example.com` };
}

export async function runLoad(server: ServerChild, opts: LoadOptions): Promise<LoadResult> {
  const rss = sampleRss(server.pid);
  const result = await autocannon({
    url: server.url,
    connections: opts.connections,
    duration: opts.durationS,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: SUBSCRIBE_PATH,
        headers: { 'content-type': 'application/json', 'user-agent': 'subflow-bench' },
        // `context` belongs to one connection, and a connection has one request in flight
        // (no pipelining), so it carries the address from the request to its response.
        setupRequest: (request, context) => {
          const email = opts.nextEmail();
          context.email = email;
          return { ...request, body: JSON.stringify({ email }) };
        },
        onResponse: (status, _body, context) => {
          if (status === 202 && opts.onAccepted) {
            opts.onAccepted(context.email as string, performance.now());
          }
        },
      },
    ],
  });
  const peakRss = await rss.stop();
  return {
    rate: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    accepted: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    peakRss,
  };
}

/** A short closed-loop run whose figures are thrown away: JIT, caches and DB pages warm up. */
export async function warmUp(server: ServerChild, durationS: number): Promise<number> {
  const emails = emailSequence('warmup');
  const { accepted } = await runLoad(server, {
    connections: 50,
    durationS,
    nextEmail: emails.next,
  });
  return accepted;
}

/**
 * The same load spread over several servers (one database): each gets its share of the
 * connections and of the rate, all at once. Rates and counts add up; autocannon reports
 * percentiles per run, not histograms, so p50 and p99 are the worst server's (an upper bound).
 */
export async function runLoadAcross(
  servers: ServerChild[],
  opts: LoadOptions,
): Promise<LoadResult> {
  const share = (n: number) => Math.max(1, Math.round(n / servers.length));
  const results = await Promise.all(
    servers.map((server) =>
      runLoad(server, {
        ...opts,
        connections: share(opts.connections),
        ...(opts.overallRate ? { overallRate: share(opts.overallRate) } : {}),
      }),
    ),
  );
  const sum = (pick: (r: LoadResult) => number) => results.reduce((a, r) => a + pick(r), 0);
  return {
    rate: sum((r) => r.rate),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    accepted: sum((r) => r.accepted),
    failed: sum((r) => r.failed),
    peakRss: Math.max(...results.map((r) => r.peakRss)),
  };
}
