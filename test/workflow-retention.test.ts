// Retention: old finished runs go, with their steps; versions go once nothing uses them.
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { pruneFinishedRuns } from '../server/engine/runs-store/prune-runs.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';

describe.each(testDialects())('pruneFinishedRuns on %s', (dialect) => {
  let database: TestDatabase;
  let open: OpenDatabase;

  afterEach(async () => {
    await open.close();
    await database.drop();
  });

  it('deletes old finished runs with their steps, keeps active and recent ones and used versions', async () => {
    database = await createTestDatabase(dialect);
    open = openDatabase(database.url);
    const { db } = open;
    await migrateToLatest(db, open.dialect);
    const version = async (v: string) =>
      (
        await db
          .insertInto('workflow_versions')
          .values({ name: 'w', version: v, definition: '{}', created_at: 0 })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const [v1, v2, v3] = [await version('1'), await version('2'), await version('3')];
    const run = async (
      versionId: number,
      status: 'completed' | 'waiting',
      finishedAt: number | null,
    ) =>
      (
        await db
          .insertInto('workflow_runs')
          .values({
            workflow: 'w',
            version_id: versionId,
            contact_id: null,
            trigger_event_id: 1,
            exclusive: 0,
            status,
            state: '{}',
            created_at: 0,
            updated_at: 0,
            finished_at: finishedAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const old = await run(v1, 'completed', 1_000);
    const recent = await run(v2, 'completed', 9_000);
    const waiting = await run(v1, 'waiting', null);
    await db
      .insertInto('workflow_steps')
      .values({
        run_id: old,
        step_id: 's',
        iteration: 0,
        op: 'stop',
        status: 'completed',
        started_at: 0,
      })
      .execute();

    expect(await pruneFinishedRuns(db, 5_000, [v3])).toBe(1);
    const runs = await db.selectFrom('workflow_runs').select('id').orderBy('id').execute();
    expect(runs.map((r) => r.id)).toEqual([recent, waiting]);
    expect(await db.selectFrom('workflow_steps').selectAll().execute()).toEqual([]);
    const versions = await db.selectFrom('workflow_versions').select('id').orderBy('id').execute();
    expect(versions.map((v) => v.id)).toEqual([v1, v2, v3]);

    await db.deleteFrom('workflow_runs').execute();
    await pruneFinishedRuns(db, 5_000, [v3]);
    expect(
      (await db.selectFrom('workflow_versions').select('id').execute()).map((v) => v.id),
    ).toEqual([v3]);
  });
});
