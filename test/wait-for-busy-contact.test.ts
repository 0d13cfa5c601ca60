// wait_for on a contact whose log holds many other events after the run's cursor.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTimings } from '../server/config.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../server/db/open-database.ts';
import { noWakeups, withTransaction } from '../server/db/unit-of-work.ts';
import { compileWorkflow } from '../server/engine/definition/compile.ts';
import { WorkflowEngine } from '../server/engine/engine.ts';
import { appendEvent, appendEvents } from '../server/events/append-event.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './helpers/databases.ts';

const WORKFLOW = `
name: buy
on: started
steps:
  - id: bought
    wait_for: { event: purchased, timeout: 1h }
`;

describe.each(testDialects())('wait_for on a busy contact on %s', (dialect) => {
  let database: TestDatabase;
  let handle: OpenDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    handle = openDatabase(database.url);
    await migrateToLatest(handle.db, handle.dialect);
  });

  afterEach(async () => {
    await handle.close();
    await database.drop();
  });

  it('receives its event after more than 1,000 events of other types', async () => {
    const { workflow, errors } = compileWorkflow('buy.yaml', WORKFLOW);
    if (!workflow) throw new Error(JSON.stringify(errors));
    const now = Date.now();
    const { id: contactId } = await handle.db
      .insertInto('contacts')
      .values({
        email: 'busy@example.com',
        fields: '{}',
        status: 'confirmed',
        source: 'test',
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ctx = { db: handle.db, wakeups: noWakeups };
    const engine = new WorkflowEngine({
      db: handle.db,
      dialect: handle.dialect,
      logger: createLogger('silent'),
      workflowsDir: '/nonexistent',
      loadDefinitions: async () => ({ workflows: [workflow], errors: [] }),
      watch: false,
      publicUrl: 'http://localhost',
      secretKey: 'k'.repeat(32),
      timings: defaultTimings,
      allowPrivateWebhooks: false,
      workerId: 'busy',
      wakeMailer: () => {},
    });
    await engine.reload();
    await withTransaction(ctx, (tx) =>
      appendEvent(tx, { type: 'started', contactId, params: {}, now }),
    );
    await engine.tick();
    // The contact browses a lot while the run waits (tracked page views), then buys.
    await withTransaction(ctx, (tx) =>
      appendEvents(
        tx,
        Array.from({ length: 1000 }, () => ({
          type: 'page_viewed',
          contactId,
          key: String(contactId),
          params: {},
          now,
        })),
      ),
    );
    await withTransaction(ctx, (tx) =>
      appendEvent(tx, { type: 'purchased', contactId, params: {}, now }),
    );
    for (let i = 0; i < 5; i++) await engine.tick();

    const runs = await handle.db.selectFrom('workflow_runs').select(['status']).execute();
    expect(runs.map((r) => r.status)).toEqual(['completed']);
  });
});
