// Deleting and erasing contacts: their confirmation links are found by contact, not by a scan.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('confirm_tokens_contact')
    .on('confirm_tokens')
    .column('contact_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('confirm_tokens_contact').execute();
}
