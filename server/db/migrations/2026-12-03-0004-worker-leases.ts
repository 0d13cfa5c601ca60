// Process identity for claims: a `workers` row per live process, and who holds each claimed row.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
  for (const table of ['outbox', 'workflow_runs']) {
    await db.schema.alterTable(table).addColumn('locked_by', 'text').execute();
    // Only claimed rows are looked up by holder, so the index stays as small as the work in hand.
    await db.schema
      .createIndex(`${table}_claimed_by`)
      .on(table)
      .column('locked_by')
      .where(sql.ref('locked_until'), 'is not', null)
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['outbox', 'workflow_runs']) {
    await db.schema.dropIndex(`${table}_claimed_by`).execute();
    await db.schema.alterTable(table).dropColumn('locked_by').execute();
  }
  await db.schema.dropTable('workers').execute();
}
