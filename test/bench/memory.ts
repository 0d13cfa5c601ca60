// Server memory under repeated subscribe load: peak RSS per run, and growth from run to run.
import { type BenchModule, withSubflow } from './context.ts';
import { emailSequence, runLoad, warmUp } from './load.ts';
import { sampleRss, toMb } from './processes.ts';
import type { Measurement } from './report.ts';

const RUNS = 3;
/** Shorter than the throughput run: three runs plus three outbox drains must fit the time budget. */
const RUN_FRACTION = 0.6;
const CONNECTIONS = 50;
/** Mail queued during a run is sent before memory is read, so every reading has an empty outbox. */
const DRAIN_TIMEOUT_MS = 30_000;
/** Settled memory may move a little (allocator, JIT code); more than this across runs is a leak. */
const MAX_GROWTH_PERCENT = 10;

const growth = (first: number, last: number) => (100 * (last - first)) / first;

export const memoryBench: BenchModule = {
  name: 'memory',
  async run(ctx) {
    // One database is enough to see a leak in the process; SQLite is the one with targets.
    const database = ctx.databases[0];
    if (!database) return [];
    const section = `memory (${database.label})`;
    const rows: Measurement[] = [];
    await withSubflow(ctx, database, 'memory', async (server) => {
      const warmStart = ctx.smtp.received;
      const warmed = await warmUp(server, ctx.warmupS);
      await ctx.smtp.waitForReceived(warmStart + warmed, DRAIN_TIMEOUT_MS);

      const settled: { rss: number; heapUsed: number }[] = [];
      for (let run = 1; run <= RUNS; run++) {
        const durationS = Math.max(1, Math.round(ctx.measureS * RUN_FRACTION));
        ctx.progress(`${server.name}: memory run ${run}/${RUNS}, ${durationS} s`);
        const before = ctx.smtp.received;
        // Sampled until the outbox is empty: draining the queued mail is part of the run's cost.
        const rss = sampleRss(server.pid);
        const load = await runLoad(server, {
          connections: CONNECTIONS,
          durationS,
          nextEmail: emailSequence(`memory${run}`).next,
        });
        const drainStart = Date.now();
        const drained = await ctx.smtp.waitForReceived(before + load.accepted, DRAIN_TIMEOUT_MS);
        const peakRss = await rss.stop();
        const memory = await server.memoryAfterGc();
        settled.push(memory);
        rows.push(
          {
            section,
            name: `run ${run}: peak RSS (load, then mail)`,
            value: toMb(peakRss),
            unit: 'MB',
            note: `${load.accepted} subscribes`,
          },
          {
            section,
            name: `run ${run}: RSS after (mail sent, GC)`,
            value: toMb(memory.rss),
            unit: 'MB',
            note: drained
              ? `outbox drained in ${((Date.now() - drainStart) / 1000).toFixed(1)} s`
              : `outbox NOT drained after ${DRAIN_TIMEOUT_MS / 1000} s`,
          },
        );
      }
      const first = settled[0];
      const last = settled.at(-1);
      if (!first || !last) return;
      rows.push(
        {
          section,
          name: `RSS growth run 1 → ${RUNS}`,
          value: growth(first.rss, last.rss),
          unit: '%',
          target: { op: '<', limit: MAX_GROWTH_PERCENT },
        },
        {
          section,
          name: `JS heap growth run 1 → ${RUNS}`,
          value: growth(first.heapUsed, last.heapUsed),
          unit: '%',
          note: `${toMb(first.heapUsed).toFixed(1)} → ${toMb(last.heapUsed).toFixed(1)} MB after GC`,
        },
      );
    });
    return rows;
  },
};
