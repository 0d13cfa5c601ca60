// Cancels active runs (cancel_on events, the API) and wakes runs whose awaited event came.
import type { DB } from '../../db/open-database.ts';

const ACTIVE = ['running', 'waiting'] as const;

const cancelled = (reason: string, now: number) => ({
  status: 'cancelled' as const,
  finished_at: now,
  updated_at: now,
  due_at: null,
  error: reason,
});

/** UPDATE workflow_runs SET status 'cancelled' WHERE workflow AND contact AND active */
export async function cancelActiveRuns(
  db: DB,
  by: { workflow: string; contactId: number; reason: string; now: number },
): Promise<void> {
  await db
    .updateTable('workflow_runs')
    .set(cancelled(by.reason, by.now))
    .where('workflow', '=', by.workflow)
    .where('contact_id', '=', by.contactId)
    .where('status', 'in', ACTIVE)
    .execute();
}

/** UPDATE workflow_runs SET status 'cancelled' WHERE contact AND active: the contact was deleted. */
export async function cancelContactRuns(
  db: DB,
  by: { contactId: number; reason: string; now: number },
): Promise<void> {
  await db
    .updateTable('workflow_runs')
    .set(cancelled(by.reason, by.now))
    .where('contact_id', '=', by.contactId)
    .where('status', 'in', ACTIVE)
    .execute();
}

/** Cancels one run if it is still active; false when it had already finished. */
export async function cancelRunById(
  db: DB,
  id: number,
  reason: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('workflow_runs')
    .set(cancelled(reason, now))
    .where('id', '=', id)
    .where('status', 'in', ACTIVE)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** UPDATE workflow_runs SET due_at = now WHERE id IN (…): a waited-for event arrived. */
export async function wakeRuns(db: DB, ids: number[], now: number): Promise<void> {
  if (!ids.length) return;
  await db.updateTable('workflow_runs').set({ due_at: now }).where('id', 'in', ids).execute();
}
