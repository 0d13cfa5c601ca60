// A round's run moves in one statement: every column as written, and a lost lease writes nothing.
import { describe, expect, it } from 'vitest';
import type { RunRow } from '../server/db/schema.ts';
import { LeaseLost, updateRuns } from '../server/engine/runs-store/update-run.ts';
import { insertClaimedRuns } from './helpers/bare-engine.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

describe.each(testDialects())('updating a round of runs on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  const LEASE = 5_000_000;

  const claimedRuns = (count: number) => insertClaimedRuns(current().db, count, LEASE);
  const stored = () => current().db.selectFrom('workflow_runs').selectAll().orderBy('id').execute();

  it('writes each run its own values, nulls and numbers alike, and answers the rows as stored', async () => {
    const [a, b, c] = (await claimedRuns(3)) as [RunRow, RunRow, RunRow];
    const written = await updateRuns(current().db, [
      { run: a, lease: LEASE, set: { pc: 2, state: '{"x":1}' }, now: 10 },
      {
        run: b,
        lease: LEASE,
        set: {
          status: 'waiting',
          due_at: 99_000,
          waiting_for: 'emailClicked*',
          locked_until: null,
        },
        now: 11,
      },
      {
        run: c,
        lease: LEASE,
        set: { status: 'failed', error: 'boom', finished_at: 12, locked_until: null },
        now: 12,
      },
    ]);
    expect(await stored()).toEqual(written);
    expect(written.map((r) => [r.pc, r.status, r.due_at, r.locked_until, r.updated_at])).toEqual([
      [2, 'running', null, LEASE, 10],
      [0, 'waiting', 99_000, null, 11],
      [0, 'failed', null, null, 12],
    ]);
  });

  it('throws LeaseLost and changes nothing when one run is no longer ours', async () => {
    const [a, b] = (await claimedRuns(2)) as [RunRow, RunRow];
    await current()
      .db.updateTable('workflow_runs')
      .set({ locked_until: LEASE + 1 })
      .where('id', '=', b.id)
      .execute();
    const before = await stored();
    await expect(
      current()
        .db.transaction()
        .execute((trx) =>
          updateRuns(trx, [
            { run: a, lease: LEASE, set: { pc: 1 }, now: 10 },
            { run: b, lease: LEASE, set: { pc: 1 }, now: 10 },
          ]),
        ),
    ).rejects.toBeInstanceOf(LeaseLost);
    expect(await stored()).toEqual(before);
  });
});
