// Runs the Kysely migrations in server/db/migrations (at start-up and via `subflow migrate`).
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { DialectCapabilities } from './dialect.ts';
import * as core from './migrations/2026-11-22-0001-core.ts';
import * as workflows from './migrations/2026-11-22-0002-workflows.ts';
import * as consentPerForm from './migrations/2026-12-03-0003-consent-per-form.ts';
import * as workerLeases from './migrations/2026-12-03-0004-worker-leases.ts';
import * as contactsApi from './migrations/2026-12-03-0005-contacts-api.ts';
import * as contactsDelete from './migrations/2026-12-03-0006-contacts-delete.ts';
import * as imports from './migrations/2026-12-03-0007-imports.ts';
import * as botDefence from './migrations/2026-12-03-0008-bot-defence.ts';
import * as deliverability from './migrations/2026-12-03-0009-deliverability.ts';
import * as sharedLimits from './migrations/2026-12-03-0010-shared-limits.ts';

/** Listed explicitly so the set is the same whether run from source or from a bundle. */
const migrations: Record<string, Migration> = {
  '2026-11-22-0001-core': core,
  '2026-11-22-0002-workflows': workflows,
  '2026-12-03-0003-consent-per-form': consentPerForm,
  '2026-12-03-0004-worker-leases': workerLeases,
  '2026-12-03-0005-contacts-api': contactsApi,
  '2026-12-03-0006-contacts-delete': contactsDelete,
  '2026-12-03-0007-imports': imports,
  '2026-12-03-0008-bot-defence': botDefence,
  '2026-12-03-0009-deliverability': deliverability,
  '2026-12-03-0010-shared-limits': sharedLimits,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; throws with the failing migration's name. */
export async function migrateToLatest(
  db: Kysely<any>,
  dialect: DialectCapabilities,
): Promise<string[]> {
  const { error, results = [] } = await dialect.migratingAlone(db, async (conn) =>
    // Kysely looks for its bookkeeping table in every schema unless told which one is ours.
    new Migrator({
      db: conn,
      provider,
      migrationTableSchema: await dialect.currentSchema(conn),
    }).migrateToLatest(),
  );
  const failed = results.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
