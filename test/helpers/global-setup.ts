// Decides once per run whether PostgreSQL tests run: required under CI, skipped loudly otherwise.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

export const PG_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    /** Starts the name of every schema this run creates (test/helpers/databases.ts). */
    schemaPrefix: string;
  }
}

/**
 * Drops this run's schemas only: another run on the same database (a second worktree, an editor's
 * test runner) still has its own in use, and dropping those made its tests fail at random.
 */
async function dropTestSchemas(prefix: string): Promise<void> {
  const client = new pg.Client(PG_ADMIN_URL);
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'select nspname as name from pg_namespace where starts_with(nspname, $1)',
      [prefix],
    );
    for (const { name } of rows) await client.query(`drop schema if exists ${name} cascade`);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    const prefix = `t_${randomBytes(4).toString('hex')}_`;
    project.provide('postgresUrl', PG_ADMIN_URL);
    project.provide('schemaPrefix', prefix);
    return () => dropTestSchemas(prefix);
  } catch (err) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is required when CI=true but ${PG_ADMIN_URL} is not reachable`, {
        cause: err,
      });
    }
    process.stderr.write(
      `\n!!! PostgreSQL not reachable at ${PG_ADMIN_URL}: PostgreSQL variants of the DB tests are SKIPPED.\n\n`,
    );
    project.provide('postgresUrl', null);
    project.provide('schemaPrefix', '');
  } finally {
    await client.end().catch(() => {});
  }
}
