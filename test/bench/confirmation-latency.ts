// Time from a subscribe's 202 to its confirmation mail reaching SMTP, under a moderate steady load.
import { type BenchModule, withSubflow } from './context.ts';
import { emailSequence, runLoad, warmUp } from './load.ts';
import { toMb } from './processes.ts';
import type { Measurement } from './report.ts';
import { percentile } from './stats.ts';

/** "A few hundred subscribes/s": busy, but well below the throughput ceiling. */
const RATE = 300;
const CONNECTIONS = 20;
/** How long to wait for the last mails after the load stops before counting them missing. */
const DRAIN_TIMEOUT_MS = 20_000;

export const confirmationLatencyBench: BenchModule = {
  name: 'confirmation-latency',
  async run(ctx) {
    const rows: Measurement[] = [];
    for (const database of ctx.databases) {
      const section = `confirmation mail (${database.label})`;
      await withSubflow(ctx, database, 'confirmation', async (server) => {
        ctx.progress(`${server.name}: confirmation latency at ${RATE}/s for ${ctx.measureS} s`);
        const before = ctx.smtp.received;
        const warmed = await warmUp(server, ctx.warmupS);
        // The warm-up's mails must be out, or this run would wait behind their backlog.
        await ctx.smtp.waitForReceived(before + warmed, DRAIN_TIMEOUT_MS);

        const emails = emailSequence('confirm');
        const acceptedAt = new Map<string, number>();
        ctx.smtp.watchPrefix = emails.prefix;
        ctx.smtp.arrivals.clear();
        const load = await runLoad(server, {
          connections: CONNECTIONS,
          durationS: ctx.measureS,
          overallRate: RATE,
          nextEmail: emails.next,
          onAccepted: (email, at) => acceptedAt.set(email, at),
        });
        const deadline = Date.now() + DRAIN_TIMEOUT_MS;
        while (ctx.smtp.arrivals.size < acceptedAt.size && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        ctx.smtp.watchPrefix = undefined;

        const latencies: number[] = [];
        for (const [email, at] of acceptedAt) {
          const arrived = ctx.smtp.arrivals.get(email);
          // The mail can beat the client's parse of the 202 by a hair: that is zero latency.
          if (arrived !== undefined) latencies.push(Math.max(0, arrived - at));
        }
        latencies.sort((a, b) => a - b);
        const missing = acceptedAt.size - latencies.length;
        rows.push(
          {
            section,
            name: `subscribes answered (${RATE}/s offered)`,
            value: load.rate,
            unit: 'req/s',
          },
          {
            section,
            name: '202 → mail received: p50',
            value: percentile(latencies, 50),
            unit: 'ms',
          },
          {
            section,
            name: '202 → mail received: p99',
            value: percentile(latencies, 99),
            unit: 'ms',
            target: { op: '<', limit: 500 },
            note: `${latencies.length} mails timed`,
          },
          { section, name: '202 → mail received: max', value: latencies.at(-1) ?? NaN, unit: 'ms' },
          {
            section,
            name: `mails missing ${DRAIN_TIMEOUT_MS / 1000} s after the load`,
            value: missing,
            unit: 'count',
            target: { op: '<=', limit: 0 },
          },
          { section, name: 'subscribe p99 at this rate', value: load.p99, unit: 'ms' },
          { section, name: 'server peak RSS', value: toMb(load.peakRss), unit: 'MB' },
        );
      });
    }
    return rows;
  },
};
