// Workflow engine: steps/s through a burst of 10,000 new runs, and how late `wait: 1s` timers fire
// while up to 100,000 runs are waiting; measured from the engine's own tables.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchContext, type BenchModule, withSubflows } from './context.ts';
import { type EngineDb, openEngineDb } from './engine-db.ts';
import { emailSequence, SUBSCRIBE_PATH } from './load.ts';
import type { ServerChild } from './processes.ts';
import type { Measurement } from './report.ts';
import { ascending, percentile } from './stats.ts';

/** Only the bench's workflows run: the shipped ones would add work the figures do not name. */
const WORKFLOWS: Record<string, string> = {
  'burst.yaml': 'name: burst\non: burst\nsteps:\n  - add_tags: [burst]\n',
  'sleepy.yaml': 'name: sleepy\non: sleepy\nsteps:\n  - wait: 1h\n',
  'timer.yaml': 'name: timer\non: timer\nsteps:\n  - wait: 1s\n  - add_tags: [fired]\n',
};

const BURST = 10_000;
const SLEEPERS_MAX = 100_000;
const SLEEPER_BATCH = 10_000;
/** Filling the waiting runs may take this many seconds per second of --quick/normal load time. */
const SLEEPERS_BUDGET_PER_MEASURE_S = 6;
const TIMERS = 200;
const TIMER_MS = 1_000;
/** Far above any plausible figure; reaching it means the engine is stuck, not slow. */
const STUCK_MS = 180_000;

/** Polls `done` until it holds; false after `timeoutMs`. */
async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Rows written by another process do not wake the engine; a public subscribe does (as any real
 * event does), instead of waiting up to a second for its poll.
 */
async function wake(server: ServerChild): Promise<void> {
  const res = await fetch(`${server.url}${SUBSCRIBE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: emailSequence('wake').next() }),
  });
  await res.arrayBuffer();
}

const count = async (db: EngineDb, where: string) =>
  (await db.row(`select count(*) as n from workflow_runs where ${where}`)).n ?? 0;

async function burst(
  db: EngineDb,
  servers: ServerChild[],
  section: string,
  minStepsPerS: number | undefined,
): Promise<Measurement[]> {
  await db.insertContactEvents('burst', BURST);
  const wokenAt = Date.now();
  await Promise.all(servers.map(wake));
  const burstSteps = `from workflow_steps s join workflow_runs r on r.id = s.run_id
    where r.workflow = 'burst' and s.step_id = 'steps.0' and s.status = 'completed'`;
  await until(
    async () => ((await db.row(`select count(*) as n ${burstSteps}`)).n ?? 0) >= BURST,
    STUCK_MS,
  );
  const s = await db.row(
    `select count(*) as steps, count(distinct s.run_id) as runs, min(s.started_at) as first,
       max(s.finished_at) as last ${burstSteps}`,
  );
  const { dispatched = Number.NaN } = await db.row(
    `select max(created_at) as dispatched from workflow_runs where workflow = 'burst'`,
  );
  const { tagged = 0 } = await db.row(
    `select count(*) as tagged from contact_tags ct join tags t on t.id = ct.tag_id
     where t.name = 'burst'`,
  );
  const steps = s.steps ?? 0;
  const runs = s.runs ?? 0;
  const last = s.last ?? Number.NaN;
  return [
    {
      section,
      name: `burst: ${BURST} events → first steps completed`,
      value: steps / ((last - wokenAt) / 1000),
      unit: 'steps/s',
      target: minStepsPerS === undefined ? undefined : { op: '>=', limit: minStepsPerS },
      note: `${((last - wokenAt) / 1000).toFixed(1)} s from the wake-up request`,
    },
    {
      section,
      name: 'burst: events dispatched into runs',
      value: dispatched - wokenAt,
      unit: 'ms',
      // The engine dispatches every pending event before it advances any run.
      note: `wake-up → last of ${BURST} runs created`,
    },
    {
      section,
      name: 'burst: step execution alone (first step start → last)',
      value: steps / (((s.last ?? 0) - (s.first ?? 0)) / 1000),
      unit: 'steps/s',
    },
    {
      section,
      name: 'burst: lost + duplicated first steps',
      value: BURST - runs + (steps - runs),
      unit: 'count',
      target: { op: '<=', limit: 0 },
      note: `${steps} steps, ${runs} distinct runs, ${tagged} contacts tagged`,
    },
  ];
}

/** Fills the engine with runs sleeping `wait: 1h`, batch by batch, as many as fit the budget. */
async function fillSleepers(ctx: BenchContext, db: EngineDb, server: ServerChild) {
  const budgetMs = ctx.measureS * SLEEPERS_BUDGET_PER_MEASURE_S * 1000;
  const startedAt = Date.now();
  let created = 0;
  let lastBatchMs = 0;
  // A batch is finished before the next starts, so the timers below never compete with it.
  while (created < SLEEPERS_MAX && Date.now() - startedAt + lastBatchMs <= budgetMs) {
    const batchStart = Date.now();
    const batch = Math.min(SLEEPER_BATCH, SLEEPERS_MAX - created);
    await db.insertContactEvents('sleepy', batch);
    await wake(server);
    created += batch;
    const target = created;
    const settled = await until(
      async () => (await count(db, `workflow = 'sleepy' and status = 'waiting'`)) >= target,
      STUCK_MS,
    );
    if (!settled) throw new Error(`${target} sleeping runs not all waiting after ${STUCK_MS} ms`);
    lastBatchMs = Date.now() - batchStart;
    ctx.progress(`${server.name}: ${created} runs waiting (last batch ${lastBatchMs} ms)`);
  }
  return { created, ms: Date.now() - startedAt };
}

/** Starts TIMERS runs of `wait: 1s`, waits for them to end; lateness of each wait, ascending. */
async function timers(db: EngineDb, server: ServerChild): Promise<number[]> {
  const { before = 0 } = await db.row(`select coalesce(max(id), 0) as before from workflow_runs`);
  await db.insertContactEvents('timer', TIMERS);
  await wake(server);
  await until(
    async () =>
      (await count(db, `workflow = 'timer' and status = 'completed' and id > ${before}`)) >= TIMERS,
    TIMER_MS + 30_000,
  );
  // Both times are the server's clock: started_at when the wait began, finished_at when it ended.
  return ascending(
    await db.column(
      `select s.finished_at - s.started_at - ${TIMER_MS} from workflow_steps s
       join workflow_runs r on r.id = s.run_id
       where r.workflow = 'timer' and r.id > ${before} and s.step_id = 'steps.0'
         and s.status = 'completed'`,
    ),
  );
}

function timerRows(
  section: string,
  idle: number[],
  busy: number[],
  sleepers: { created: number; ms: number },
  judged: boolean,
): Measurement[] {
  const waiting = `${sleepers.created.toLocaleString('en')} runs waiting`;
  return [
    {
      section,
      name: 'timer: wait 1s lateness p99, no runs waiting',
      value: percentile(idle, 99),
      unit: 'ms',
      note: `p50 ${percentile(idle, 50)} ms, first ${idle[0]} ms; control for the rows below`,
    },
    {
      section,
      name: `sleepers: runs started into wait 1h (${waiting})`,
      value: sleepers.created / (sleepers.ms / 1000),
      unit: 'steps/s',
      note:
        sleepers.created < SLEEPERS_MAX
          ? `${sleepers.created} of ${SLEEPERS_MAX}: the rest did not fit the time budget`
          : `in ${(sleepers.ms / 1000).toFixed(1)} s`,
    },
    {
      section,
      name: `timer: wait 1s lateness p50 (${waiting})`,
      value: percentile(busy, 50),
      unit: 'ms',
    },
    {
      section,
      name: `timer: wait 1s lateness p99 (${waiting})`,
      value: percentile(busy, 99),
      unit: 'ms',
      target: judged ? { op: '<', limit: 100 } : undefined,
      // The first timer shows how exactly the engine wakes; the later ones, how fast it fires.
      note: `first ${busy[0]} ms, max ${busy.at(-1)} ms over ${busy.length} timers`,
    },
    {
      section,
      name: 'timer: timers not fired within 30 s',
      value: 2 * TIMERS - idle.length - busy.length,
      unit: 'count',
      target: { op: '<=', limit: 0 },
    },
  ];
}

export const engineBench: BenchModule = {
  name: 'engine',
  async run(ctx) {
    const workflowsDir = mkdtempSync(join(tmpdir(), 'subflow-bench-workflows-'));
    for (const [file, yaml] of Object.entries(WORKFLOWS)) {
      writeFileSync(join(workflowsDir, file), yaml);
    }
    const rows: Measurement[] = [];
    try {
      for (const database of ctx.databases) {
        const section = `engine (${database.label})`;
        // Issue 12's targets on SQLite; issue 11's burst target on PostgreSQL (one process and two
        // sharing the database); correctness (nothing lost) everywhere.
        const sqlite = database.label === 'sqlite';
        const minBurst = sqlite ? 2_000 : 1_500;
        const env = { WORKFLOWS_DIR: workflowsDir };
        const use = async ([server]: ServerChild[], url: string) => {
          if (!server) throw new Error('no server');
          const db = await openEngineDb(url);
          try {
            ctx.progress(`${server.name}: burst of ${BURST} runs`);
            const burstRows = await burst(db, [server], section, minBurst);
            ctx.progress(`${server.name}: ${TIMERS} timers, no runs waiting`);
            const idle = await timers(db, server);
            const sleepers = await fillSleepers(ctx, db, server);
            ctx.progress(`${server.name}: ${TIMERS} timers among ${sleepers.created} waiting runs`);
            const busy = await timers(db, server);
            return [...burstRows, ...timerRows(section, idle, busy, sleepers, sqlite)];
          } finally {
            await db.close();
          }
        };
        rows.push(...(await withSubflows(ctx, database, 'engine', 1, use, env)));
        if (sqlite) continue;
        const pair = async (servers: ServerChild[], url: string) => {
          const db = await openEngineDb(url);
          try {
            ctx.progress(`${servers.length} processes: burst of ${BURST} runs`);
            return await burst(db, servers, `${section.slice(0, -1)}, 2 processes)`, minBurst);
          } finally {
            await db.close();
          }
        };
        rows.push(...(await withSubflows(ctx, database, 'engine', 2, pair, env)));
      }
    } finally {
      rmSync(workflowsDir, { recursive: true, force: true });
    }
    return rows;
  },
};
