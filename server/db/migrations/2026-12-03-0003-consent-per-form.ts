// Consent per form: pending group memberships, and what a confirmation link carries and throttles on.
import { type Kysely, PostgresAdapter } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const idType = db.getExecutor().adapter instanceof PostgresAdapter ? 'bigint' : 'integer';

  // A form's groups wait here until that form's confirmation link is used.
  await db.schema
    .createTable('pending_groups')
    .addColumn('contact_id', idType, (c) =>
      c.notNull().references('contacts.id').onDelete('cascade'),
    )
    .addColumn('group_id', idType, (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('form_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pending_groups_pk', ['contact_id', 'form_type', 'group_id'])
    .execute();

  // Tokens from before this migration have no mailbox or domain: they stop counting towards the
  // throttle, which looks back one day at most.
  await db.schema.alterTable('confirm_tokens').addColumn('mailbox', 'text').execute();
  await db.schema.alterTable('confirm_tokens').addColumn('domain', 'text').execute();
  // What an anonymous post asked to fill in on an existing contact; applied on confirmation.
  await db.schema.alterTable('confirm_tokens').addColumn('fills', 'text').execute();
  await db.schema
    .createIndex('confirm_tokens_mailbox')
    .on('confirm_tokens')
    .columns(['mailbox', 'created_at'])
    .execute();
  await db.schema
    .createIndex('confirm_tokens_domain')
    .on('confirm_tokens')
    .columns(['domain', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('confirm_tokens_domain').execute();
  await db.schema.dropIndex('confirm_tokens_mailbox').execute();
  for (const column of ['fills', 'domain', 'mailbox'])
    await db.schema.alterTable('confirm_tokens').dropColumn(column).execute();
  await db.schema.dropTable('pending_groups').execute();
}
