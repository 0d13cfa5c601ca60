// Subscribe throughput and latency at 50 connections, as ratios to two baselines measured just before.

import { type BenchContext, type BenchModule, withBaseline, withSubflows } from './context.ts';
import type { BenchDatabase } from './databases.ts';
import { emailSequence, type LoadResult, runLoadAcross, warmUp } from './load.ts';
import { type ServerChild, toMb } from './processes.ts';
import type { Measurement, Target } from './report.ts';

const CONNECTIONS = 50;

interface Targets {
  rate?: Target;
  vsMinimal: Target;
  p99?: Target;
  peakRss?: Target;
}

/**
 * SQLite: one box (issues 5 and 12). PostgreSQL: issue 11, half the minimal route's rate, with
 * one process and with two sharing the database (each compared with the one minimal route).
 */
const TARGETS: Record<BenchDatabase['label'], { targets: Targets; processes: number[] }> = {
  sqlite: {
    targets: {
      rate: { op: '>=', limit: 3_000 },
      vsMinimal: { op: '>=', limit: 60 },
      p99: { op: '<', limit: 30 },
      peakRss: { op: '<', limit: 150 },
    },
    processes: [1],
  },
  postgres: { targets: { vsMinimal: { op: '>=', limit: 50 } }, processes: [1, 2] },
};

async function measure(
  ctx: BenchContext,
  servers: ServerChild[],
  label: string,
): Promise<LoadResult> {
  ctx.progress(
    `${servers.map((s) => s.name).join(', ')}: warm-up ${ctx.warmupS} s, then ${ctx.measureS} s`,
  );
  for (const server of servers) await warmUp(server, ctx.warmupS);
  const emails = emailSequence(label);
  return runLoadAcross(servers, {
    connections: CONNECTIONS,
    durationS: ctx.measureS,
    nextEmail: emails.next,
  });
}

/** Rate and latency rows shared by the baselines and Subflow. */
function loadRows(section: string, what: string, r: LoadResult): Measurement[] {
  return [
    { section, name: `${what}: throughput`, value: r.rate, unit: 'req/s' },
    { section, name: `${what}: p50 latency`, value: r.p50, unit: 'ms' },
    { section, name: `${what}: p99 latency`, value: r.p99, unit: 'ms' },
  ];
}

function subflowRows(
  section: string,
  targets: Targets,
  subflow: LoadResult,
  minimal: LoadResult,
  hello: LoadResult,
): Measurement[] {
  const [rate, p50, p99] = loadRows(section, 'subflow', subflow) as [
    Measurement,
    Measurement,
    Measurement,
  ];
  return [
    { ...rate, target: targets.rate },
    p50,
    { ...p99, target: targets.p99 },
    {
      section,
      name: 'subflow / minimal route',
      value: (100 * subflow.rate) / minimal.rate,
      unit: '%',
      target: targets.vsMinimal,
    },
    { section, name: 'subflow / hello route', value: (100 * subflow.rate) / hello.rate, unit: '%' },
    {
      section,
      name: 'subflow: failed requests',
      value: subflow.failed,
      unit: 'count',
      target: { op: '<=', limit: 0 },
      note: 'non-2xx, socket errors, timeouts',
    },
    {
      section,
      name: 'subflow: peak RSS',
      value: toMb(subflow.peakRss),
      unit: 'MB',
      target: targets.peakRss,
      note: `minimal route ${toMb(minimal.peakRss).toFixed(0)} MB`,
    },
  ];
}

export const subscribeBench: BenchModule = {
  name: 'subscribe',
  async run(ctx) {
    const rows: Measurement[] = [];
    const hello = await withBaseline('hello', undefined, (s) => measure(ctx, [s], 'hello'));
    rows.push(...loadRows('baselines', 'hello route (HTTP ceiling)', hello));

    for (const database of ctx.databases) {
      const { targets, processes } = TARGETS[database.label];
      const minimal = await withBaseline('minimal', database, (s) => measure(ctx, [s], 'minimal'));
      rows.push(...loadRows(`subscribe (${database.label})`, 'minimal route (raw SQL)', minimal));
      for (const count of processes) {
        const section = `subscribe (${database.label}${count > 1 ? `, ${count} processes` : ''})`;
        const subflow = await withSubflows(ctx, database, 'subscribe', count, (servers) =>
          measure(ctx, servers, 'subscribe'),
        );
        rows.push(...subflowRows(section, targets, subflow, minimal, hello));
      }
    }
    return rows;
  },
};
