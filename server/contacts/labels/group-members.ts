// Attaching contacts to a group and detaching them, by contact id or external id (eSputnik's calls).
import type { DB } from '../../db/open-database.ts';
import { NotFoundError } from '../../errors.ts';
import { lockContacts } from '../store/contact-rows.ts';
import { addLabelIds, emptyLabel, removeLabelIds } from './labels.ts';

/** Which contacts a call names: one kind of identifier per call, as eSputnik has it. */
export type MemberSelector = { contactIds: number[] } | { externalIds: string[] };

type Given = number | string;

export interface AttachResult {
  /** Contacts that joined the group with this call. */
  attached: number;
  alreadyMembers: number;
  /** Identifiers as given that match no contact. */
  notFound: Given[];
  /** Identifiers of deleted contacts: they are not attached. */
  deleted: Given[];
}

export interface DetachResult {
  /** Contacts that left the group with this call. */
  detached: number;
  notFound: Given[];
}

interface Resolved {
  live: number[];
  deleted: { given: Given; id: number }[];
  notFound: Given[];
}

async function assertGroupExists(db: DB, groupId: number): Promise<void> {
  const row = await db
    .selectFrom('groups')
    .select('id')
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`group ${groupId} not found`);
}

/** The contacts the identifiers name, split into live and deleted; each given id at most once. */
async function resolve(db: DB, selector: MemberSelector): Promise<Resolved> {
  const byId = 'contactIds' in selector;
  const given: Given[] = [...new Set<Given>(byId ? selector.contactIds : selector.externalIds)];
  if (given.length === 0) return { live: [], deleted: [], notFound: [] };
  let query = db.selectFrom('contacts').select(['id', 'external_id', 'deleted_at']);
  query = byId
    ? query.where('id', 'in', given as number[])
    : query.where('external_id', 'in', given as string[]);
  const rows = await query.execute();
  const found = new Map<Given, { id: number; deleted: boolean }>(
    rows.map((r) => [
      byId ? r.id : (r.external_id as string),
      { id: r.id, deleted: r.deleted_at !== null },
    ]),
  );
  const resolved: Resolved = { live: [], deleted: [], notFound: [] };
  for (const key of given) {
    const contact = found.get(key);
    if (!contact) resolved.notFound.push(key);
    else if (contact.deleted) resolved.deleted.push({ given: key, id: contact.id });
    else resolved.live.push(contact.id);
  }
  return resolved;
}

/**
 * Adds the named contacts to a group; unknown identifiers are reported, not fatal, and deleted
 * contacts are left out. Members' change stamps move (addLabelIds). Run it in a transaction.
 * @example await attachToGroup(trx, 7, { externalIds: ['crm-1', 'crm-2'] }, now)
 */
export async function attachToGroup(
  db: DB,
  groupId: number,
  selector: MemberSelector,
  now: number,
): Promise<AttachResult> {
  await assertGroupExists(db, groupId);
  const first = await resolve(db, selector);
  // A deletion committing meanwhile must not let its contact in: take the contacts' locks, as
  // deleting does, then look again (PostgreSQL; SQLite serialises writers).
  await lockContacts(db, [...first.live, ...first.deleted.map((d) => d.id)]);
  const { live, deleted, notFound } = await resolve(db, selector);
  const attached = (await addLabelIds(db, 'group', live, [groupId], now)).length;
  return {
    attached,
    alreadyMembers: live.length - attached,
    notFound,
    deleted: deleted.map((d) => d.given),
  };
}

/**
 * Removes the named contacts (deleted ones too) from a group, or every member when `selector` is
 * `'all'`. Run it in a transaction.
 */
export async function detachFromGroup(
  db: DB,
  groupId: number,
  selector: MemberSelector | 'all',
  now: number,
): Promise<DetachResult> {
  await assertGroupExists(db, groupId);
  if (selector === 'all')
    return { detached: (await emptyLabel(db, 'group', groupId, now)).length, notFound: [] };
  const { live, deleted, notFound } = await resolve(db, selector);
  const ids = [...live, ...deleted.map((d) => d.id)];
  const removed = await removeLabelIds(db, 'group', ids, [groupId], now);
  return { detached: removed.length, notFound };
}
