// Decides, for one chunk of rows, which contacts to create and which to change, and which rows fail.
// Pure: the contacts the chunk's identities name were read before, and are written after.
import type { ReadContact } from '../contacts/contact-input.ts';
import type { ContactChange, NewContactData } from '../contacts/store/contact-batches.ts';
import type { ContactData, IdentityColumn } from '../contacts/store/contact-rows.ts';
import { coerceFieldValues, type FieldDefinition } from '../contacts/store/field-values.ts';
import type { ContactRow } from '../db/schema.ts';
import type { FieldIssue } from '../errors.ts';
import type { ImportRules } from './import-rules.ts';
import type { RowFailure } from './store/import-failures.ts';

/** One row of a chunk, read from its source (or not readable, with the reason). */
export interface ChunkRow {
  index: number;
  /** The row as given: what `failedContacts` shows (made when a row fails, the rare case). */
  raw: () => unknown;
  read: { ok: true; contact: ReadContact } | { ok: false; reason: string };
  /**
   * Contact fields (`email`, `fields.plan`) the source names otherwise (`channels.0.value`, `Plan`).
   */
  names: Record<string, string>;
}

/** A contact field as the row's source names it. */
const nameOf = (row: ChunkRow, field: string) => row.names[field] ?? field;

/** A contact the chunk creates or changes; several rows may write one (later values win). */
export interface Target {
  existing?: ContactRow;
  data: ContactData;
  restoring: boolean;
  identities: Record<IdentityColumn, string | null>;
  created?: number;
}

export interface ChunkPlan {
  creates: Target[];
  updates: Target[];
  /** Rows by outcome; a skipped row (`updateExisting: false`) writes nothing. */
  outcomes: { created: number; updated: number; skipped: number };
  failures: RowFailure[];
}

const COLUMNS: IdentityColumn[] = ['external_id', 'email', 'phone'];
const FIELD_OF: Record<IdentityColumn, string> = {
  external_id: 'externalId',
  email: 'email',
  phone: 'phone',
};

const reasonOf = (row: ChunkRow, issues: FieldIssue[]) =>
  issues.map((i) => `${nameOf(row, i.field)}: ${i.message}`).join('; ');

function identitiesOf(contact: ReadContact): Record<IdentityColumn, string | null> {
  return {
    external_id: contact.externalId ?? null,
    email: contact.email ?? null,
    phone: contact.phone?.e164 ?? null,
  };
}

/** The row's data as a save takes it: `null` is "not given", except inside `fields` (it clears). */
function dataOf(contact: ReadContact, fields: Record<string, unknown> | undefined): ContactData {
  const data: ContactData = {};
  if (contact.email != null) data.email = contact.email;
  if (contact.phone != null) data.phone = contact.phone;
  if (contact.externalId != null) data.externalId = contact.externalId;
  if (contact.firstName != null) data.firstName = contact.firstName;
  if (contact.lastName != null) data.lastName = contact.lastName;
  if (contact.address != null) data.address = contact.address;
  if (fields !== undefined) data.fields = fields;
  return data;
}

/**
 * Plans a chunk as if its rows were saved one after another: a row finds its contact by the first
 * identity of `rules.matchOn` that names one (among stored contacts and those earlier rows create),
 * and fails alone when it cannot be read, names a field value of the wrong type, has no identity,
 * or names an identity of another contact. An identity a contact gives up in this chunk is not
 * taken by another in the same chunk: the rows are written in one statement each, and a swap
 * inside one statement would trip the unique indexes.
 * @example planChunk(rows, { email: new Map(stored) , … }, definitions, rules)
 */
export function planChunk(
  rows: ChunkRow[],
  stored: ContactRow[],
  definitions: FieldDefinition[],
  rules: ImportRules,
): ChunkPlan {
  const owners: Record<IdentityColumn, Map<string, Target>> = {
    external_id: new Map(),
    email: new Map(),
    phone: new Map(),
  };
  const released: Record<IdentityColumn, Map<string, Target>> = {
    external_id: new Map(),
    email: new Map(),
    phone: new Map(),
  };
  const targets: Target[] = [];
  for (const row of stored) {
    const target: Target = {
      existing: row,
      data: {},
      restoring: false,
      identities: { external_id: row.external_id, email: row.email, phone: row.phone },
    };
    targets.push(target);
    for (const column of COLUMNS) {
      const value = target.identities[column];
      if (value) owners[column].set(value, target);
    }
  }

  const plan: ChunkPlan = {
    creates: [],
    updates: [],
    outcomes: { created: 0, updated: 0, skipped: 0 },
    failures: [],
  };
  const fail = (row: ChunkRow, reason: string) =>
    plan.failures.push({ index: row.index, reason, row: row.raw() });
  const touched = new Set<Target>();

  for (const row of rows) {
    if (!row.read.ok) {
      fail(row, row.read.reason);
      continue;
    }
    const contact = row.read.contact;
    let fields: Record<string, unknown> | undefined;
    if (contact.fields) {
      const checked = coerceFieldValues(definitions, contact.fields);
      if (!checked.ok) {
        fail(row, reasonOf(row, checked.issues));
        continue;
      }
      fields = checked.value;
    }
    const ids = identitiesOf(contact);
    if (!ids.email && !ids.phone && !ids.external_id) {
      fail(
        row,
        `${nameOf(row, 'email')}: send an email, a phone or an externalId to find the contact by`,
      );
      continue;
    }
    const column = rules.matchOn.find((c) => ids[c] && owners[c].has(ids[c] as string));
    const target = column ? owners[column].get(ids[column] as string) : undefined;

    const conflicts: string[] = [];
    for (const c of COLUMNS) {
      const value = ids[c];
      if (!value) continue;
      const owner = owners[c].get(value) ?? released[c].get(value);
      if (owner && owner !== target)
        conflicts.push(
          `${nameOf(row, FIELD_OF[c])}: ${value} belongs to ${describe(owner)}` +
            (released[c].has(value) ? ' (until an earlier row of this import changed it)' : ''),
        );
    }
    if (
      column === 'phone' &&
      ids.email &&
      target?.identities.email &&
      target.identities.email !== ids.email
    )
      conflicts.push(
        `${nameOf(row, 'phone')}: ${ids.phone} belongs to ${describe(target)}, which has another email address`,
      );
    if (conflicts.length > 0) {
      fail(row, conflicts.join('; '));
      continue;
    }

    if (target?.existing && target.existing.deleted_at !== null && !target.restoring) {
      if (!rules.restoreDeleted) {
        fail(
          row,
          `contact ${target.existing.id} is deleted; send restoreDeleted: true to restore it`,
        );
        continue;
      }
    }
    if (target?.existing && !rules.updateExisting && target.created === undefined) {
      plan.outcomes.skipped++;
      continue;
    }

    const data = dataOf(contact, fields);
    if (!target) {
      const created: Target = { data, restoring: false, identities: ids, created: row.index };
      targets.push(created);
      for (const c of COLUMNS) if (ids[c]) owners[c].set(ids[c] as string, created);
      plan.outcomes.created++;
      touched.add(created);
      continue;
    }
    for (const c of COLUMNS) {
      const value = ids[c];
      const before = target.identities[c];
      if (!value || value === before) continue;
      if (before) {
        owners[c].delete(before);
        released[c].set(before, target);
      }
      owners[c].set(value, target);
      target.identities[c] = value;
    }
    const mergedFields =
      data.fields === undefined ? target.data.fields : { ...target.data.fields, ...data.fields };
    target.data = { ...target.data, ...data, ...(mergedFields ? { fields: mergedFields } : {}) };
    if (target.existing?.deleted_at !== null && target.existing) target.restoring = true;
    plan.outcomes.updated++;
    touched.add(target);
  }

  for (const target of touched) {
    if (target.existing) plan.updates.push(target);
    else plan.creates.push(target);
  }
  return plan;
}

function describe(target: Target): string {
  return target.existing
    ? `contact ${target.existing.id}`
    : `the contact row ${target.created} of this import creates`;
}

/** A created target as the store inserts it. */
export function newContactOf(target: Target, rules: ImportRules): NewContactData {
  return { data: target.data, status: rules.status ?? rules.newStatus, source: rules.source };
}

/** An existing target's change as the store writes it; `undefined` when it would change nothing. */
export function changeOf(target: Target, rules: ImportRules): ContactChange | undefined {
  const current = target.existing as ContactRow;
  const status = rules.status ?? (target.restoring ? rules.newStatus : undefined);
  const change: ContactChange['change'] = { ...target.data, status };
  return sameAsStored(current, change) ? undefined : { current, change };
}

/** True when writing `change` would leave every column of the contact as it is. */
function sameAsStored(current: ContactRow, change: ContactChange['change']): boolean {
  if (change.status !== undefined && change.status !== current.status) return false;
  if (current.deleted_at !== null && change.status !== undefined) return false;
  const same = (given: unknown, stored: unknown) => given === undefined || given === stored;
  if (!same(change.email, current.email)) return false;
  if (!same(change.phone?.e164, current.phone)) return false;
  if (!same(change.externalId, current.external_id)) return false;
  if (!same(change.firstName, current.first_name)) return false;
  if (!same(change.lastName, current.last_name)) return false;
  if (change.address !== undefined && JSON.stringify(change.address) !== current.address)
    return false;
  if (change.fields !== undefined) {
    const stored = JSON.parse(current.fields) as Record<string, unknown>;
    for (const [key, value] of Object.entries(change.fields))
      if (value === null ? key in stored : JSON.stringify(value) !== JSON.stringify(stored[key]))
        return false;
  }
  return true;
}
