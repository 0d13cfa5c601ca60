// The contacts API: a change stamp per contact, custom field definitions, restore and filter support.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // What the change feed orders by: on PostgreSQL the id of the writing transaction, on SQLite a
  // counter (see contacts/ARCHITECTURE.md). Contacts from before this migration come first, as 0.
  await db.schema
    .alterTable('contacts')
    .addColumn('change_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('contacts_changes')
    .on('contacts')
    .columns(['change_seq', 'id'])
    .execute();
  // Restore returns a deleted contact to the status it had.
  await db.schema.alterTable('contacts').addColumn('status_before_delete', 'text').execute();
  await db.schema.createIndex('contacts_status').on('contacts').columns(['status', 'id']).execute();
  await db.schema.createIndex('contacts_source').on('contacts').columns(['source', 'id']).execute();
  await db.schema.createIndex('contact_tags_tag').on('contact_tags').column('tag_id').execute();

  await db.schema
    .createTable('field_definitions')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('options', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('field_definitions').execute();
  await db.schema.dropIndex('contact_tags_tag').execute();
  await db.schema.dropIndex('contacts_source').execute();
  await db.schema.dropIndex('contacts_status').execute();
  await db.schema.alterTable('contacts').dropColumn('status_before_delete').execute();
  await db.schema.dropIndex('contacts_changes').execute();
  await db.schema.alterTable('contacts').dropColumn('change_seq').execute();
}
