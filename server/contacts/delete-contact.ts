// Soft delete (out of lists, workflows and mail), optional GDPR erasure, and restore.
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { cancelContactRuns } from '../engine/runs-store/cancel-runs.ts';
import { NotFoundError } from '../errors.ts';
import { eraseEventParams } from '../events/erase-event-params.ts';
import { cancelPendingMail } from '../mail/outbox/cancel-mail.ts';
import { type ContactView, loadContactView } from './contact-view.ts';
import { eraseContact } from './erase-contact.ts';
import {
  findContactById,
  lockContacts,
  markContactDeleted,
  restoreContact,
} from './store/contact-rows.ts';

/**
 * Deletes contact `id`: status `deleted` and `deletedAt` (kept for restore), its active runs
 * cancelled, its pending mail withdrawn; no mail and no event. `erase` also removes its personal
 * data (erase-contact.ts). Deleting a deleted contact again changes nothing (but may erase it).
 * @example await deleteContact(ctx, 42, { erase: true }, now)
 */
export function deleteContact(
  ctx: VerbContext,
  id: number,
  options: { erase: boolean },
  now: number,
): Promise<ContactView> {
  return withTransaction(ctx, async (tx) => {
    const trx = tx.db;
    // Before the contact's lock: the dispatcher holds event rows while it waits for that lock.
    if (options.erase) await eraseEventParams(trx, id);
    await lockContacts(trx, [id]);
    const current = await findContactById(trx, id);
    if (!current) throw new NotFoundError(`contact ${id} not found`);
    let row = await markContactDeleted(trx, current, now);
    await cancelContactRuns(trx, { contactId: id, reason: 'contact deleted', now });
    await cancelPendingMail(trx, { contactId: id, reason: 'contact deleted' });
    if (options.erase) row = await eraseContact(trx, row, now);
    return loadContactView(trx, row);
  });
}

/**
 * Undoes a soft delete: the contact gets back its status from before. Runs and mail cancelled by
 * the delete stay cancelled. A contact that is not deleted is answered as it is.
 */
export function restoreDeletedContact(
  ctx: VerbContext,
  id: number,
  now: number,
): Promise<ContactView> {
  return withTransaction(ctx, async (tx) => {
    await lockContacts(tx.db, [id]);
    const current = await findContactById(tx.db, id);
    if (!current) throw new NotFoundError(`contact ${id} not found`);
    return loadContactView(tx.db, await restoreContact(tx.db, current, now));
  });
}
