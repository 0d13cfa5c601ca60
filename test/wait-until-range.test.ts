// A wait_until time beyond what the store can hold fails its run instead of wedging it.
import { describe, expect, it } from 'vitest';
import { appendOne, bareEngine, compiled, insertContact } from './helpers/bare-engine.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

// Finite, whole, and past bigint's range (2^63 ≈ 9.2e18): an expression's arithmetic gone wrong.
const WORKFLOW = `
name: later
on: started
steps:
  - id: until
    wait_until: "1e20"
  - add_tags: [woke]
`;

describe.each(testDialects())('wait_until out of range on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);

  it('fails the run as a non-time, rather than leave it claimed and unwritable', async () => {
    const { db } = current();
    const contactId = await insertContact(db, 'later@example.com');
    const engine = await bareEngine(current(), [compiled('later.yaml', WORKFLOW)]);
    await appendOne(db, 'started', contactId);
    for (let i = 0; i < 3; i++) await engine.tick();
    const runs = await db.selectFrom('workflow_runs').select(['status', 'error']).execute();
    expect(runs).toEqual([
      { status: 'failed', error: 'until: wait_until: the expression did not give a time' },
    ]);
  });
});
