// Workflow engine tables (pinned versions, runs, step executions), event dispatch marks, and tags.
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const idType = pg ? 'bigint' : 'integer';
  const id = (col: ColumnDefinitionBuilder) =>
    pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();

  await db.schema.alterTable('events').addColumn('dispatched_at', 'bigint').execute();
  // Events from before the engine existed are history, not triggers.
  await db.updateTable('events').set({ dispatched_at: sql`created_at` }).execute();
  await db.schema
    .createIndex('events_undispatched')
    .on('events')
    .column('id')
    .where(sql.ref('dispatched_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('contact_tags')
    .addColumn('contact_id', idType, (c) =>
      c.notNull().references('contacts.id').onDelete('cascade'),
    )
    .addColumn('tag_id', idType, (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_tags_pk', ['contact_id', 'tag_id'])
    .execute();

  await db.schema
    .createTable('workflow_versions')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('workflow_versions_name_version', ['name', 'version'])
    .execute();

  await db.schema
    .createTable('workflow_runs')
    .addColumn('id', idType, id)
    .addColumn('workflow', 'text', (c) => c.notNull())
    .addColumn('version_id', idType, (c) => c.notNull().references('workflow_versions.id'))
    .addColumn('contact_id', idType, (c) => c.references('contacts.id').onDelete('cascade'))
    .addColumn('trigger_event_id', idType, (c) => c.notNull())
    .addColumn('exclusive', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pc', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('waiting_for', 'text')
    .addColumn('due_at', 'bigint')
    .addColumn('locked_until', 'bigint')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('workflow_runs_due')
    .on('workflow_runs')
    .columns(['status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('workflow_runs_contact')
    .on('workflow_runs')
    .columns(['contact_id', 'id'])
    .execute();
  await db.schema
    .createIndex('workflow_runs_finished')
    .on('workflow_runs')
    .column('finished_at')
    .execute();
  // reentry: once — at most one active run per workflow and contact, enforced by the database.
  await db.schema
    .createIndex('workflow_runs_one_active')
    .on('workflow_runs')
    .columns(['workflow', 'contact_id'])
    .unique()
    .where(sql<boolean>`exclusive = 1 and status in ('running', 'waiting')`)
    .execute();

  await db.schema
    .createTable('workflow_steps')
    .addColumn('id', idType, id)
    .addColumn('run_id', idType, (c) =>
      c.notNull().references('workflow_runs.id').onDelete('cascade'),
    )
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('iteration', 'integer', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addUniqueConstraint('workflow_steps_once', ['run_id', 'step_id', 'iteration'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'workflow_steps',
    'workflow_runs',
    'workflow_versions',
    'contact_tags',
    'tags',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('events_undispatched').execute();
  await db.schema.alterTable('events').dropColumn('dispatched_at').execute();
}
