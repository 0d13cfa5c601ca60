// wait_for on a contact whose log holds many other events after the run's cursor.
import { describe, expect, it } from 'vitest';
import { noWakeups, withTransaction } from '../server/db/unit-of-work.ts';
import { appendEvents } from '../server/events/append-event.ts';
import { appendOne, bareEngine, compiled, insertContact } from './helpers/bare-engine.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

const WORKFLOW = `
name: buy
on: started
steps:
  - id: bought
    wait_for: { event: purchased, timeout: 1h }
`;

describe.each(testDialects())('wait_for on a busy contact on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);

  it('receives its event after more than 1,000 events of other types', async () => {
    const { db } = current();
    const contactId = await insertContact(db, 'busy@example.com');
    const engine = await bareEngine(current(), [compiled('buy.yaml', WORKFLOW)]);
    await appendOne(db, 'started', contactId);
    await engine.tick();
    // The contact browses a lot while the run waits (tracked page views), then buys.
    await withTransaction({ db, wakeups: noWakeups }, (tx) =>
      appendEvents(
        tx,
        Array.from({ length: 1000 }, () => ({
          type: 'page_viewed',
          contactId,
          key: String(contactId),
          params: {},
          now: Date.now(),
        })),
      ),
    );
    await appendOne(db, 'purchased', contactId);
    for (let i = 0; i < 5; i++) await engine.tick();

    const runs = await db.selectFrom('workflow_runs').select(['status']).execute();
    expect(runs.map((r) => r.status)).toEqual(['completed']);
  });
});
