// Decides once per run whether PostgreSQL tests run: required under CI, skipped loudly otherwise.
import pg from 'pg';
import type { TestProject } from 'vitest/node';

export const PG_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

/** Test schemas are named t_<hex> (test/helpers/databases.ts) and dropped after the run. */
async function dropTestSchemas(): Promise<void> {
  const client = new pg.Client(PG_ADMIN_URL);
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "select nspname as name from pg_namespace where nspname ~ '^t_[0-9a-f]{12}$'",
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
    project.provide('postgresUrl', PG_ADMIN_URL);
    return dropTestSchemas;
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
  } finally {
    await client.end().catch(() => {});
  }
}
