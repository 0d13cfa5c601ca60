// Core tables: contacts, consents, forms, groups, events, mail outbox, confirm tokens, keys, settings.
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  // SQLite's rowid alias must be exactly INTEGER PRIMARY KEY; PostgreSQL wants an identity.
  const idType = pg ? 'bigint' : 'integer';
  const id = (col: ColumnDefinitionBuilder) =>
    pg ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
  const ref = (table: string) => (col: ColumnDefinitionBuilder) =>
    col.references(`${table}.id`).onDelete('cascade');

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('forms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', idType, id)
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('phone', 'text', (c) => c.unique())
    .addColumn('phone_meta', 'text')
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('address', 'text')
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('email_confirmed_at', 'bigint')
    .addColumn('unsubscribed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('contacts_updated_at')
    .on('contacts')
    .columns(['updated_at', 'id'])
    .execute();

  await db.schema
    .createTable('consents')
    .addColumn('id', idType, id)
    .addColumn('contact_id', idType, (c) => ref('contacts')(c.notNull()))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('form_type', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consents_contact').on('consents').column('contact_id').execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('contact_groups')
    .addColumn('contact_id', idType, (c) => ref('contacts')(c.notNull()))
    .addColumn('group_id', idType, (c) => ref('groups')(c.notNull()))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_groups_pk', ['contact_id', 'group_id'])
    .execute();
  await db.schema
    .createIndex('contact_groups_group')
    .on('contact_groups')
    .column('group_id')
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', idType, id)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('contact_id', idType, (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_type').on('events').columns(['type', 'id']).execute();
  await db.schema
    .createIndex('events_contact')
    .on('events')
    .columns(['contact_id', 'id'])
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', idType, id)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('contact_id', idType, (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('outbox_due')
    .on('outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('outbox_contact_kind')
    .on('outbox')
    .columns(['contact_id', 'kind', 'created_at'])
    .execute();

  await db.schema
    .createTable('confirm_tokens')
    .addColumn('id', idType, id)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('contact_id', idType, (c) => ref('contacts')(c.notNull()))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('form_type', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('dev_mailbox')
    .addColumn('id', idType, id)
    .addColumn('outbox_id', idType, (c) => c.notNull().unique())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'dev_mailbox',
    'confirm_tokens',
    'outbox',
    'events',
    'contact_groups',
    'groups',
    'consents',
    'contacts',
    'forms',
    'api_keys',
    'settings',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
