// The only writer of the `contacts` table (with its batch verbs, contact-batches.ts): identity rules,
// field definitions and the change stamp.
import { type RawBuilder, sql } from 'kysely';
import { dialectOf } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import { insertRow } from '../../db/row-inserts.ts';
import type { ContactRow, ContactStatus, ContactUpdate } from '../../db/schema.ts';
import { runShape, shapeText } from '../../db/statement-shapes.ts';
import { ConflictError, IdentityConflictError, ValidationError } from '../../errors.ts';
import { mailboxOf } from '../mailbox.ts';
import type { NormalizedPhone } from '../phone.ts';
import { changedFieldValues, columnsOf, fieldsToStore, statusColumns } from './contact-columns.ts';
import { checkFieldValues } from './field-values.ts';

export type Address = Partial<Record<'town' | 'region' | 'address' | 'postcode', string>>;

/** A contact's own data; `undefined` leaves a value as it is, `null` clears it. */
export interface ContactData {
  email?: string | null;
  phone?: NormalizedPhone | null;
  externalId?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  address?: Address | null;
  /** The whole fields object to store, replacing what is there. */
  fields?: Record<string, unknown>;
  /** Fields to change on the stored ones, merged when the row is written; `null` removes one. */
  fieldChanges?: Record<string, unknown>;
}

/** Statuses a write may set; `deleted` only comes from `deleteContact`. */
export type SettableStatus = Exclude<ContactStatus, 'deleted'>;

export type IdentityColumn = 'email' | 'phone' | 'external_id';

export const findContactById = (db: DB, id: number) =>
  db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();

/** Compiled once per column: every subscribe looks its address up. */
export async function findContactBy(
  db: DB,
  column: IdentityColumn,
  value: string,
): Promise<ContactRow | undefined> {
  const text = shapeText(db, `contacts:by:${column}`, () =>
    db.selectFrom('contacts').selectAll().where(column, '=', value).compile(),
  );
  return (await runShape<ContactRow>(db, text, [value])).rows[0];
}

/** Lock keys for identities; the mailbox (not the raw address) also guards the mail throttle. */
export function identityLockKeys(input: {
  email?: string | null;
  phone?: Pick<NormalizedPhone, 'e164'> | null;
  externalId?: string | null;
}): string[] {
  return [
    ...(input.email ? [`mailbox:${mailboxOf(input.email).mailbox}`] : []),
    ...(input.phone ? [`phone:${input.phone.e164}`] : []),
    ...(input.externalId ? [`external:${input.externalId}`] : []),
  ];
}

/**
 * Makes the writers that decide about a contact's life (its deletion, the engine starting runs for
 * it) take turns until the caller's transaction ends (PostgreSQL; SQLite serialises writers).
 * Several ids are locked in one fixed order, so two callers never wait for each other in a cycle.
 */
export function lockContacts(trx: DB, ids: number[]) {
  return dialectOf(trx).lockIdentities(
    trx,
    ids.map((id) => `contact:${id}`),
  );
}

/** Takes the identity locks (PostgreSQL) for the duration of the caller's transaction. */
export function lockIdentities(trx: DB, input: Parameters<typeof identityLockKeys>[0]) {
  return dialectOf(trx).lockIdentities(trx, identityLockKeys(input));
}

export const identityNames: Record<IdentityColumn, string> = {
  email: 'email',
  phone: 'phone',
  external_id: 'externalId',
};

/**
 * Refuses identities that other contacts already have, naming every contact involved (an email of
 * one and a phone of another are one error, so the caller sees the whole conflict at once).
 */
async function assertIdentitiesFree(db: DB, data: ContactData, selfId: number | undefined) {
  const wanted: [IdentityColumn, string | null | undefined][] = [
    ['email', data.email],
    ['phone', data.phone?.e164],
    ['external_id', data.externalId],
  ];
  const owners: { id: number; said: string }[] = [];
  for (const [column, value] of wanted) {
    if (!value) continue;
    const owner = await findContactBy(db, column, value);
    if (owner && owner.id !== selfId)
      owners.push({
        id: owner.id,
        said: `${identityNames[column]} ${value} belongs to contact ${owner.id}`,
      });
  }
  if (owners.length === 0) return;
  const ids = [...new Set([...(selfId === undefined ? [] : [selfId]), ...owners.map((o) => o.id)])];
  throw new IdentityConflictError(ids, owners.map((o) => o.said).join('; '));
}

/** Only the fields whose values change are checked, so an old value cannot block other writes. */
async function checkedFields(
  db: DB,
  fields: Record<string, unknown>,
  stored: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return fieldsToStore(fields, await checkFieldValues(db, changedFieldValues(fields, stored)));
}

/**
 * Inserts a contact; `undefined` when a concurrent writer took one of its identities first (the
 * caller looks again). Call `lockIdentities` first inside the same transaction. `identitiesFree`:
 * the caller has just looked each identity up in this transaction and found none taken, so they
 * are not looked up again.
 */
export async function insertContact(
  db: DB,
  data: ContactData,
  meta: { status: SettableStatus; source: string; identitiesFree?: boolean },
  now: number,
): Promise<ContactRow | undefined> {
  if (!meta.identitiesFree) await assertIdentitiesFree(db, data, undefined);
  const fields = await checkedFields(db, data.fields ?? {}, {});
  return insertRow<'contacts', ContactRow>(
    db,
    'contacts',
    {
      email: null,
      phone: null,
      fields: JSON.stringify(fields),
      ...columnsOf(data),
      ...statusColumns(undefined, meta.status, now),
      status: meta.status,
      source: meta.source,
      created_at: now,
      updated_at: now,
    },
    {
      computed: { change_seq: dialectOf(db).changeStamp() },
      ignoreConflictOn: true,
      returning: '*',
    },
  );
}

/** True when writing `set` would change nothing that `row` holds. */
function changesNothing(row: ContactRow, set: ContactUpdate): boolean {
  return Object.entries(set).every(
    ([column, value]) => row[column as keyof ContactRow] === (value ?? null),
  );
}

/** The field changes that differ from what is stored, type-checked; nulls remove. */
async function checkedFieldChanges(
  db: DB,
  changes: Record<string, unknown>,
  stored: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const differing = Object.fromEntries(
    Object.entries(changes).filter(
      ([k, v]) => JSON.stringify(v) !== JSON.stringify(stored[k] ?? null),
    ),
  );
  const given = Object.fromEntries(Object.entries(differing).filter(([, v]) => v !== null));
  return { ...differing, ...(await checkFieldValues(db, given)) };
}

/**
 * Writes the given data (and status) of a contact, stamping the change feed; a write that changes
 * nothing is not made (so a sync that sends back what it read does not loop). An identity that
 * belongs to another contact is an IdentityConflictError; a defined field of the wrong type a
 * ValidationError; leaving a live contact without any identity a ValidationError. A deleted
 * contact given a status is restored; an erased one is a ConflictError.
 * @example await updateContact(trx, row, { firstName: 'Ann', status: 'confirmed' }, now)
 */
export async function updateContact(
  db: DB,
  current: ContactRow,
  change: ContactData & { status?: SettableStatus },
  now: number,
): Promise<ContactRow> {
  // Its personal data is gone for good: an email or a status written here would bring the id,
  // with the history kept under it, back to life as somebody (and make it restorable).
  if (isErased(current))
    throw new ConflictError(
      `contact ${current.id} was erased: it cannot be changed; create the contact anew`,
    );
  const identities = {
    email: change.email !== current.email ? change.email : undefined,
    phone: change.phone && change.phone.e164 !== current.phone ? change.phone : undefined,
    externalId: change.externalId !== current.external_id ? change.externalId : undefined,
  };
  await lockIdentities(db, identities);
  await assertIdentitiesFree(db, identities, current.id);
  const set: ContactUpdate = columnsOf(change);
  const stored = JSON.parse(current.fields) as Record<string, unknown>;
  if (change.fields !== undefined)
    set.fields = JSON.stringify(await checkedFields(db, change.fields, stored));
  if (change.status !== undefined) Object.assign(set, statusColumns(current, change.status, now));
  if (change.status !== undefined && current.deleted_at !== null)
    Object.assign(set, { deleted_at: null, status_before_delete: null });
  assertStillFindable(current, set);
  const fieldChanges =
    change.fieldChanges && change.fields === undefined
      ? await checkedFieldChanges(db, change.fieldChanges, stored)
      : {};
  const merged =
    Object.keys(fieldChanges).length > 0 ? dialectOf(db).mergedFields(fieldChanges) : undefined;
  if (!merged && changesNothing(current, set)) return current;
  return writeRow(db, current.id, merged ? { ...set, fields: merged } : set, now);
}

/** A live contact keeps something to be found by: an email, a phone or an external id. */
function assertStillFindable(current: ContactRow, set: ContactUpdate): void {
  const after = (column: 'email' | 'phone' | 'external_id') =>
    set[column] === undefined ? current[column] : set[column];
  const deleted = (set.deleted_at === undefined ? current.deleted_at : set.deleted_at) !== null;
  if (deleted || after('email') || after('phone') || after('external_id')) return;
  throw new ValidationError([
    {
      field: 'email',
      message: 'a contact needs an email, a phone or an externalId: keep one of them',
    },
  ]);
}

function writeRow(
  db: DB,
  id: number,
  set: Omit<ContactUpdate, 'fields'> & { fields?: string | RawBuilder<string> },
  now: number,
): Promise<ContactRow> {
  return db
    .updateTable('contacts')
    .set({ ...set, updated_at: now, change_seq: dialectOf(db).changeStamp() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Soft delete: the status before it is kept for `restoreContact`. */
export function markContactDeleted(db: DB, current: ContactRow, now: number): Promise<ContactRow> {
  if (current.deleted_at !== null) return Promise.resolve(current);
  return writeRow(
    db,
    current.id,
    { status: 'deleted', deleted_at: now, status_before_delete: current.status },
    now,
  );
}

/** Erased (GDPR): deleted with nothing left that identifies the person. */
export const isErased = (row: ContactRow) =>
  row.deleted_at !== null && !row.email && !row.phone && !row.external_id;

/** Undoes a soft delete: the contact gets back the status it had. An erased one cannot come back. */
export function restoreContact(db: DB, current: ContactRow, now: number): Promise<ContactRow> {
  if (current.deleted_at === null) return Promise.resolve(current);
  if (isErased(current))
    throw new ConflictError(
      `contact ${current.id} was erased: nothing is left to restore; create the contact anew`,
    );
  return writeRow(
    db,
    current.id,
    {
      status: current.status_before_delete ?? 'unconfirmed',
      deleted_at: null,
      status_before_delete: null,
    },
    now,
  );
}

/** GDPR erasure of the row itself: every personal value goes; the id and timestamps stay. */
export function eraseContactRow(db: DB, current: ContactRow, now: number): Promise<ContactRow> {
  return writeRow(
    db,
    current.id,
    {
      email: null,
      phone: null,
      phone_meta: null,
      external_id: null,
      first_name: null,
      last_name: null,
      address: null,
      fields: '{}',
      status: 'deleted',
      deleted_at: current.deleted_at ?? now,
      status_before_delete: current.status_before_delete ?? current.status,
    },
    now,
  );
}

/** Records that something shown in a contact's JSON (groups, tags) changed, for the change feed. */
export async function touchContacts(db: DB, ids: number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  const stamp = ids.length > 1 ? await batchStamp(db) : dialectOf(db).changeStamp();
  await db
    .updateTable('contacts')
    .set({ updated_at: now, change_seq: stamp })
    .where('id', 'in', ids)
    .execute();
}

/**
 * The change stamp for a batch, read once: every row of one transaction may share it (the feed
 * orders by stamp, then id). Evaluated per row instead, SQLite's `max(change_seq) + 1` cost more than
 * the insert itself.
 */
export async function batchStamp(db: DB): Promise<number> {
  const { rows } = await sql<{
    stamp: number;
  }>`select ${dialectOf(db).changeStamp()} as stamp`.execute(db);
  return Number(rows[0]?.stamp);
}
