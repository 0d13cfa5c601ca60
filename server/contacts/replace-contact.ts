// The API's PUT: a contact's whole data replaced by the body (absent = cleared); never creates one.
import type { DB } from '../db/open-database.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { ReadContact } from './contact-input.ts';
import { type ContactView, loadContactView } from './contact-view.ts';
import { addLabelIds, ensureLabels, type LabelKind, removeLabelIds } from './labels/labels.ts';
import {
  findContactById,
  lockContacts,
  type SettableStatus,
  updateContact,
} from './store/contact-rows.ts';

export interface ReplaceContactInput {
  contact: ReadContact;
  /** Status, groups and tags change only when given; groups and tags given are the whole set. */
  status?: SettableStatus;
  groups?: string[];
  tags?: string[];
}

/** Makes the contact's groups (or tags) exactly these names, creating unknown ones. */
async function replaceLabels(
  db: DB,
  kind: LabelKind,
  contactId: number,
  names: string[],
  now: number,
) {
  const ids = (await ensureLabels(db, kind, names, now)).map((l) => l.id);
  await removeLabelIds(db, kind, [contactId], { except: ids }, now);
  await addLabelIds(db, kind, [contactId], ids, now);
}

/**
 * Replaces the data of contact `id`: every value absent from `contact` is cleared and `fields`
 * becomes exactly the object given. Identities are checked like every write (422 naming the
 * contacts); a contact left with no email, phone or external id is refused.
 * @example await replaceContact(ctx, 42, { contact: { email: 'ann@example.com' } }, now)
 */
export function replaceContact(
  ctx: VerbContext,
  id: number,
  input: ReplaceContactInput,
  now: number,
): Promise<ContactView> {
  const given = input.contact;
  if (!given.email && !given.phone && !given.externalId)
    throw new ValidationError([
      { field: 'email', message: 'a contact keeps an email, a phone or an externalId' },
    ]);
  return withTransaction(ctx, async (tx) => {
    const trx = tx.db;
    // As patchContact: a delete committing meanwhile is seen, not written over.
    await lockContacts(trx, [id]);
    const current = await findContactById(trx, id);
    if (!current) throw new NotFoundError(`contact ${id} not found`);
    await updateContact(
      trx,
      current,
      {
        email: given.email ?? null,
        phone: given.phone ?? null,
        externalId: given.externalId ?? null,
        firstName: given.firstName ?? null,
        lastName: given.lastName ?? null,
        address: given.address ?? null,
        fields: given.fields ?? {},
        status: input.status,
      },
      now,
    );
    if (input.groups) await replaceLabels(trx, 'group', id, input.groups, now);
    if (input.tags) await replaceLabels(trx, 'tag', id, input.tags, now);
    return loadContactView(trx, (await findContactById(trx, id)) ?? current);
  });
}
