// A workflow engine on a database handle, driven tick by tick, for tests of its transactions.
import { sql } from 'kysely';
import { defaultTimings } from '../../server/config.ts';
import type { DialectCapabilities } from '../../server/db/dialect.ts';
import type { DB } from '../../server/db/open-database.ts';
import type { RunRow } from '../../server/db/schema.ts';
import { noWakeups, withTransaction } from '../../server/db/unit-of-work.ts';
import { compileWorkflow } from '../../server/engine/definition/compile.ts';
import type { CompiledWorkflow } from '../../server/engine/definition/types.ts';
import { WorkflowEngine } from '../../server/engine/engine.ts';
import { appendEvent } from '../../server/events/append-event.ts';
import { createLogger } from '../../server/logger.ts';

/** The workflow a YAML text compiles to; throws with the errors when it does not. */
export function compiled(file: string, yaml: string): CompiledWorkflow {
  const { workflow, errors } = compileWorkflow(file, yaml);
  if (!workflow) throw new Error(JSON.stringify(errors));
  return workflow;
}

/**
 * An engine running `workflows` on `db`, with no loop of its own: the test calls `tick()`. Its
 * definitions are registered before it is returned.
 */
export async function bareEngine(
  handle: { db: DB; dialect: DialectCapabilities },
  workflows: CompiledWorkflow[],
  opts: { clock?: () => number } = {},
): Promise<WorkflowEngine> {
  const engine = new WorkflowEngine({
    db: handle.db,
    dialect: handle.dialect,
    logger: createLogger('silent'),
    workflowsDir: '/nonexistent',
    loadDefinitions: async () => ({ workflows, errors: [] }),
    watch: false,
    publicUrl: 'http://localhost',
    secretKey: 'k'.repeat(32),
    timings: defaultTimings,
    allowPrivateWebhooks: false,
    workerId: 'test-engine',
    wakeMailer: () => {},
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await engine.reload();
  return engine;
}

/** A confirmed contact with this address, written directly (a fixture, not a subscribe). */
export async function insertContact(db: DB, email: string, now = Date.now()): Promise<number> {
  const { id } = await db
    .insertInto('contacts')
    .values({
      email,
      fields: '{}',
      status: 'confirmed',
      source: 'test',
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** Appends one event of the contact in a transaction of its own. */
export function appendOne(db: DB, type: string, contactId: number, now = Date.now()) {
  return withTransaction({ db, wakeups: noWakeups }, (tx) =>
    appendEvent(tx, { type, contactId, params: {}, now }),
  );
}

/** The URL with its connections named, so `waitingForLock` can find them (PostgreSQL). */
export function namedConnections(url: string, name: string): string {
  if (!url.startsWith('postgres')) return url;
  const named = new URL(url);
  named.searchParams.set('application_name', name);
  return named.toString();
}

/** Resolves once a connection named `name` waits for a lock (PostgreSQL only). */
export async function waitingForLock(db: DB, name: string): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where application_name = ${name} and wait_event_type = 'Lock'
        and datname = current_database()`.execute(db);
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let fixtureVersions = 0;

/** `count` running runs of a bare version, claimed by worker `me` until `lease` (run writers' fixture). */
export async function insertClaimedRuns(db: DB, count: number, lease: number): Promise<RunRow[]> {
  const { id: versionId } = await db
    .insertInto('workflow_versions')
    .values({ name: 'w', version: `v${++fixtureVersions}`, definition: '{}', created_at: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rows = Array.from({ length: count }, () => ({
    workflow: 'w',
    version_id: versionId,
    contact_id: null,
    trigger_event_id: 1,
    exclusive: 0,
    status: 'running' as const,
    state: '{}',
    locked_until: lease,
    locked_by: 'me',
    created_at: 1,
    updated_at: 1,
  }));
  return db.insertInto('workflow_runs').values(rows).returningAll().execute();
}
