// POST /api/v1/contacts with a `contacts` array: eSputnik's bulk add/update, answered as an import.
import type { z } from '@hono/zod-openapi';
import type { AppDeps } from '../../app-deps.ts';
import { ValidationError } from '../../errors.ts';
import { bulkRules } from '../import-rules.ts';
import { getImportView } from '../import-view.ts';
import { importBulkNow, queueBulkImport } from '../start-import.ts';
import {
  type BulkContactsRequest,
  type BulkImportQueued,
  type ImportView,
  SYNC_MAX_CONTACTS,
} from './import-schemas.ts';

/**
 * Queues the import and answers its id at once (`asyncSessionId`), or with `sync` imports it in the
 * request and answers the finished import. Contacts are created `confirmed`, with no mail.
 */
export async function startBulkImport(
  deps: Pick<AppDeps, 'db' | 'wakeups' | 'importRunner'>,
  body: z.infer<typeof BulkContactsRequest>,
  opts: { sync: boolean; principal: string },
): Promise<z.infer<typeof BulkImportQueued> | ImportView> {
  const ctx = { db: deps.db, wakeups: deps.wakeups };
  const input = { contacts: body.contacts, rules: bulkRules(body, `import:api:${opts.principal}`) };
  if (!opts.sync) {
    const session = await queueBulkImport(ctx, input, Date.now());
    return { asyncSessionId: session.id };
  }
  if (body.contacts.length > SYNC_MAX_CONTACTS)
    throw new ValidationError([
      {
        field: 'contacts',
        message: `at most ${SYNC_MAX_CONTACTS} contacts with sync=true; send more without it`,
      },
    ]);
  const id = await importBulkNow(ctx, deps.importRunner, input, Date.now());
  return getImportView(deps.db, id, { limit: SYNC_MAX_CONTACTS });
}
