// Decides once per run whether PostgreSQL tests run: required under CI, skipped loudly otherwise.
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { capabilitiesFor } from '../../server/db/dialect.ts';

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
 * test runner) still has its own in use, and dropping those made its tests fail at random. The drops
 * hold the migration lock: a migrator of that other run reads the whole catalog, and failed when a
 * schema vanished under it.
 */
async function dropTestSchemas(prefix: string): Promise<void> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_ADMIN_URL, max: 1 }) }),
  });
  try {
    await capabilitiesFor('postgres').migratingAlone(db, async (conn) => {
      const { rows } = await sql<{ name: string }>`
        select nspname as name from pg_namespace where starts_with(nspname, ${prefix})`.execute(
        conn,
      );
      for (const { name } of rows)
        await sql`drop schema if exists ${sql.id(name)} cascade`.execute(conn);
    });
  } finally {
    await db.destroy();
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
