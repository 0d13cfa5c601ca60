// Starts a run for an event; `reentry: once` is enforced by a partial unique index.
import type { DB } from '../../db/open-database.ts';
import type { RunState } from '../run-scope.ts';

/**
 * INSERT INTO workflow_runs (…, status 'running', due_at now) ON CONFLICT DO NOTHING RETURNING id
 * Returns false when the workflow already has an active run for the contact (reentry: once).
 */
export async function startRun(
  db: DB,
  run: {
    workflow: string;
    versionId: number;
    contactId: number;
    triggerEventId: number;
    exclusive: boolean;
    state: RunState;
    now: number;
  },
): Promise<boolean> {
  const inserted = await db
    .insertInto('workflow_runs')
    .values({
      workflow: run.workflow,
      version_id: run.versionId,
      contact_id: run.contactId,
      trigger_event_id: run.triggerEventId,
      exclusive: run.exclusive ? 1 : 0,
      status: 'running',
      state: JSON.stringify(run.state),
      due_at: run.now,
      created_at: run.now,
      updated_at: run.now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
