// GDPR erasure: a deleted contact's personal data removed everywhere, each table by its owner.
import { deleteConfirmTokensOf } from '../confirm/confirm-tokens.ts';
import type { DB } from '../db/open-database.ts';
import type { ContactRow } from '../db/schema.ts';
import { eraseActivitiesOf } from '../deliverability/activities/record-activity.ts';
import { eraseRunData } from '../engine/runs-store/erase-run-data.ts';
import { forgetDevMail } from '../mail/forget-dev-mail.ts';
import { scrubContactMail } from '../mail/outbox/scrub-mail.ts';
import { eraseConsentOrigins } from './consents.ts';
import { removeLabelIds } from './labels/labels.ts';
import { dropPendingGroups } from './pending-groups.ts';
import { eraseContactRow } from './store/contact-rows.ts';

/**
 * Removes what identifies the person behind contact `row` (already soft-deleted, its runs cancelled
 * and its pending mail withdrawn, in this transaction): the row's values, consent IP and user agent,
 * confirmation links, memberships (groups, pending groups, tags), the text of its mail and dev
 * mailbox copies, its run outputs, and the URLs and details of its mail activities. Kept: ids,
 * timestamps, statuses, event types, consent kinds and forms. Event params are erased earlier by the caller (see deleteContact: lock order).
 */
export async function eraseContact(db: DB, row: ContactRow, now: number): Promise<ContactRow> {
  const erased = await eraseContactRow(db, row, now);
  await eraseConsentOrigins(db, row.id);
  await deleteConfirmTokensOf(db, row.id);
  await dropPendingGroups(db, row.id);
  await removeLabelIds(db, 'group', [row.id], 'all', now);
  await removeLabelIds(db, 'tag', [row.id], 'all', now);
  await forgetDevMail(db, { contactId: row.id, address: row.email });
  await scrubContactMail(db, row.id);
  await eraseRunData(db, row.id);
  await eraseActivitiesOf(db, row.id);
  return erased;
}
