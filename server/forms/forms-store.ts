// Reading and writing forms; the config is validated JSON in one column.

import type { DB } from '../db/open-database.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { type Form, type FormConfig, type FormPatch, formConfigSchema } from './form-schema.ts';

/** Parsed configs by their stored text: validating on every public request showed in profiles. */
const parsedConfigs = new Map<string, FormConfig>();

function parseConfig(text: string): FormConfig {
  let config = parsedConfigs.get(text);
  if (!config) {
    if (parsedConfigs.size >= 1000) parsedConfigs.clear();
    config = formConfigSchema.parse(JSON.parse(text));
    // Shared by every request that reads this form, so nobody may change it.
    parsedConfigs.set(text, deepFreeze(config));
  }
  return config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function toForm(row: { id: string; config: string; created_at: number; updated_at: number }): Form {
  return {
    id: row.id,
    ...parseConfig(row.config),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/**
 * Forms by id, per database handle: every public subscribe reads its form, and reading and
 * building it cost more than some of the subscribe's own writes. A write in this process drops
 * every entry; another process's write (several processes on PostgreSQL, or one on the same
 * SQLite file) is seen within FORM_TTL_MS.
 */
const FORM_TTL_MS = 1000;
interface CachedForm {
  form: Form | undefined;
  readAt: number;
  /** `formWrites` when it was read: any write since makes it stale. */
  writes: number;
}
const cachedForms = new WeakMap<DB, Map<string, CachedForm>>();
/** Moves on at every write: entries read before are stale, and a read overlapping one is not kept. */
let formWrites = 0;

function formsWritten(): void {
  formWrites++;
}

/** Reads inside a transaction bypass the cache: they must see the transaction's own writes. */
export async function findForm(db: DB, id: string): Promise<Form | undefined> {
  if (db.isTransaction) return readForm(db, id);
  let forms = cachedForms.get(db);
  if (!forms) {
    forms = new Map();
    cachedForms.set(db, forms);
  }
  const now = Date.now();
  const hit = forms.get(id);
  if (hit && hit.writes === formWrites && now - hit.readAt < FORM_TTL_MS) return hit.form;
  const writes = formWrites;
  const form = await readForm(db, id);
  if (writes === formWrites) {
    // Ids come from URLs: unknown ones are cached too, but a spray of them cannot grow the map.
    if (forms.size >= 1000) forms.clear();
    forms.set(id, { form, readAt: now, writes });
  }
  return form;
}

async function readForm(db: DB, id: string): Promise<Form | undefined> {
  const row = await db.selectFrom('forms').selectAll().where('id', '=', id).executeTakeFirst();
  return row && Object.freeze(toForm(row));
}

export async function getForm(db: DB, id: string): Promise<Form> {
  const form = await findForm(db, id);
  if (!form) throw new NotFoundError(`form ${id} not found`);
  return form;
}

export async function listForms(db: DB): Promise<Form[]> {
  const rows = await db.selectFrom('forms').selectAll().orderBy('id').execute();
  return rows.map(toForm);
}

export async function createForm(db: DB, id: string, config: FormConfig): Promise<Form> {
  const now = Date.now();
  const inserted = await db
    .insertInto('forms')
    .values({ id, config: JSON.stringify(config), created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  formsWritten();
  if (!inserted) throw new ConflictError(`form ${id} already exists`);
  return toForm(inserted);
}

/** Applies a partial change; the merged result is validated as a whole. */
export async function updateForm(db: DB, id: string, patch: FormPatch): Promise<Form> {
  const form = await db.transaction().execute(async (trx) => {
    const current = await getForm(trx, id);
    const { id: _id, createdAt: _c, updatedAt: _u, ...config } = current;
    const next = formConfigSchema.parse({
      ...config,
      ...patch,
      texts: { ...config.texts, ...patch.texts },
      redirectUrls: { ...config.redirectUrls, ...patch.redirectUrls },
      botDefence: { ...config.botDefence, ...patch.botDefence },
    });
    const row = await trx
      .updateTable('forms')
      .set({ config: JSON.stringify(next), updated_at: Date.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toForm(row);
  });
  // After the commit: a read between an earlier drop and the commit would keep the old form.
  formsWritten();
  return form;
}

export async function deleteForm(db: DB, id: string): Promise<void> {
  const result = await db.deleteFrom('forms').where('id', '=', id).executeTakeFirst();
  formsWritten();
  if (result.numDeletedRows === 0n) throw new NotFoundError(`form ${id} not found`);
}

/**
 * Forms name the groups they fill: when a group is renamed, the forms that list its old name list
 * the new one instead. Returns the ids of the forms changed. Runs in the caller's transaction.
 */
export async function renameGroupInForms(
  db: DB,
  from: string,
  to: string,
  now: number,
): Promise<string[]> {
  const changed: string[] = [];
  for (const row of await db.selectFrom('forms').select(['id', 'config']).execute()) {
    const config = parseConfig(row.config);
    if (!config.groups.includes(from)) continue;
    const groups = [...new Set(config.groups.map((g) => (g === from ? to : g)))];
    await db
      .updateTable('forms')
      .set({ config: JSON.stringify({ ...config, groups }), updated_at: now })
      .where('id', '=', row.id)
      .execute();
    changed.push(row.id);
  }
  // In the caller's transaction: on SQLite no read can come between this and its commit (one
  // connection); on PostgreSQL one that does keeps the old groups for FORM_TTL_MS at most.
  if (changed.length > 0) formsWritten();
  return changed;
}

/** Creates the `newsletter` form on first start; leaves an existing one untouched. */
export async function ensureDefaultForm(db: DB): Promise<void> {
  const now = Date.now();
  const config = formConfigSchema.parse({
    name: 'Newsletter',
    groups: ['Newsletter'],
    fields: [
      { name: 'email', type: 'email', required: true, maxLength: 254 },
      { name: 'firstName', type: 'text' },
    ],
  });
  await db
    .insertInto('forms')
    .values({ id: 'newsletter', config: JSON.stringify(config), created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  formsWritten();
}
