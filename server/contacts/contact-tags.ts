// Tags added to or removed from one contact by name (the API's /contacts/{id}/tags).
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { NotFoundError } from '../errors.ts';
import { type ContactView, loadContactView } from './contact-view.ts';
import { addLabels, removeLabels } from './labels/labels.ts';
import { findContactById } from './store/contact-rows.ts';

/**
 * Adds (unknown names are created) or removes (unknown names are ignored) tags of contact `id`,
 * answering the contact as it is afterwards.
 * @example await changeContactTags(ctx, 42, { add: ['vip'] }, now)
 */
export function changeContactTags(
  ctx: VerbContext,
  id: number,
  change: { add: string[] } | { remove: string[] },
  now: number,
): Promise<ContactView> {
  return withTransaction(ctx, async (tx) => {
    const trx = tx.db;
    if (!(await findContactById(trx, id))) throw new NotFoundError(`contact ${id} not found`);
    if ('add' in change) await addLabels(trx, 'tag', [id], change.add, now);
    else await removeLabels(trx, 'tag', [id], change.remove, now);
    const row = await findContactById(trx, id);
    if (!row) throw new NotFoundError(`contact ${id} not found`);
    return loadContactView(trx, row);
  });
}
