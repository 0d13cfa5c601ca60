// How a contact's data and status become column values: pure, shared by the single and batch writes.
import type { ContactRow, ContactUpdate } from '../../db/schema.ts';
import type { FieldIssue } from '../../errors.ts';
import type { ContactData, SettableStatus } from './contact-rows.ts';
import { coerceFieldValues, type FieldDefinition } from './field-values.ts';

export function columnsOf(data: ContactData): ContactUpdate {
  const set: ContactUpdate = {};
  if (data.email !== undefined) set.email = data.email;
  if (data.phone !== undefined) {
    set.phone = data.phone?.e164 ?? null;
    set.phone_meta = data.phone ? JSON.stringify(data.phone.meta) : null;
  }
  if (data.externalId !== undefined) set.external_id = data.externalId;
  if (data.firstName !== undefined) set.first_name = data.firstName;
  if (data.lastName !== undefined) set.last_name = data.lastName;
  if (data.address !== undefined)
    set.address = data.address === null ? null : JSON.stringify(data.address);
  return set;
}

/** The time columns a status brings with it. */
export function statusColumns(
  current: ContactRow | undefined,
  status: SettableStatus,
  now: number,
): ContactUpdate {
  const set: ContactUpdate = { status };
  if (status === 'confirmed') {
    if (current?.status !== 'confirmed') set.email_confirmed_at = now;
    set.unsubscribed_at = null;
  }
  if (status === 'unsubscribed' && current?.status !== 'unsubscribed') set.unsubscribed_at = now;
  return set;
}

/** The values of `fields` that differ from the stored ones: only those are checked. */
export function changedFieldValues(
  fields: Record<string, unknown>,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(stored[k])),
  );
}

/** The fields to store: checked values over the given ones, cleared (null) values dropped. */
export function fieldsToStore(
  fields: Record<string, unknown>,
  checked: Record<string, unknown>,
): Record<string, unknown> {
  // A loop, not entries/filter/fromEntries: this runs for every row of an import.
  const stored: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    const value = key in checked ? checked[key] : fields[key];
    if (value !== null) stored[key] = value;
  }
  for (const key of Object.keys(checked))
    if (!(key in fields) && checked[key] !== null) stored[key] = checked[key];
  return stored;
}

/**
 * A contact's row after a change, as `updateContact` would write it (fields checked against the
 * definitions given, a deleted contact given a status restored); or the issues of its fields.
 */
export function rowAfterChange(
  current: ContactRow,
  change: ContactData & { status?: SettableStatus },
  definitions: FieldDefinition[],
  now: number,
): { ok: true; row: ContactRow } | { ok: false; issues: FieldIssue[] } {
  const set: ContactUpdate = columnsOf(change);
  if (change.fields !== undefined) {
    const stored = JSON.parse(current.fields) as Record<string, unknown>;
    const checked = coerceFieldValues(definitions, changedFieldValues(change.fields, stored));
    if (!checked.ok) return checked;
    set.fields = JSON.stringify(fieldsToStore(change.fields, checked.value));
  }
  if (change.status !== undefined) Object.assign(set, statusColumns(current, change.status, now));
  if (change.status !== undefined && current.deleted_at !== null)
    Object.assign(set, { deleted_at: null, status_before_delete: null });
  return { ok: true, row: { ...current, ...set } as ContactRow };
}
