// Bot defence: spent proof-of-work challenges, confirmation mail budgets, and form rates by time.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The primary key is what makes a challenge single-use, also between processes.
  await db.schema
    .createTable('spent_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('spent_challenges_expiry')
    .on('spent_challenges')
    .column('expires_at')
    .execute();

  // One row per paced budget (`domain:example.com`, `form:newsletter`): the time up to which its
  // pace is booked, which is all a generic cell rate algorithm needs to remember.
  await db.schema
    .createTable('mail_budgets')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('booked_until', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mail_budgets_booked_until')
    .on('mail_budgets')
    .column('booked_until')
    .execute();

  // An adaptive form counts its recent subscribes.
  await db.schema
    .createIndex('consents_form_recent')
    .on('consents')
    .columns(['form_type', 'kind', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('consents_form_recent').execute();
  await db.schema.dropTable('mail_budgets').execute();
  await db.schema.dropTable('spent_challenges').execute();
}
