// Opens the database named by DATABASE_URL: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { attachCounters } from './counters.ts';
import { capabilitiesFor, type DialectCapabilities } from './dialect.ts';
import type { Database } from './schema.ts';

export type DB = Kysely<Database>;

export interface OpenDatabase {
  db: DB;
  dialect: DialectCapabilities;
  close(): Promise<void>;
}

const INT8_OID = 20;
const STATEMENT_CACHE_SIZE = 500;
/** PostgreSQL connections for counters (db/counters.ts), beside DATABASE_POOL_SIZE. */
const COUNTER_CONNECTIONS = 3;

/**
 * Moves most WAL checkpointing to a worker thread. A checkpoint fsyncs, and better-sqlite3 is
 * synchronous: on the main thread the automatic checkpoints stalled every request (the server sat
 * in fsync a third of the time under load on this machine's disk; p99 went from ~400 to ~110 ms).
 * Commits in WAL mode with synchronous=NORMAL do not fsync.
 */
function startCheckpointer(
  sqlite: SqliteDatabase.Database,
  path: string,
): { stop(): Promise<void> } {
  // The worker does the copying and syncing; the main connection still checkpoints now and then
  // (with little left to do) because only a checkpoint between two writes lets the WAL start over.
  sqlite.pragma('wal_autocheckpoint = 4000');
  sqlite.pragma('journal_size_limit = 67108864');
  const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
    workerData: { path, intervalMs: 250 },
  });
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        // Keeps the process alive until the last checkpoint is done.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }),
  };
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small statement, and the
 * same few hundred SQL texts repeat, so prepared statements are kept and reused.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const statements = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return Object.assign(Object.create(sqlite) as SqliteDatabase.Database, {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        // Queries with IN lists vary in text; a full cache starts over rather than grow forever.
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  });
}

/**
 * `poolSize`: PostgreSQL connections this process may hold (DATABASE_POOL_SIZE); SQLite has one.
 * @example const { db, close } = openDatabase('sqlite::memory:');
 */
export function openDatabase(url: string, opts: { poolSize?: number } = {}): OpenDatabase {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const checkpointer = path === ':memory:' ? undefined : startCheckpointer(sqlite, path);
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
    return {
      db,
      dialect: capabilitiesFor('sqlite'),
      close: async () => {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const db = postgresHandle(url, opts.poolSize ?? 10);
  // A few connections of its own: a transaction waiting for a counter must never wait for a pooled
  // connection that only another such transaction could give back.
  const counters = postgresHandle(url, COUNTER_CONNECTIONS, 'set synchronous_commit = off');
  attachCounters(db, counters);
  return {
    db,
    dialect: capabilitiesFor('postgres'),
    close: async () => {
      await db.destroy();
      await counters.destroy();
    },
  };
}

/** `setup`: a statement each new connection runs first. */
function postgresHandle(url: string, max: number, setup?: string): DB {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // Ids and counts are int8; they stay far below 2^53, so plain numbers are safe.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format),
    } as pg.CustomTypesConfig,
  });
  // An idle connection the server ends (a restart, idle_session_timeout) is reported here; pg has
  // already dropped it and the next query opens another. Unheard, the event ends the process.
  pool.on('error', () => {});
  // pg runs a client's queries in order, so this goes first on a new connection. Not Kysely's
  // onCreateConnection: a setup that failed there kept its connection checked out for good, and
  // three such left every counter waiting. Failed here, the connection serves without it.
  if (setup) pool.on('connect', (client) => void client.query(setup).catch(() => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
