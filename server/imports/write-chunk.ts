// Imports one chunk of rows inside the caller's transaction: a few statements for the whole chunk.
import type { ReadContact } from '../contacts/contact-input.ts';
import {
  addLabelIds,
  ensureLabels,
  findLabels,
  removeLabelIds,
} from '../contacts/labels/labels.ts';
import {
  type ContactChange,
  findContactsBy,
  insertContacts,
  lockIdentitiesOf,
  updateContacts,
} from '../contacts/store/contact-batches.ts';
import type { IdentityColumn } from '../contacts/store/contact-rows.ts';
import { fieldDefinitionsFor } from '../contacts/store/field-values.ts';
import type { ContactRow } from '../db/schema.ts';
import type { Tx } from '../db/unit-of-work.ts';
import { appendEvents } from '../events/append-event.ts';
import type { ImportRules } from './import-rules.ts';
import { type ChunkRow, changeOf, newContactOf, planChunk, type Target } from './plan-chunk.ts';
import type { RowFailure } from './store/import-failures.ts';
import type { ChunkCounts } from './store/import-sessions.ts';

export interface ChunkOutcome {
  counts: ChunkCounts;
  failures: RowFailure[];
}

/** The stored contacts any identity of the chunk names, each once. */
async function storedContacts(tx: Tx, rows: ChunkRow[]): Promise<ContactRow[]> {
  const values: Record<IdentityColumn, string[]> = { external_id: [], email: [], phone: [] };
  for (const row of rows) {
    if (!row.read.ok) continue;
    const { externalId, email, phone } = row.read.contact;
    if (externalId) values.external_id.push(externalId);
    if (email) values.email.push(email);
    if (phone) values.phone.push(phone.e164);
  }
  const byId = new Map<number, ContactRow>();
  for (const column of Object.keys(values) as IdentityColumn[])
    for (const row of await findContactsBy(tx.db, column, values[column])) byId.set(row.id, row);
  return [...byId.values()];
}

/** Events for created contacts (eSputnik's params; key: the email, else the phone). */
function newContactEvents(type: string, created: { target: Target; id: number }[], now: number) {
  return created.map(({ target, id }) => {
    const email = target.identities.email ?? '';
    const phone = target.identities.phone ?? '';
    return {
      type,
      contactId: id,
      key: email || phone || String(id),
      params: { ContactId: id, EmailAddress: email, SMS: phone },
      now,
    };
  });
}

/**
 * Creates and updates the chunk's contacts as `planChunk` decides, then their groups and (when
 * asked) the events for new contacts. Rows that fail are answered, not thrown: only a failure of
 * the chunk as a whole (the database) throws, and then nothing of it is written.
 * @example await withTransaction(ctx, (tx) => writeChunk(tx, rows, rules, Date.now()))
 */
export async function writeChunk(
  tx: Tx,
  rows: ChunkRow[],
  rules: ImportRules,
  now: number,
): Promise<ChunkOutcome> {
  const db = tx.db;
  const contacts: ReadContact[] = [];
  const fieldKeys = new Set<string>();
  for (const row of rows) {
    if (!row.read.ok) continue;
    contacts.push(row.read.contact);
    const fields = row.read.contact.fields;
    if (fields) for (const key in fields) fieldKeys.add(key);
  }
  await lockIdentitiesOf(db, contacts);
  const stored = await storedContacts(tx, rows);
  const definitions = await fieldDefinitionsFor(db, [...fieldKeys]);
  const plan = planChunk(rows, stored, definitions, rules);

  // The plan creates a contact only for identities no stored contact holds: `stored` has them all.
  const inserted = await insertContacts(
    db,
    plan.creates.map((t) => newContactOf(t, rules)),
    now,
    { ownersRead: true },
  );
  const created = plan.creates.map((target, i) => ({ target, id: inserted[i]?.id as number }));
  const changes = plan.updates
    .map((t) => changeOf(t, rules))
    .filter((c): c is ContactChange => c !== undefined);
  await updateContacts(db, changes, now);

  const ids = [
    ...created.map((c) => c.id),
    ...plan.updates.map((t) => (t.existing as ContactRow).id),
  ];
  const stamped = new Set([...created.map((c) => c.id), ...changes.map((c) => c.current.id)]);
  if (ids.length > 0 && (rules.groups.length > 0 || rules.groupIds?.length)) {
    const named = await ensureLabels(db, 'group', rules.groups, now);
    const groupIds = [...new Set([...named.map((g) => g.id), ...(rules.groupIds ?? [])])];
    await addLabelIds(db, 'group', ids, groupIds, now, { stamped });
  }
  if (ids.length > 0 && rules.groupsExclude.length > 0) {
    const groups = await findLabels(db, 'group', rules.groupsExclude);
    await removeLabelIds(
      db,
      'group',
      ids,
      groups.map((g) => g.id),
      now,
      { stamped },
    );
  }
  if (rules.eventKeyForNewContacts)
    await appendEvents(tx, newContactEvents(rules.eventKeyForNewContacts, created, now));
  return {
    counts: { ...plan.outcomes, failed: plan.failures.length },
    failures: plan.failures,
  };
}
