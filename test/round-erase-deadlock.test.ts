// An engine round resuming a run, beside the erasure of that run's contact (PostgreSQL row locks).
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTimings } from '../server/config.ts';
import { deleteContact } from '../server/contacts/delete-contact.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { noWakeups, withTransaction } from '../server/db/unit-of-work.ts';
import { compileWorkflow } from '../server/engine/definition/compile.ts';
import { WorkflowEngine } from '../server/engine/engine.ts';
import { appendEvent } from '../server/events/append-event.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';

const WORKFLOW = `
name: later
on: started
steps:
  - wait: 1h
  - emit: { event: woke }
`;

const named = (url: string, name: string) => {
  if (!url.startsWith('postgres')) return url;
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
};

/** Resolves once a connection named `name` waits for a lock. */
async function waitingForLock(db: OpenDatabase, name: string): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where application_name = ${name} and wait_event_type = 'Lock'
        and datname = current_database()`.execute(db.db);
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(testDialects())('an engine round beside an erasure on %s', (dialect) => {
  let database: TestDatabase;
  let engineSide: OpenDatabase;
  let deleteSide: OpenDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    engineSide = openDatabase(named(database.url, 'round-erase-engine'));
    await migrateToLatest(engineSide.db, engineSide.dialect);
    deleteSide = openDatabase(named(database.url, 'round-erase-delete'));
  });

  afterEach(async () => {
    await deleteSide.close();
    await engineSide.close();
    await database.drop();
  });

  // The round writes the run's step row, then its run row; the erasure cancels the run (its run
  // row), then erases its step rows. A third transaction holding the step row lines them up so that
  // each holds what the other waits for.
  it.runIf(dialect === 'postgres')(
    'erases a contact whose run a round is resuming, without a deadlock',
    async () => {
      const { workflow, errors } = compileWorkflow('later.yaml', WORKFLOW);
      if (!workflow) throw new Error(JSON.stringify(errors));
      let now = Date.now();
      const { id: contactId } = await engineSide.db
        .insertInto('contacts')
        .values({
          email: 'erase@example.com',
          fields: '{}',
          status: 'confirmed',
          source: 'test',
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const engine = new WorkflowEngine({
        db: engineSide.db,
        dialect: engineSide.dialect,
        logger: createLogger('silent'),
        workflowsDir: '/nonexistent',
        loadDefinitions: async () => ({ workflows: [workflow], errors: [] }),
        watch: false,
        publicUrl: 'http://localhost',
        secretKey: 'k'.repeat(32),
        timings: defaultTimings,
        allowPrivateWebhooks: false,
        workerId: 'engine-side',
        wakeMailer: () => {},
        clock: () => now,
      });
      await engine.reload();
      await withTransaction({ db: engineSide.db, wakeups: noWakeups }, (tx) =>
        appendEvent(tx, { type: 'started', contactId, params: {}, now }),
      );
      await engine.tick();
      const run = await engineSide.db
        .selectFrom('workflow_runs')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(run.status).toBe('waiting');
      now += 3_600_001;

      const holder = new pg.Client({ connectionString: database.url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('select 1 from workflow_steps where run_id = $1 for update', [run.id]);
        const ticking = engine.tick();
        await waitingForLock(engineSide, 'round-erase-engine');
        const deleting = deleteContact(
          { db: deleteSide.db, wakeups: noWakeups },
          contactId,
          { erase: true },
          now,
        );
        const outcome = deleting.then(
          () => 'deleted',
          (err: unknown) => String(err),
        );
        await waitingForLock(engineSide, 'round-erase-delete');
        await holder.query('commit');
        await ticking;
        expect(await outcome).toBe('deleted');
      } finally {
        await holder.end();
      }
      const after = await engineSide.db
        .selectFrom('workflow_runs')
        .select(['status'])
        .executeTakeFirstOrThrow();
      expect(after.status).toBe('cancelled');
    },
  );
});
