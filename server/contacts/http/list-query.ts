// The query of GET /contacts read into filters: fixed keys, `field.<key>`, `meta.<key>`, nothing else.
import type { z } from '@hono/zod-openapi';
import { PHONE_META_KEYS, type PhoneMetaKey } from '../../db/dialect.ts';
import { type FieldIssue, ValidationError } from '../../errors.ts';
import { emailSchema } from '../../subscribe/input-fields.ts';
import type { ContactFilters } from '../list-contacts.ts';
import { normalizePhone } from '../phone.ts';
import { ListContactsQuery } from './contact-schemas.ts';

const fixedKeys = new Set(Object.keys(ListContactsQuery.shape));
const isMetaKey = (key: string): key is PhoneMetaKey =>
  (PHONE_META_KEYS as readonly string[]).includes(key);

/** Metadata texts as stored: country and type upper-case, the MSISDN without a `+`. */
function metaText(key: PhoneMetaKey, text: string): string {
  if (key === 'country' || key === 'type') return text.trim().toUpperCase();
  if (key === 'msisdn') return text.trim().replace(/^\+/, '');
  return text.trim();
}

/**
 * Filters from the validated fixed keys and the raw query. An unknown key is a 422 rather than
 * ignored, so a misspelt filter never answers with every contact.
 * @example readListFilters({ 'field.plan': 'pro' }, { limit: 100 }) // { fields: [['plan', 'pro']] }
 */
export function readListFilters(
  raw: Record<string, string>,
  query: z.infer<typeof ListContactsQuery>,
): ContactFilters {
  const issues: FieldIssue[] = [];
  const filters: ContactFilters = { fields: [], meta: [] };
  for (const [name, text] of Object.entries(raw)) {
    if (fixedKeys.has(name)) continue;
    if (name.startsWith('field.')) filters.fields?.push([name.slice('field.'.length), text]);
    else if (name.startsWith('meta.') && isMetaKey(name.slice('meta.'.length))) {
      const key = name.slice('meta.'.length) as PhoneMetaKey;
      filters.meta?.push([key, metaText(key, text)]);
    } else if (name.startsWith('meta.'))
      issues.push({ field: name, message: `phone metadata keys: ${PHONE_META_KEYS.join(', ')}` });
    else
      issues.push({
        field: name,
        message: `unknown filter; use ${[...fixedKeys].join(', ')}, field.<key> or meta.<key>`,
      });
  }
  if (query.email !== undefined) {
    const email = emailSchema.safeParse(query.email);
    if (email.success) filters.email = email.data;
    else issues.push({ field: 'email', message: 'must be a valid email address' });
  }
  if (query.phone !== undefined) {
    const phone = normalizePhone(query.phone, { defaultCountry: query.defaultCountry });
    if (phone) filters.phone = phone.e164;
    else issues.push({ field: 'phone', message: 'is not a possible phone number' });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const { externalId, status, group, tag, source } = query;
  return { ...filters, externalId, status, group, tag, source };
}
