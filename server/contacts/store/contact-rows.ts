// The only writer of the `contacts` table: identity rules, field definitions and the change stamp.
import { type RawBuilder, sql } from 'kysely';
import { dialectOf } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import type { ContactRow, ContactStatus, ContactUpdate } from '../../db/schema.ts';
import {
  ConflictError,
  type FieldIssue,
  IdentityConflictError,
  ValidationError,
} from '../../errors.ts';
import { mailboxOf } from '../mailbox.ts';
import type { NormalizedPhone } from '../phone.ts';
import {
  changedFieldValues,
  columnsOf,
  fieldsToStore,
  rowAfterChange,
  statusColumns,
} from './contact-columns.ts';
import { checkFieldValues, coerceFieldValues, fieldDefinitionsFor } from './field-values.ts';

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

export const findContactBy = (db: DB, column: IdentityColumn, value: string) =>
  db.selectFrom('contacts').selectAll().where(column, '=', value).executeTakeFirst();

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

const identityNames: Record<IdentityColumn, string> = {
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
 * caller looks again). Call `lockIdentities` first inside the same transaction.
 */
export async function insertContact(
  db: DB,
  data: ContactData,
  meta: { status: SettableStatus; source: string },
  now: number,
): Promise<ContactRow | undefined> {
  await assertIdentitiesFree(db, data, undefined);
  const fields = await checkedFields(db, data.fields ?? {}, {});
  return db
    .insertInto('contacts')
    .values({
      email: null,
      phone: null,
      fields: JSON.stringify(fields),
      ...columnsOf(data),
      ...statusColumns(undefined, meta.status, now),
      status: meta.status,
      source: meta.source,
      created_at: now,
      updated_at: now,
      change_seq: dialectOf(db).changeStamp(),
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
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
 * contact given a status is restored.
 * @example await updateContact(trx, row, { firstName: 'Ann', status: 'confirmed' }, now)
 */
export async function updateContact(
  db: DB,
  current: ContactRow,
  change: ContactData & { status?: SettableStatus },
  now: number,
): Promise<ContactRow> {
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

// ---- Batches: the same rules for many contacts at once (imports), a few statements per batch. ----

/** Values per `in (…)` list and rows per statement: far below either engine's parameter limit. */
const SLICE = 500;

function slices<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
  return out;
}

/**
 * The contacts holding any of these values of one identity, in one query per 500 values. On
 * PostgreSQL the rows stay locked until the transaction ends, since a batch writes them back whole.
 */
export async function findContactsBy(
  db: DB,
  column: IdentityColumn,
  values: string[],
): Promise<ContactRow[]> {
  const found: ContactRow[] = [];
  for (const slice of slices([...new Set(values)])) {
    const query = db.selectFrom('contacts').selectAll().where(column, 'in', slice).orderBy('id');
    found.push(...(await dialectOf(db).lockForWrite(query).execute()));
  }
  return found;
}

/** Takes the identity locks of many contacts at once (PostgreSQL), in the one fixed order. */
export function lockIdentitiesOf(trx: DB, inputs: Parameters<typeof identityLockKeys>[0][]) {
  return dialectOf(trx).lockIdentities(trx, inputs.flatMap(identityLockKeys));
}

type Identities = Pick<ContactRow, 'email' | 'phone' | 'external_id'>;

/** `assertIdentitiesFree` for a batch: one query per identity kind for all of them. */
async function assertBatchIdentitiesFree(db: DB, rows: (Identities & { id?: number })[]) {
  const columns: IdentityColumn[] = ['email', 'phone', 'external_id'];
  const said: string[] = [];
  const ids = new Set<number>();
  for (const column of columns) {
    const wanted = new Map<string, number | undefined>();
    for (const row of rows) if (row[column]) wanted.set(row[column] as string, row.id);
    const owners: { id: number; value: string }[] = [];
    for (const slice of slices([...wanted.keys()])) {
      const found = await db
        .selectFrom('contacts')
        .select(['id', `${column} as value`])
        .where(column, 'in', slice)
        .execute();
      owners.push(...(found as { id: number; value: string }[]));
    }
    for (const owner of owners) {
      const self = wanted.get(owner.value);
      if (owner.id === self) continue;
      ids.add(owner.id);
      if (self !== undefined) ids.add(self);
      said.push(`${identityNames[column]} ${owner.value} belongs to contact ${owner.id}`);
    }
  }
  if (said.length > 0) throw new IdentityConflictError([...ids], said.join('; '));
}

/** Field values for a batch: definitions read once, every value checked as `checkedFields` does. */
async function batchFieldDefinitions(db: DB, fieldSets: Record<string, unknown>[]) {
  const keys = new Set<string>();
  for (const fields of fieldSets) for (const key of Object.keys(fields)) keys.add(key);
  return fieldDefinitionsFor(db, [...keys]);
}

/**
 * The change stamp for a batch, read once: every row of one transaction may share it (the feed
 * orders by stamp, then id). Evaluated per row instead, SQLite's `max(change_seq) + 1` cost more than
 * the insert itself.
 */
async function batchStamp(db: DB): Promise<number> {
  const { rows } = await sql<{
    stamp: number;
  }>`select ${dialectOf(db).changeStamp()} as stamp`.execute(db);
  return Number(rows[0]?.stamp);
}

/** The columns a batch insert writes, in the order of its VALUES rows. */
const INSERTED = [
  'email',
  'phone',
  'phone_meta',
  'external_id',
  'first_name',
  'last_name',
  'address',
  'fields',
  'status',
  'source',
  'email_confirmed_at',
  'unsubscribed_at',
  'created_at',
  'updated_at',
  'change_seq',
] as const;

export interface NewContactData {
  data: ContactData;
  status: SettableStatus;
  source: string;
}

/**
 * Inserts many contacts, a few statements per 500; each must have an email, a phone or an external
 * id, and none may be another contact's (an IdentityConflictError otherwise: take
 * `lockIdentitiesOf` first and look them up). A value of the wrong type for a defined field is a
 * ValidationError. Answers the new rows' ids and identities, in the order given.
 * @example await insertContacts(trx, [{ data: { email: 'ann@example.com' }, status: 'confirmed', source: 'import' }], now)
 */
export async function insertContacts(
  db: DB,
  contacts: NewContactData[],
  now: number,
): Promise<(Identities & { id: number })[]> {
  if (contacts.length === 0) return [];
  const definitions = await batchFieldDefinitions(
    db,
    contacts.map((c) => c.data.fields ?? {}),
  );
  const stamp = await batchStamp(db);
  const issues: FieldIssue[] = [];
  const values = contacts.map(({ data, status, source }) => {
    const checked = coerceFieldValues(definitions, data.fields ?? {});
    if (!checked.ok) issues.push(...checked.issues);
    const columns = columnsOf(data);
    if (!columns.email && !columns.phone && !columns.external_id)
      throw new Error('insertContacts: a contact needs an email, a phone or an external id');
    return {
      email: null,
      phone: null,
      ...columns,
      fields: JSON.stringify(fieldsToStore(data.fields ?? {}, checked.ok ? checked.value : {})),
      ...statusColumns(undefined, status, now),
      status,
      source,
      created_at: now,
      updated_at: now,
      change_seq: stamp,
    };
  });
  if (issues.length > 0) throw new ValidationError(issues);
  await assertBatchIdentitiesFree(db, values as Identities[]);
  const inserted: (Identities & { id: number })[] = [];
  // A plain VALUES list: Kysely's insert builder spent more reading 500 row objects than SQLite
  // spent inserting them.
  for (const slice of slices(values)) {
    const rows = slice.map(
      (v) => sql`(${sql.join(INSERTED.map((c) => (v as Record<string, unknown>)[c] ?? null))})`,
    );
    const { rows: returned } = await sql<Identities & { id: number }>`
      insert into contacts (${sql.join(INSERTED.map((c) => sql.ref(c)))})
      values ${sql.join(rows)}
      returning id, email, phone, external_id`.execute(db);
    inserted.push(...returned);
  }
  // RETURNING promises no order: each new row is found again by one of its identities.
  const key = (r: Identities) =>
    `${r.external_id ?? ''}\u0000${r.email ?? ''}\u0000${r.phone ?? ''}`;
  const byKey = new Map(inserted.map((r) => [key(r), r]));
  return values.map((v) => byKey.get(key(v as Identities)) as Identities & { id: number });
}

export interface ContactChange {
  current: ContactRow;
  change: ContactData & { status?: SettableStatus };
}

/** The columns a batch update writes back, in the order of the VALUES rows. */
const WRITTEN = [
  'email',
  'phone',
  'phone_meta',
  'external_id',
  'first_name',
  'last_name',
  'address',
  'fields',
  'status',
  'email_confirmed_at',
  'unsubscribed_at',
  'deleted_at',
  'status_before_delete',
] as const;
const NUMERIC = new Set<string>(['email_confirmed_at', 'unsubscribed_at', 'deleted_at']);

/**
 * Writes changes to many contacts as `updateContact` writes one (identities checked, fields
 * checked, a deleted contact given a status restored, the change stamp set), in one `UPDATE … FROM
 * (VALUES …)` per 500 rows. Rows must have been read in this transaction (`findContactsBy`, which
 * locks them on PostgreSQL): they are written back whole. Answers the rows as written.
 */
export async function updateContacts(
  db: DB,
  changes: ContactChange[],
  now: number,
): Promise<ContactRow[]> {
  if (changes.length === 0) return [];
  const definitions = await batchFieldDefinitions(
    db,
    changes.map((c) => c.change.fields ?? {}),
  );
  const issues: FieldIssue[] = [];
  const rows = changes.map(({ current, change }) => {
    const next = rowAfterChange(current, change, definitions, now);
    if (next.ok) return next.row;
    issues.push(...next.issues);
    return current;
  });
  if (issues.length > 0) throw new ValidationError(issues);
  const moved = rows.filter((row, i) => {
    const before = changes[i]?.current as ContactRow;
    return (
      row.email !== before.email ||
      row.phone !== before.phone ||
      row.external_id !== before.external_id
    );
  });
  await lockIdentitiesOf(
    db,
    moved.map((r) => ({
      email: r.email,
      phone: r.phone === null ? null : { e164: r.phone },
      externalId: r.external_id,
    })),
  );
  await assertBatchIdentitiesFree(db, moved);
  const stamp = await batchStamp(db);
  for (const slice of slices(rows)) {
    const tuples = slice.map(
      (row) =>
        sql`(${sql.join([
          sql`cast(${row.id} as bigint)`,
          ...WRITTEN.map((c) => (NUMERIC.has(c) ? sql`cast(${row[c]} as bigint)` : sql`${row[c]}`)),
        ])})`,
    );
    const set = WRITTEN.map((c, i) => sql`${sql.ref(c)} = v.${sql.raw(`column${i + 2}`)}`);
    await sql`update contacts set ${sql.join(set)}, updated_at = ${now},
        change_seq = ${stamp}
      from (values ${sql.join(tuples)}) as v
      where contacts.id = v.column1`.execute(db);
  }
  return rows.map((r) => ({ ...r, updated_at: now }));
}
