import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  type TestDatabase,
  testDialects,
} from '../../test/helpers/databases.ts';
import { transactionRunner } from './group-commit.ts';
import { migrateToLatest } from './migrate.ts';
import { type OpenDatabase, openDatabase } from './open-database.ts';
import type { Tx } from './unit-of-work.ts';

describe.each(testDialects())('transactionRunner (%s)', (dialect) => {
  let testDb: TestDatabase;
  let database: OpenDatabase;
  afterEach(async () => {
    await database.close();
    await testDb.drop();
  });

  async function open() {
    testDb = await createTestDatabase(dialect);
    database = openDatabase(testDb.url);
    await migrateToLatest(database.db, database.dialect);
    return database.db;
  }

  const setting = (tx: Tx, key: string) =>
    tx.db.insertInto('settings').values({ key, value: 'v' }).execute();

  it('commits each job, undoes only the one that fails, and wakes after the commit', async () => {
    const db = await open();
    const woken: string[] = [];
    const wakeups = { mail: () => woken.push('mail'), engine: () => {}, imports: () => {} };
    const run = transactionRunner(db, wakeups);
    const job = (key: string, fail = false) =>
      run(async (tx) => {
        await setting(tx, key);
        tx.afterCommit(tx.wakeups.mail);
        if (fail) throw new Error(`job ${key} failed`);
        return key;
      });
    // Queued in one turn of the event loop: on SQLite they share one transaction.
    const results = await Promise.allSettled([job('a'), job('b', true), job('c'), job('d')]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const keys = await db.selectFrom('settings').select('key').orderBy('key').execute();
    expect(keys.map((k) => k.key)).toEqual(['a', 'c', 'd']);
    expect(woken.length).toBeGreaterThan(0);
  });

  it('settles a job only once its changes can be read outside its transaction', async () => {
    const db = await open();
    const woken = { mail: () => {}, engine: () => {}, imports: () => {} };
    const run = transactionRunner(db, woken);
    const seen = await Promise.all(
      ['x', 'y'].map(async (key) => {
        await run((tx) => setting(tx, key));
        const { rows } = await sql<{ n: number }>`
          select count(*) as n from settings where key = ${key}`.execute(db);
        return Number(rows[0]?.n);
      }),
    );
    expect(seen).toEqual([1, 1]);
  });
});
