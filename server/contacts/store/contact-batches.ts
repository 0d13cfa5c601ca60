// The contacts store's batch verbs (imports): the rules of contact-rows.ts for many contacts at once.
import { dialectOf } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import type { ContactRow, ContactUpdate } from '../../db/schema.ts';
import { type FieldIssue, IdentityConflictError, ValidationError } from '../../errors.ts';
import {
  contactsWith,
  type Identities,
  INSERTED,
  insertRows,
  ownersOf,
  updateRows,
  WRITTEN,
} from './contact-batch-sql.ts';
import { columnsOf, fieldsToStore, rowAfterChange, statusColumns } from './contact-columns.ts';
import {
  batchStamp,
  type ContactData,
  type IdentityColumn,
  identityLockKeys,
  identityNames,
  type SettableStatus,
} from './contact-rows.ts';
import { coerceFieldValues, fieldDefinitionsFor } from './field-values.ts';

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
  for (const slice of slices([...new Set(values)]))
    found.push(...(await contactsWith(db, column, slice)));
  return found;
}

/** Takes the identity locks of many contacts at once (PostgreSQL), in the one fixed order. */
export function lockIdentitiesOf(trx: DB, inputs: Parameters<typeof identityLockKeys>[0][]) {
  function* keys() {
    for (const input of inputs) yield* identityLockKeys(input);
  }
  return dialectOf(trx).lockIdentities(trx, keys());
}

/** `assertIdentitiesFree` for a batch: one query per identity kind for all of them. */
async function assertBatchIdentitiesFree(db: DB, rows: (Identities & { id?: number })[]) {
  const columns: IdentityColumn[] = ['email', 'phone', 'external_id'];
  const said: string[] = [];
  const ids = new Set<number>();
  for (const column of columns) {
    const wanted = new Map<string, number | undefined>();
    for (const row of rows) if (row[column]) wanted.set(row[column] as string, row.id);
    const owners: { id: number; value: string }[] = [];
    for (const slice of slices([...wanted.keys()]))
      owners.push(...(await ownersOf(db, column, slice)));
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

export interface NewContactData {
  data: ContactData;
  status: SettableStatus;
  source: string;
}

/**
 * Inserts many contacts, a few statements per 500; each must have an email, a phone or an external
 * id, and none may be another contact's (an IdentityConflictError otherwise: take
 * `lockIdentitiesOf` first and look them up). A value of the wrong type for a defined field is a
 * ValidationError. Answers the new rows' ids and identities, in the order given. A caller that has
 * just read, in this transaction and under those locks, the contacts holding any of the identities
 * (`findContactsBy`) and found none says `ownersRead: true`: they are not looked up again (an
 * import's second pass over the table cost as much as its first); a unique index still refuses a
 * duplicate, failing the whole batch.
 * @example await insertContacts(trx, [{ data: { email: 'ann@example.com' }, status: 'confirmed', source: 'import' }], now)
 */
export async function insertContacts(
  db: DB,
  contacts: NewContactData[],
  now: number,
  options: { ownersRead?: boolean } = {},
): Promise<(Identities & { id: number })[]> {
  if (contacts.length === 0) return [];
  const definitions = await batchFieldDefinitions(
    db,
    contacts.map((c) => c.data.fields ?? {}),
  );
  const stamp = await batchStamp(db);
  const issues: FieldIssue[] = [];
  const times = new Map<SettableStatus, ContactUpdate>();
  const identities: Identities[] = [];
  const values: unknown[] = [];
  for (const { data, status, source } of contacts) {
    const fields = data.fields ?? {};
    const checked = coerceFieldValues(definitions, fields);
    if (!checked.ok) {
      issues.push(...checked.issues);
      continue;
    }
    const columns = columnsOf(data);
    const identity = {
      email: columns.email ?? null,
      phone: columns.phone ?? null,
      external_id: columns.external_id ?? null,
    };
    if (!identity.email && !identity.phone && !identity.external_id)
      throw new Error('insertContacts: a contact needs an email, a phone or an external id');
    identities.push(identity);
    let statusTimes = times.get(status);
    if (!statusTimes) {
      statusTimes = statusColumns(undefined, status, now);
      times.set(status, statusTimes);
    }
    // Object.assign, not a literal starting with spreads: V8 built such literals ~20x slower here.
    const row: Record<string, unknown> = Object.assign(columns, statusTimes, {
      fields: storedFieldsText(fields, checked.value),
      source,
      created_at: now,
      updated_at: now,
      change_seq: stamp,
    });
    for (const column of INSERTED) values.push(row[column] ?? null);
  }
  if (issues.length > 0) throw new ValidationError(issues);
  if (!options.ownersRead) await assertBatchIdentitiesFree(db, identities);
  const inserted: (Identities & { id: number })[] = [];
  const perSlice = SLICE * INSERTED.length;
  for (let i = 0; i < values.length; i += perSlice)
    inserted.push(...(await insertRows(db, values.slice(i, i + perSlice))));
  // RETURNING promises no order: each new row is found again by one of its identities.
  const key = (r: Identities) =>
    `${r.external_id ?? ''}\u0000${r.email ?? ''}\u0000${r.phone ?? ''}`;
  const byKey = new Map(inserted.map((r) => [key(r), r]));
  return identities.map((v) => byKey.get(key(v)) as Identities & { id: number });
}

/** A contact's fields as stored: most imported contacts have none, and `{}` needs no encoding. */
function storedFieldsText(fields: Record<string, unknown>, checked: Record<string, unknown>) {
  const stored = fieldsToStore(fields, checked);
  for (const _ in stored) return JSON.stringify(stored);
  return '{}';
}

export interface ContactChange {
  current: ContactRow;
  change: ContactData & { status?: SettableStatus };
}

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
    const values: unknown[] = [];
    for (const row of slice) {
      values.push(row.id);
      for (const column of WRITTEN) values.push(row[column] ?? null);
    }
    await updateRows(db, values, stamp, now);
  }
  return rows.map((r) => ({ ...r, updated_at: now }));
}
