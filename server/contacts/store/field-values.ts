// Checks custom field values against their definitions, on every path that writes a contact.
import type { DB } from '../../db/open-database.ts';
import type { FieldType } from '../../db/schema.ts';
import { type FieldIssue, ValidationError } from '../../errors.ts';

export interface FieldDefinition {
  key: string;
  type: FieldType;
  label: string | null;
  options: string[] | null;
}

/** ISO 8601: a date, or a date-time with a zone (what `Date.parse` reads the same everywhere). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `Date.parse` rolls `2026-02-30` over to March 2 rather than refuse it: read the day back. */
function isCalendarDay(value: string): boolean {
  const day = value.slice(0, 10);
  const time = Date.parse(`${day}T00:00:00Z`);
  const valid = !Number.isNaN(time) && !Number.isNaN(Date.parse(value));
  return valid && new Date(time).toISOString().slice(0, 10) === day;
}

type Checked = { ok: true; value: unknown } | { ok: false; message: string };

/** A value as its field's type stores it; strings from forms and CSV are read as that type. */
export function coerceFieldValue(definition: FieldDefinition, value: unknown): Checked {
  if (value === null) return { ok: true, value: null };
  switch (definition.type) {
    case 'text':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean')
        return { ok: true, value: String(value) };
      return { ok: false, message: 'must be text' };
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n === 'number' && Number.isFinite(n)) return { ok: true, value: n };
      return { ok: false, message: 'must be a number' };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === '1' || value === 1) return { ok: true, value: true };
      if (value === 'false' || value === '0' || value === 0) return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    case 'date':
      if (typeof value === 'string' && ISO_DATE.test(value) && isCalendarDay(value))
        return { ok: true, value };
      return { ok: false, message: 'must be an ISO 8601 date like 2026-12-31' };
    case 'enum':
      if (typeof value === 'string' && definition.options?.includes(value))
        return { ok: true, value };
      return { ok: false, message: `must be one of ${(definition.options ?? []).join(', ')}` };
  }
}

/** Keys bound per query, far below SQLite's and PostgreSQL's limits on bound parameters. */
const KEYS_PER_QUERY = 1000;

/** The definitions of those of `keys` that have one; any number of keys (a query per 1,000). */
export async function fieldDefinitionsFor(db: DB, keys: string[]): Promise<FieldDefinition[]> {
  const rows = [];
  for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
    const chunk = keys.slice(start, start + KEYS_PER_QUERY);
    rows.push(
      ...(await db
        .selectFrom('field_definitions')
        .select(['key', 'type', 'label', 'options'])
        .where('key', 'in', chunk)
        .execute()),
    );
  }
  return rows.map((r) => ({
    ...r,
    options: r.options === null ? null : (JSON.parse(r.options) as string[]),
  }));
}

/**
 * The given fields with each defined one read as its type, or an issue (`fields.<key>`) for each
 * value of the wrong type. Keys without a definition are kept as given. Pure, so definitions read
 * once serve a whole batch of contacts.
 */
export function coerceFieldValues(
  definitions: FieldDefinition[],
  fields: Record<string, unknown>,
): { ok: true; value: Record<string, unknown> } | { ok: false; issues: FieldIssue[] } {
  const checked = { ...fields };
  const issues: FieldIssue[] = [];
  for (const definition of definitions) {
    if (!(definition.key in fields)) continue;
    const result = coerceFieldValue(definition, fields[definition.key]);
    if (result.ok) checked[definition.key] = result.value;
    else issues.push({ field: `fields.${definition.key}`, message: result.message });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: checked };
}

/**
 * The given fields with each defined one read as its type; a value of the wrong type is a
 * ValidationError naming `fields.<key>`. Keys without a definition are kept as given.
 * @example await checkFieldValues(db, { plan: 'pro', seats: '3' }) // { plan: 'pro', seats: 3 }
 */
export async function checkFieldValues(
  db: DB,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const definitions = await fieldDefinitionsFor(db, Object.keys(fields));
  if (definitions.length === 0) return fields;
  const result = coerceFieldValues(definitions, fields);
  if (!result.ok) throw new ValidationError(result.issues);
  return result.value;
}

/**
 * The values that fit their definitions, read as their types; the others are left out. For what
 * waited on a confirmation link: checked when posted, its fields' definitions may have changed
 * since, and a confirmation must not fail on them.
 */
export async function fittingFieldValues(
  db: DB,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const definitions = await fieldDefinitionsFor(db, Object.keys(fields));
  const fitting = { ...fields };
  for (const definition of definitions) {
    const result = coerceFieldValue(definition, fields[definition.key]);
    if (result.ok) fitting[definition.key] = result.value;
    else delete fitting[definition.key];
  }
  return fitting;
}
