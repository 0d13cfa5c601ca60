// Custom field definitions: the only writer of `field_definitions`, and of the index on each field.
import { dialectOf } from '../../db/dialect.ts';
import type { DB } from '../../db/open-database.ts';
import type { FieldDefinitionsTable } from '../../db/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { coerceFieldValue, type FieldDefinition } from '../store/field-values.ts';
import type { ChangeFieldInput, DefineFieldInput, FieldDefinitionView } from './field-resource.ts';

/** Contacts read per query while checking stored values against a definition. */
const BATCH = 1000;
/** Contacts named in a refusal; the message gives the count of the rest. */
const EXAMPLES = 3;

const toDefinition = (row: FieldDefinitionsTable): FieldDefinition => ({
  key: row.key,
  type: row.type,
  label: row.label,
  options: row.options === null ? null : (JSON.parse(row.options) as string[]),
});

const toView = (row: FieldDefinitionsTable): FieldDefinitionView => ({
  ...toDefinition(row),
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const findRow = (db: DB, key: string) =>
  db.selectFrom('field_definitions').selectAll().where('key', '=', key).executeTakeFirst();

async function getRow(db: DB, key: string): Promise<FieldDefinitionsTable> {
  const row = await findRow(db, key);
  if (!row) throw new NotFoundError(`field ${key} is not defined`);
  return row;
}

/**
 * Refuses a definition that values already stored would not fit as they are (a text `"3"` does not
 * fit a number field): every stored value of a defined field keeps fitting its definition, so
 * filters compare like with like. Deleted contacts count too (a restore brings them back).
 */
async function assertStoredValuesFit(
  db: DB,
  definition: FieldDefinition,
  field: 'type' | 'options',
): Promise<void> {
  const value = dialectOf(db).fieldValue(definition.key);
  const misfits: string[] = [];
  let count = 0;
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'fields'])
      .where((eb) => eb(value, 'is not', null))
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const stored = (JSON.parse(row.fields) as Record<string, unknown>)[definition.key];
      const checked = coerceFieldValue(definition, stored);
      if (checked.ok && JSON.stringify(checked.value) === JSON.stringify(stored)) continue;
      count++;
      if (misfits.length < EXAMPLES)
        misfits.push(
          `contact ${row.id} has ${JSON.stringify(stored)}` +
            (checked.ok ? ` (stored as ${typeof stored})` : ` (${checked.message})`),
        );
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1]?.id ?? after;
  }
  if (count === 0) return;
  const more = count > misfits.length ? `, and ${count - misfits.length} more` : '';
  throw new ValidationError([
    {
      field,
      message:
        `${count} contact(s) hold values of ${definition.key} that would not fit: ` +
        `${misfits.join('; ')}${more}; change or clear those values first`,
    },
  ]);
}

export async function listFieldDefinitions(db: DB): Promise<FieldDefinitionView[]> {
  const rows = await db.selectFrom('field_definitions').selectAll().orderBy('key').execute();
  return rows.map(toView);
}

export async function getFieldDefinition(db: DB, key: string): Promise<FieldDefinitionView> {
  return toView(await getRow(db, key));
}

/**
 * Defines a field and builds the index its filters use. Run it in a transaction: the index and the
 * definition land together or not at all.
 * @example await defineField(trx, { key: 'plan', type: 'enum', options: ['free', 'pro'] }, now)
 */
export async function defineField(
  db: DB,
  input: DefineFieldInput,
  now: number,
): Promise<FieldDefinitionView> {
  if (await findRow(db, input.key)) throw new ConflictError(`field ${input.key} is defined`);
  // Index first: on PostgreSQL building it locks out contact writes until this commits, so no
  // value can slip in between the check below and the definition taking effect.
  await dialectOf(db).createFieldIndex(db, input.key);
  const definition = {
    key: input.key,
    type: input.type,
    label: input.label ?? null,
    options: input.options ?? null,
  };
  await assertStoredValuesFit(db, definition, 'type');
  const row = await db
    .insertInto('field_definitions')
    .values({
      ...definition,
      options: definition.options && JSON.stringify(definition.options),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ConflictError(`field ${input.key} is defined`);
  return toView(row);
}

/**
 * Changes a definition's label, options or type. A new type or fewer options must still fit every
 * stored value (else a ValidationError naming `type` or `options`); values are never converted.
 */
export async function changeField(
  db: DB,
  key: string,
  change: ChangeFieldInput,
  now: number,
): Promise<FieldDefinitionView> {
  const current = toDefinition(await getRow(db, key));
  const type = change.type ?? current.type;
  if (type !== 'enum' && change.options)
    throw new ValidationError([{ field: 'options', message: 'only enum fields have options' }]);
  const options = type === 'enum' ? (change.options ?? current.options) : null;
  if (type === 'enum' && !options)
    throw new ValidationError([{ field: 'options', message: 'an enum field needs options' }]);
  const next: FieldDefinition = {
    key,
    type,
    label: change.label === undefined ? current.label : change.label,
    options,
  };
  if (type !== current.type) await assertStoredValuesFit(db, next, 'type');
  else if (JSON.stringify(options) !== JSON.stringify(current.options))
    await assertStoredValuesFit(db, next, 'options');
  const row = await db
    .updateTable('field_definitions')
    .set({
      type: next.type,
      label: next.label,
      options: next.options && JSON.stringify(next.options),
      updated_at: now,
    })
    .where('key', '=', key)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toView(row);
}

/** Removes the definition and its index; the values stay in contacts, kept as given from now on. */
export async function deleteField(db: DB, key: string): Promise<void> {
  const deleted = await db
    .deleteFrom('field_definitions')
    .where('key', '=', key)
    .executeTakeFirst();
  if (deleted.numDeletedRows === 0n) throw new NotFoundError(`field ${key} is not defined`);
  await dialectOf(db).dropFieldIndex(db, key);
}
