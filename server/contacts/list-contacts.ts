// Lists contacts by filters that compose (AND), newest first, in keyset pages of their JSON views.
import type { Expression, ExpressionBuilder, RawBuilder, SqlBool } from 'kysely';
import {
  type DialectCapabilities,
  dialectOf,
  FIELD_KEY,
  type PhoneMetaKey,
} from '../db/dialect.ts';
import type { DB } from '../db/open-database.ts';
import type { ContactStatus, Database, FieldType } from '../db/schema.ts';
import { type FieldIssue, ValidationError } from '../errors.ts';
import { toPage } from '../http/pagination.ts';
import { type ContactView, loadContactViews } from './contact-view.ts';
import { fieldDefinitionsFor } from './store/field-values.ts';

/** Filters as the caller gave them, already normalized (email lower-cased, phone in E.164). */
export interface ContactFilters {
  email?: string;
  phone?: string;
  externalId?: string;
  /** Absent: every status but `deleted` (deleted contacts are out of lists). */
  status?: ContactStatus;
  /** A group's name, or its id when the text is a number (a group named so matches too). */
  group?: string;
  tag?: string;
  source?: string;
  /** `field.<key>=<text>`: the text is read as the field's defined type; keys match FIELD_KEY. */
  fields?: [key: string, text: string][];
  /** `meta.<key>=<text>`: only contacts with a phone. */
  meta?: [key: PhoneMetaKey, text: string][];
}

/** How each phone metadata value is stored, to compare texts the way fields are compared. */
const metaTypes: Record<PhoneMetaKey, FieldType> = {
  isPossible: 'boolean',
  isValid: 'boolean',
  isBlocked: 'boolean',
  type: 'text',
  country: 'text',
  msisdn: 'text',
};

type Where = ExpressionBuilder<Database, 'contacts'>;

/** What a filter on a JSON value compares with: the SQL expression and the values that match. */
type JsonMatch = [value: RawBuilder<unknown>, matches: unknown[]];

/**
 * The `field.<key>` and `meta.<key>` filters as comparisons; a text the value's type cannot hold
 * (`field.seats=abc` on a number field, `meta.isValid=yes`) is a 422 naming the filter.
 */
async function jsonMatches(
  db: DB,
  dialect: DialectCapabilities,
  filters: ContactFilters,
): Promise<JsonMatch[]> {
  const fields = filters.fields ?? [];
  const issues: FieldIssue[] = [];
  for (const [key] of fields)
    if (!FIELD_KEY.test(key))
      issues.push({ field: `field.${key}`, message: 'a field key is 1-64 of A-Z a-z 0-9 _ -' });
  if (issues.length > 0) throw new ValidationError(issues);
  const definitions = await fieldDefinitionsFor(db, [...new Set(fields.map(([key]) => key))]);
  const typeOf = new Map(definitions.map((d) => [d.key, d.type]));
  const matches: JsonMatch[] = [];
  const compare = (
    name: string,
    value: RawBuilder<unknown>,
    type: FieldType | undefined,
    text: string,
  ) => {
    const values = dialect.fieldFilterValues(type, text);
    if (values.length === 0)
      issues.push({
        field: name,
        message: type === 'boolean' ? 'must be true or false' : `must be a ${type}`,
      });
    matches.push([value, values]);
  };
  for (const [key, text] of fields)
    compare(`field.${key}`, dialect.fieldValue(key), typeOf.get(key), text);
  for (const [key, text] of filters.meta ?? [])
    compare(`meta.${key}`, dialect.phoneMetaValue(key), metaTypes[key], text);
  if (issues.length > 0) throw new ValidationError(issues);
  return matches;
}

/** The one `where` of a contact list: every given filter, joined with AND. */
function contactsWhere(eb: Where, filters: ContactFilters, json: JsonMatch[]): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [];
  if (filters.email !== undefined) all.push(eb('contacts.email', '=', filters.email));
  if (filters.phone !== undefined) all.push(eb('contacts.phone', '=', filters.phone));
  if (filters.externalId !== undefined)
    all.push(eb('contacts.external_id', '=', filters.externalId));
  if (filters.source !== undefined) all.push(eb('contacts.source', '=', filters.source));
  all.push(
    filters.status === undefined
      ? eb('contacts.status', '<>', 'deleted')
      : eb('contacts.status', '=', filters.status),
  );
  if (filters.group !== undefined) {
    const name = filters.group;
    const id = /^\d{1,15}$/.test(name) ? Number(name) : undefined;
    all.push(
      eb.exists(
        eb
          .selectFrom('contact_groups')
          .innerJoin('groups', 'groups.id', 'contact_groups.group_id')
          .select('contact_groups.group_id')
          .whereRef('contact_groups.contact_id', '=', 'contacts.id')
          .where((g) =>
            id === undefined
              ? g('groups.name', '=', name)
              : g.or([g('groups.name', '=', name), g('groups.id', '=', id)]),
          ),
      ),
    );
  }
  if (filters.tag !== undefined) {
    all.push(
      eb.exists(
        eb
          .selectFrom('contact_tags')
          .innerJoin('tags', 'tags.id', 'contact_tags.tag_id')
          .select('contact_tags.tag_id')
          .whereRef('contact_tags.contact_id', '=', 'contacts.id')
          .where('tags.name', '=', filters.tag),
      ),
    );
  }
  if (filters.meta?.length) all.push(eb('contacts.phone', 'is not', null));
  // One value compares with =, so an index on (value, id) also gives the page its order.
  for (const [value, matches] of json)
    all.push(matches.length === 1 ? eb(value, '=', matches[0]) : eb(value, 'in', matches));
  return eb.and(all);
}

/**
 * A page of contacts matching every filter, newest first; `before` is the last id of the page
 * before (the cursor). Views load in three queries for the whole page.
 * @example await listContacts(db, { group: 'Customers', fields: [['plan', 'pro']] }, { limit: 100 })
 */
export async function listContacts(
  db: DB,
  filters: ContactFilters,
  page: { before?: number; limit: number },
): Promise<{ items: ContactView[]; nextCursor: string | null }> {
  const dialect = dialectOf(db);
  const json = await jsonMatches(db, dialect, filters);
  let query = db
    .selectFrom('contacts')
    .selectAll()
    .where((eb) => contactsWhere(eb, filters, json))
    .orderBy('contacts.id', 'desc')
    .limit(page.limit + 1);
  if (page.before !== undefined) query = query.where('contacts.id', '<', page.before);
  const { items, nextCursor } = toPage(await query.execute(), page.limit, (row) => row);
  return { items: await loadContactViews(db, items), nextCursor };
}
