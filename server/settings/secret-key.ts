// The key that signs links: SECRET_KEY when set, else one generated once and kept in `settings`.
import { randomBytes } from 'node:crypto';
import type { DB } from '../db/open-database.ts';

const SETTING = 'secret_key';

/**
 * Returns the signing key. Safe when several processes start at once: the first insert wins
 * and everyone reads the stored value back.
 */
export async function loadSecretKey(db: DB, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await db
    .insertInto('settings')
    .values({ key: SETTING, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', SETTING)
    .executeTakeFirstOrThrow();
  return row.value;
}
