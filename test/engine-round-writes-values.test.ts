// A round's batched writes keep every value exactly, at every round size, on both dialects.
import { describe, expect, it } from 'vitest';
import type { RunRow } from '../server/db/schema.ts';
import { updateRuns } from '../server/engine/runs-store/update-run.ts';
import { saveSteps } from '../server/engine/step-records.ts';
import { RoundWriter } from '../server/engine/step-writers.ts';
import { insertClaimedRuns } from './helpers/bare-engine.ts';
import { migratedDatabaseEach, testDialects } from './helpers/databases.ts';

describe.each(testDialects())('round writes keep values on %s', (dialect) => {
  const current = migratedDatabaseEach(dialect);
  const LEASE = 4_102_444_800_123; // 2100-01-01: far past 2^31 and 2^32
  const tricky = `it's "quoted"; -- \\ é ✓ '' \u0000x`.replace('\u0000', '');

  const claimedRuns = (count: number) => insertClaimedRuns(current().db, count, LEASE);
  const stored = (ids: number[]) =>
    current()
      .db.selectFrom('workflow_runs')
      .selectAll()
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();

  it('writes rounds of 1, 2, 32, 64 and then 1 run again, each value exact', async () => {
    for (const size of [1, 2, 32, 64, 1]) {
      const runs = await claimedRuns(size);
      const moves = runs.map((run, i) => ({
        run,
        lease: LEASE,
        set:
          i % 2 === 0
            ? {
                pc: i + 1,
                state: JSON.stringify({ steps: { s: tricky, n: 2 ** 53 - 1 - i } }),
                status: 'waiting' as const,
                due_at: LEASE + 2 ** 33 + i,
                waiting_for: `${tricky}${i}`,
                locked_until: null,
              }
            : { pc: i, error: `${tricky}${i}`, finished_at: LEASE + i, status: 'failed' as const },
        now: LEASE + 7 + i,
      }));
      const written = await current()
        .db.transaction()
        .execute((trx) => updateRuns(trx, moves));
      expect(await stored(runs.map((r) => r.id))).toEqual(written);
    }
  });

  it('writes a round of step rows exactly, nulls and long times and quoted text alike', async () => {
    const runs = await claimedRuns(32);
    const writes = runs.map((run, i) => ({
      step: {
        runId: run.id,
        stepId: `s'${i}`,
        op: 'wait',
        iteration: 0,
        status: 'running' as const,
        attempts: i,
        output: null,
        error: i % 2 ? tricky : null,
        finishedAt: null,
        startedAt: LEASE + i,
      },
      change: i % 3 ? { output: { text: tricky, i }, finished_at: LEASE + 2 ** 34 } : {},
    }));
    await saveSteps(current().db, writes);
    const rows = await current()
      .db.selectFrom('workflow_steps')
      .selectAll()
      .orderBy('run_id')
      .execute();
    expect(
      rows.map((r) => [r.step_id, r.attempts, r.output, r.error, r.started_at, r.finished_at]),
    ).toEqual(
      writes.map(({ step, change }, i) => [
        `s'${i}`,
        i,
        'output' in change ? JSON.stringify(change.output) : null,
        step.error,
        LEASE + i,
        'finished_at' in change ? change.finished_at : null,
      ]),
    );
  });

  it('a run moved twice in one flush ends as its last move', async () => {
    const [run] = (await claimedRuns(1)) as [RunRow];
    const writer = new RoundWriter();
    const first = await writer.updateRun(run, LEASE, { pc: 1 }, 10);
    await writer.updateRun(first, LEASE, { pc: 2 }, 11);
    await current()
      .db.transaction()
      .execute((trx) => writer.flush(trx));
    const [row] = await stored([run.id]);
    expect([row?.pc, row?.updated_at]).toEqual([2, 11]);
  });
});
