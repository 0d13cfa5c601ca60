// Deliverability: the activity log (sent … unsubscribed), the suppression list, and outbox origins.
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const idType = pg ? 'bigint' : 'integer';
  const id = (col: ColumnDefinitionBuilder) =>
    pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();

  // One row per thing that happened to a mail or because of one; append-only.
  await db.schema
    .createTable('activities')
    .addColumn('id', idType, id)
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('contact_id', idType)
    .addColumn('outbox_id', idType)
    .addColumn('message_id', 'text')
    // Only for feedback about an address no contact has: a contact's address is on its row.
    .addColumn('email', 'text')
    .addColumn('workflow', 'text')
    .addColumn('step', 'text')
    .addColumn('url', 'text')
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // The API pages newest first within a time range, optionally by action or workflow.
  await db.schema
    .createIndex('activities_by_time')
    .on('activities')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('activities_by_action')
    .on('activities')
    .columns(['action', 'created_at'])
    .execute();
  await db.schema
    .createIndex('activities_by_outbox')
    .on('activities')
    .columns(['outbox_id', 'action'])
    .execute();
  await db.schema
    .createIndex('activities_by_contact')
    .on('activities')
    .column('contact_id')
    .execute();

  // Addresses no mail may be queued for (lower-cased), whatever path queues it.
  await db.schema
    .createTable('suppressions')
    .addColumn('id', idType, id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Where a mail came from (a workflow's step), and whether its links and opens are tracked.
  await db.schema.alterTable('outbox').addColumn('workflow', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('step', 'text').execute();
  await db.schema
    .alterTable('outbox')
    .addColumn('tracked', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Feedback names the mail by its Message-ID.
  await db.schema.createIndex('outbox_message_id').on('outbox').column('message_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_message_id').execute();
  await db.schema.alterTable('outbox').dropColumn('tracked').execute();
  await db.schema.alterTable('outbox').dropColumn('step').execute();
  await db.schema.alterTable('outbox').dropColumn('workflow').execute();
  await db.schema.dropTable('suppressions').execute();
  await db.schema.dropTable('activities').execute();
}
