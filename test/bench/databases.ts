// Databases the bench runs on: a file in a temp dir (SQLite), and a fresh schema per server on
// PostgreSQL when BENCH_DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

export interface FreshDatabase {
  /** A DATABASE_URL for the server (or baseline) that gets this database to itself. */
  url: string;
  drop(): Promise<void>;
}

export interface BenchDatabase {
  label: 'sqlite' | 'postgres';
  /** A new, empty database: every measured server starts from the same state. */
  create(name: string): Promise<FreshDatabase>;
}

export function sqliteDatabase(tmpDir: string): BenchDatabase {
  return {
    label: 'sqlite',
    // The temp dir is removed at the end of the run, so there is nothing to drop per database.
    create: async (name) => ({
      url: `sqlite:${join(tmpDir, `${name}-${randomBytes(4).toString('hex')}.db`)}`,
      drop: async () => {},
    }),
  };
}

/** One schema per server, as the tests do, so a run never touches tables it did not create. */
export function postgresDatabase(adminUrl: string): BenchDatabase {
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    label: 'postgres',
    async create(name) {
      const schema = `bench_${name.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
      await run(`create schema ${schema}`);
      const url = new URL(adminUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return { url: url.toString(), drop: () => run(`drop schema if exists ${schema} cascade`) };
    },
  };
}

export function benchDatabases(tmpDir: string, env = process.env): BenchDatabase[] {
  const databases = [sqliteDatabase(tmpDir)];
  if (env.BENCH_DATABASE_URL) databases.push(postgresDatabase(env.BENCH_DATABASE_URL));
  return databases;
}
