// Starts runs for events, many per statement; `reentry: once` is enforced by a partial unique index.
import type { DB } from '../../db/open-database.ts';
import type { RunRow } from '../../db/schema.ts';
import { holes, runShape, shapeText } from '../../db/statement-shapes.ts';
import type { RunState } from '../run-scope.ts';

export interface NewRun {
  workflow: string;
  versionId: number;
  contactId: number;
  triggerEventId: number;
  exclusive: boolean;
  state: RunState;
  /** Leased at once to the dispatching worker, which starts on it (see claim-due-runs.ts). */
  claim?: { until: number; by: string };
}

/** Rows a statement inserts: ten values each, far below either database's limit on parameters. */
const ROWS_PER_STATEMENT = 500;

/**
 * INSERT INTO workflow_runs (…, status 'running', due_at now) VALUES (…), (…) ON CONFLICT DO NOTHING
 * RETURNING * — compiled once per row count. A run refused by the index (the workflow already has
 * an active run for the contact, reentry: once; also a second one in the same statement) is not
 * started. Returns the runs started.
 * @example await startRuns(trx, [{ workflow: 'welcome', versionId, contactId, … }], now);
 */
export async function startRuns(db: DB, runs: NewRun[], now: number): Promise<RunRow[]> {
  const started: RunRow[] = [];
  for (let i = 0; i < runs.length; i += ROWS_PER_STATEMENT) {
    const slice = runs.slice(i, i + ROWS_PER_STATEMENT);
    const text = shapeText(db, `start-runs:${slice.length}`, () =>
      db
        .insertInto('workflow_runs')
        .values(
          holes(slice.length).map(() => ({
            workflow: '',
            version_id: 0,
            contact_id: 0,
            trigger_event_id: 0,
            exclusive: 0,
            status: 'running' as const,
            state: '',
            due_at: 0,
            created_at: 0,
            updated_at: 0,
            locked_until: 0,
            locked_by: '',
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .compile(),
    );
    const values: unknown[] = [];
    for (const run of slice) {
      values.push(
        run.workflow,
        run.versionId,
        run.contactId,
        run.triggerEventId,
        run.exclusive ? 1 : 0,
        'running',
        JSON.stringify(run.state),
        now,
        now,
        now,
        run.claim?.until ?? null,
        run.claim?.by ?? null,
      );
    }
    started.push(...(await runShape<RunRow>(db, text, values)).rows);
  }
  return started;
}
