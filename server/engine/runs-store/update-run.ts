// The runtime's writes to a claimed run: every one checks the lease and that the run is still active.
import { sql } from 'kysely';
import type { DB } from '../../db/open-database.ts';
import type { RunRow, RunStatus } from '../../db/schema.ts';
import { runShape, shapeText } from '../../db/statement-shapes.ts';

/** The run was cancelled, or its lease expired and another worker claimed it: leave it alone. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
}

/**
 * UPDATE workflow_runs SET pc, state, status, waiting_for, due_at, locked_until, error, finished_at,
 *   updated_at = now
 * WHERE id = run AND locked_until = lease AND status IN ('running','waiting') RETURNING *
 * Every column a step may move is written, from `run` with `set` applied: the lease holder's copy
 * is the row as it is, so one text serves every step (compiled once; building and compiling it per
 * step cost more than SQLite spent running it). Throws LeaseLost when no row matched.
 */
export async function updateRun(
  db: DB,
  run: RunRow,
  lease: number,
  set: Partial<Omit<RunRow, 'id'>>,
  now: number,
): Promise<RunRow> {
  const text = shapeText(db, 'update-run', () =>
    db
      .updateTable('workflow_runs')
      .set({
        pc: 0,
        state: '',
        status: 'running',
        waiting_for: null,
        due_at: null,
        locked_until: null,
        error: null,
        finished_at: null,
        updated_at: 0,
      })
      .where('id', '=', 0)
      .where('locked_until', '=', 0)
      // A run cancelled meanwhile (API or cancel_on) stays cancelled.
      .where('status', 'in', ['running', 'waiting'])
      .returningAll()
      .compile(),
  );
  const next = { ...run, ...set };
  const { rows } = await runShape<RunRow>(db, text, [
    next.pc,
    next.state,
    next.status,
    next.waiting_for,
    next.due_at,
    next.locked_until,
    next.error,
    next.finished_at,
    now,
    run.id,
    lease,
    'running',
    'waiting',
  ]);
  const row = rows[0];
  if (!row) throw new LeaseLost();
  return row;
}

/** What ending a claimed run (completed or failed) writes: `outcome`, finished and released. */
export function finishing(
  outcome: { status: RunStatus; error: string | null } & Partial<Omit<RunRow, 'id'>>,
  now: number,
): Partial<Omit<RunRow, 'id'>> {
  return { ...outcome, finished_at: now, due_at: null, locked_until: null, waiting_for: null };
}

/** Ends a claimed run (completed or failed) and releases it; `outcome` may move it too (pc, state). */
export async function finishRun(
  db: DB,
  run: RunRow,
  lease: number,
  outcome: { status: RunStatus; error: string | null } & Partial<Omit<RunRow, 'id'>>,
  now: number,
): Promise<void> {
  await updateRun(db, run, lease, finishing(outcome, now), now);
}

/** One run's write in a batch: `set` applied to the lease holder's copy, at `now`. */
export interface RunMove {
  run: RunRow;
  lease: number;
  set: Partial<Omit<RunRow, 'id'>>;
  now: number;
}

/** The columns updateRun writes, with the SQL type a parameter is cast to inside a CASE. */
const MOVED: [keyof RunRow, string][] = [
  ['pc', 'integer'],
  ['state', 'text'],
  ['status', 'text'],
  ['waiting_for', 'text'],
  ['due_at', 'bigint'],
  ['locked_until', 'bigint'],
  ['error', 'text'],
  ['finished_at', 'bigint'],
  ['updated_at', 'bigint'],
];

/**
 * updateRun for many runs in one statement (a round's writes; one round trip instead of one each):
 * UPDATE workflow_runs SET pc = CASE id WHEN ? THEN cast(? as integer) … END, …
 * WHERE id IN (?, …) AND locked_until = CASE id WHEN ? THEN cast(? as bigint) … END
 *   AND status || '' IN ('running', 'waiting')
 * Compiled once per number of runs (building it per round cost SQLite more than the statement).
 * Throws LeaseLost unless every run matched; returns the rows as written, in `moves`' order.
 */
export async function updateRuns(db: DB, moves: RunMove[]): Promise<RunRow[]> {
  if (moves.length === 0) return [];
  const next = moves.map((m) => ({ ...m.run, ...m.set, updated_at: m.now }));
  const text = shapeText(db, `update-runs:${moves.length}`, () =>
    updateRunsQuery(db, moves.length).compile(),
  );
  // In the order of the text's placeholders: each CASE's pairs, the ids, the leases' pairs.
  const values: unknown[] = MOVED.flatMap(([column]) =>
    next.flatMap((row) => [row.id, row[column]]),
  );
  values.push(...next.map((row) => row.id));
  values.push(...moves.flatMap((m) => [m.run.id, m.lease]), 'running', 'waiting');
  const { rows } = await runShape(db, text, values);
  if (rows.length !== moves.length) throw new LeaseLost();
  return next;
}

/**
 * The status as an expression, not the column: given `status IN (…)` beside an id list, SQLite read
 * the (status, due_at) index (every waiting run) instead of the primary key, 100× slower.
 */
const activeStatus = sql<string>`status || ''`;

/** The statement of updateRuns for `count` runs, with placeholders for every value. */
function updateRunsQuery(db: DB, count: number) {
  const slots = Array.from({ length: count });
  const cases = (type: string) =>
    sql<number | null>`case id ${sql.join(
      slots.map(() => sql`when ${null} then cast(${null} as ${sql.raw(type)})`),
      sql` `,
    )} end`;
  return db
    .updateTable('workflow_runs')
    .set(Object.fromEntries(MOVED.map(([column, type]) => [column, cases(type)])))
    .where(
      'id',
      'in',
      slots.map(() => 0),
    )
    .where('locked_until', '=', cases('bigint'))
    .where(activeStatus, 'in', ['running', 'waiting'])
    .returning('id');
}
