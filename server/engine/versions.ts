// Workflow versions: each loaded definition is stored under its content hash, and runs pin one.
import type { DB } from '../db/open-database.ts';
import type { CompiledWorkflow } from './definition/types.ts';

export interface ActiveWorkflow {
  versionId: number;
  workflow: CompiledWorkflow;
}

/** Stores every definition not seen before and returns them with their version ids. */
export async function registerVersions(
  db: DB,
  workflows: CompiledWorkflow[],
): Promise<ActiveWorkflow[]> {
  const active: ActiveWorkflow[] = [];
  for (const workflow of workflows) {
    await db
      .insertInto('workflow_versions')
      .values({
        name: workflow.name,
        version: workflow.version,
        definition: JSON.stringify(workflow),
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.columns(['name', 'version']).doNothing())
      .execute();
    const row = await db
      .selectFrom('workflow_versions')
      .select('id')
      .where('name', '=', workflow.name)
      .where('version', '=', workflow.version)
      .executeTakeFirstOrThrow();
    active.push({ versionId: row.id, workflow });
  }
  return active;
}

/** Definitions by version id; versions never change, so they are cached for good. */
export class VersionCache {
  private readonly byId = new Map<number, CompiledWorkflow>();

  async get(db: DB, versionId: number): Promise<CompiledWorkflow> {
    const cached = this.byId.get(versionId);
    if (cached) return cached;
    const row = await db
      .selectFrom('workflow_versions')
      .select('definition')
      .where('id', '=', versionId)
      .executeTakeFirstOrThrow();
    const workflow = JSON.parse(row.definition) as CompiledWorkflow;
    this.byId.set(versionId, workflow);
    return workflow;
  }
}
