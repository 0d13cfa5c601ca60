// The interface of a bench module and what the runner hands it: the SMTP sink, databases, servers.
import type { BenchDatabase } from './databases.ts';
import { type ServerChild, startChild } from './processes.ts';
import type { Measurement } from './report.ts';
import type { SmtpSink } from './smtp-sink.ts';

export interface BenchContext {
  smtp: SmtpSink;
  databases: BenchDatabase[];
  /** Seconds of load per measured run, and of warm-up before it (shorter with --quick). */
  measureS: number;
  warmupS: number;
  /** A progress line on stderr, so stdout holds only the table. */
  progress(line: string): void;
}

/** One area of the bench (subscribe, confirmation latency, memory, …); add new ones in run.ts. */
export interface BenchModule {
  name: string;
  run(ctx: BenchContext): Promise<Measurement[]>;
}

/** Public subscribes per minute per IP: far beyond any run, so the limiter never answers 429. */
const NO_RATE_LIMIT = '100000000';

/**
 * The load is a script at thousands of subscribes a second to one form and one domain: the bot
 * defence would rightly ask it for proofs of work and pace its mail. Thresholds and budgets far
 * beyond any run keep both checks in the path (and in the figures) without tripping them.
 */
const NO_BOT_LIMITS = {
  CHALLENGE_FORM_RATE: NO_RATE_LIMIT,
  CHALLENGE_DOMAIN_RATE: NO_RATE_LIMIT,
  CONFIRMATIONS_PER_DOMAIN: NO_RATE_LIMIT,
  CONFIRMATIONS_PER_FORM: NO_RATE_LIMIT,
};

/**
 * Autocannon stops at the end of its duration without waiting for answers still due; the server
 * keeps running those requests, so give them a moment before asking it to shut down.
 */
const SETTLE_MS = 1_000;

async function using<T>(server: ServerChild, use: (s: ServerChild) => Promise<T>): Promise<T> {
  try {
    return await use(server);
  } finally {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    await server.stop();
  }
}

/**
 * Runs `use` against a Subflow server child on a fresh database, mailing to the SMTP sink.
 * `use` also gets the database's URL, for modules that seed or inspect it directly; `env` adds
 * to the child's environment (e.g. WORKFLOWS_DIR).
 */
export function withSubflow<T>(
  ctx: BenchContext,
  database: BenchDatabase,
  name: string,
  use: (server: ServerChild, databaseUrl: string) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  return withSubflows(
    ctx,
    database,
    name,
    1,
    ([server], url) => use(server as ServerChild, url),
    env,
  );
}

/**
 * Like withSubflow with `count` server children on one fresh database (on PostgreSQL, the
 * scale-out set-up: each process `--role all`). The children are stopped together.
 */
export async function withSubflows<T>(
  ctx: BenchContext,
  database: BenchDatabase,
  name: string,
  count: number,
  use: (servers: ServerChild[], databaseUrl: string) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const fresh = await database.create(name);
  const servers: ServerChild[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      const label = count > 1 ? `subflow ${i}/${count}` : 'subflow';
      servers.push(
        await startChild(`${label} (${database.label})`, './subflow-server.ts', [], {
          DATABASE_URL: fresh.url,
          SMTP_URL: ctx.smtp.url,
          SUBSCRIBE_RATE_LIMIT: NO_RATE_LIMIT,
          API_RATE_LIMIT: NO_RATE_LIMIT,
          ...NO_BOT_LIMITS,
          ...env,
        }),
      );
    }
    return await use(servers, fresh.url);
  } finally {
    // Autocannon stops without waiting for answers still due: give them a moment (SETTLE_MS).
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    await Promise.all(servers.map((s) => s.stop()));
    await fresh.drop();
  }
}

/** Runs `use` against a baseline child: `hello`, or `minimal` on a fresh database. */
export async function withBaseline<T>(
  mode: 'hello' | 'minimal',
  database: BenchDatabase | undefined,
  use: (server: ServerChild) => Promise<T>,
): Promise<T> {
  const fresh = database ? await database.create(`baseline_${mode}`) : undefined;
  try {
    const args = fresh ? [mode, fresh.url] : [mode];
    const server = await startChild(`baseline ${mode}`, './baseline-server.ts', args);
    return await using(server, use);
  } finally {
    await fresh?.drop();
  }
}
