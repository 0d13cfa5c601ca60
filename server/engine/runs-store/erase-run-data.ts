// GDPR erasure in the runs store: what a contact's runs recorded about it (step outputs, state).
import type { DB } from '../../db/open-database.ts';

/**
 * UPDATE workflow_steps SET output = NULL, error = NULL WHERE run_id IN (the contact's runs);
 * UPDATE workflow_runs SET state = '{"steps":{},"eventCursor":0}' WHERE contact_id = contact.
 * Step outputs hold rendered mail (`to`, `subject`) and webhook answers; the runs keep their
 * workflow, status and timestamps. Cancel the runs first: a running one would need its state.
 */
export async function eraseRunData(db: DB, contactId: number): Promise<void> {
  const runs = db.selectFrom('workflow_runs').select('id').where('contact_id', '=', contactId);
  await db
    .updateTable('workflow_steps')
    .set({ output: null, error: null })
    .where('run_id', 'in', runs)
    .execute();
  await db
    .updateTable('workflow_runs')
    .set({ state: JSON.stringify({ steps: {}, eventCursor: 0 }) })
    .where('contact_id', '=', contactId)
    .execute();
}
