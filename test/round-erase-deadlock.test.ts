// An engine round resuming a run, beside the erasure of that run's contact (PostgreSQL row locks).
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteContact } from '../server/contacts/delete-contact.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { noWakeups } from '../server/db/unit-of-work.ts';
import {
  appendOne,
  bareEngine,
  compiled,
  insertContact,
  namedConnections,
  waitingForLock,
} from './helpers/bare-engine.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

const WORKFLOW = `
name: later
on: started
steps:
  - wait: 1h
  - emit: { event: woke }
`;

const ENGINE_SIDE = 'round-erase-engine';
const DELETE_SIDE = 'round-erase-delete';

describe.each(testDialects())('an engine round beside an erasure on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  let engineSide: OpenDatabase;
  let deleteSide: OpenDatabase;

  beforeEach(() => {
    engineSide = openDatabase(namedConnections(current().url, ENGINE_SIDE));
    deleteSide = openDatabase(namedConnections(current().url, DELETE_SIDE));
  });

  afterEach(async () => {
    await deleteSide.close();
    await engineSide.close();
  });

  // The erasure cancels the run (its run row), then erases its step rows. A round that wrote the
  // step row first, then the run row, deadlocked with it: a third transaction holding the step row
  // lines the two up so that each would hold what the other waits for.
  it.runIf(dialect === 'postgres')(
    'erases a contact whose run a round is resuming, without a deadlock',
    async () => {
      let now = Date.now();
      const contactId = await insertContact(engineSide.db, 'erase@example.com', now);
      const engine = await bareEngine(engineSide, [compiled('later.yaml', WORKFLOW)], {
        clock: () => now,
      });
      await appendOne(engineSide.db, 'started', contactId, now);
      await engine.tick();
      const run = await engineSide.db
        .selectFrom('workflow_runs')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(run.status).toBe('waiting');
      now += 3_600_001;

      const holder = new pg.Client({ connectionString: current().url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('select 1 from workflow_steps where run_id = $1 for update', [run.id]);
        const ticking = engine.tick();
        await waitingForLock(engineSide.db, ENGINE_SIDE);
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
        await waitingForLock(engineSide.db, DELETE_SIDE);
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
