// Runs counted by workflow and status, and a contact's steps: the read side the console shows.
import type { DB } from '../db/open-database.ts';
import type { RunStatus } from '../db/schema.ts';

export type RunCounts = Record<RunStatus, number>;

const zero = (): RunCounts => ({ running: 0, waiting: 0, completed: 0, failed: 0, cancelled: 0 });

/** SELECT workflow, status, count(*) FROM workflow_runs GROUP BY workflow, status. */
export async function countRuns(
  db: DB,
): Promise<{ total: RunCounts; byWorkflow: ({ workflow: string } & RunCounts)[] }> {
  const rows = await db
    .selectFrom('workflow_runs')
    .select(['workflow', 'status', db.fn.countAll<number | string>().as('n')])
    .groupBy(['workflow', 'status'])
    .execute();
  const total = zero();
  const byWorkflow = new Map<string, { workflow: string } & RunCounts>();
  for (const row of rows) {
    const entry = byWorkflow.get(row.workflow) ?? { workflow: row.workflow, ...zero() };
    byWorkflow.set(row.workflow, entry);
    entry[row.status] += Number(row.n);
    total[row.status] += Number(row.n);
  }
  return {
    total,
    byWorkflow: [...byWorkflow.values()].sort((a, b) => a.workflow.localeCompare(b.workflow)),
  };
}

/** The newest `limit` steps of every run of a contact, with the run and workflow they belong to. */
export async function listContactSteps(db: DB, contactId: number, limit: number) {
  const rows = await db
    .selectFrom('workflow_steps')
    .innerJoin('workflow_runs', 'workflow_runs.id', 'workflow_steps.run_id')
    .select([
      'workflow_steps.id',
      'workflow_steps.run_id',
      'workflow_runs.workflow',
      'workflow_steps.step_id',
      'workflow_steps.op',
      'workflow_steps.status',
      'workflow_steps.error',
      'workflow_steps.started_at',
    ])
    .where('workflow_runs.contact_id', '=', contactId)
    .orderBy('workflow_steps.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    runId: row.run_id,
    workflow: row.workflow,
    stepId: row.step_id,
    op: row.op,
    status: row.status,
    error: row.error,
    startedAt: row.started_at,
  }));
}
