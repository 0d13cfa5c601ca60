// One fresh database per test, on each dialect: a temp SQLite file, or a new PostgreSQL schema.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, inject } from 'vitest';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../../server/db/open-database.ts';

export type TestDialect = 'sqlite' | 'postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** The dialects to run DB tests on; use with `describe.each(testDialects())`. */
export function testDialects(): TestDialect[] {
  return inject('postgresUrl') ? ['sqlite', 'postgres'] : ['sqlite'];
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'subflow-test-'));
    return {
      url: `sqlite:${join(dir, 'subflow.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = inject('postgresUrl');
  if (!admin) throw new Error('PostgreSQL is not available');
  const schema = `${inject('schemaPrefix')}${randomBytes(6).toString('hex')}`;
  const client = new pg.Client(admin);
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = new URL(admin);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    // Dropping a schema while another test's migrator introspects the catalog makes that one fail
    // (Kysely lists tables in every schema), so schemas are dropped once, after the whole run.
    drop: async () => {},
  };
}

/** A migrated database, opened as the server opens it, with the URL it lives at. */
export interface MigratedDatabase extends OpenDatabase {
  url: string;
}

/**
 * A fresh, migrated database for each test of the enclosing block (call it inside `describe`);
 * the returned function gives the current test's, opened as the server opens it.
 * @example const current = migratedDatabaseEach(dialect); it('…', () => current().db.selectFrom(…))
 */
export function migratedDatabaseEach(dialect: TestDialect): () => MigratedDatabase {
  let database: TestDatabase | undefined;
  let open: MigratedDatabase | undefined;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    open = { ...openDatabase(database.url), url: database.url };
    await migrateToLatest(open.db, open.dialect);
  });
  afterEach(async () => {
    await open?.close();
    await database?.drop();
    open = undefined;
  });
  return () => {
    if (!open) throw new Error('migratedDatabaseEach: no test is running');
    return open;
  };
}
