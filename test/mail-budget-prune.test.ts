// Pruning idle confirmation budgets: idle rows go, booked ones stay, and on PostgreSQL a row a
// subscribe is booking right now is skipped rather than waited for (waiting deadlocked).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneMailBudgets } from '../server/confirm/confirmation-pacing.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';

describe.each(testDialects())('pruning mail budgets on %s', (dialect) => {
  let database: TestDatabase;
  let open: OpenDatabase;
  const now = 1_000_000;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    open = openDatabase(database.url);
    await migrateToLatest(open.db, open.dialect);
    await open.db
      .insertInto('mail_budgets')
      .values([
        { key: 'form:idle', booked_until: now - 1 },
        { key: 'domain:idle.example', booked_until: now - 5_000 },
        { key: 'domain:busy.example', booked_until: now + 60_000 },
      ])
      .execute();
  });

  afterEach(async () => {
    await open.close();
    await database.drop();
  });

  const keys = async () =>
    (await open.db.selectFrom('mail_budgets').select('key').orderBy('key').execute()).map(
      (r) => r.key,
    );

  it('deletes budgets booked only into the past and keeps the others', async () => {
    await pruneMailBudgets(open.db, now);
    expect(await keys()).toEqual(['domain:busy.example']);
  });

  it.runIf(dialect === 'postgres')(
    'skips a row another transaction holds, without waiting',
    async () => {
      await open.db.transaction().execute(async (trx) => {
        // A subscribe booking the idle form's budget: its row is locked until this commits.
        await trx
          .updateTable('mail_budgets')
          .set({ booked_until: now - 1 })
          .where('key', '=', 'form:idle')
          .execute();
        await pruneMailBudgets(open.db, now);
      });
      expect(await keys()).toEqual(['domain:busy.example', 'form:idle']);
    },
  );
});
