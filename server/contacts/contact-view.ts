// The JSON shape of a contact in API responses (camelCase, ISO times, parsed JSON columns).
import type { ContactRow, ContactStatus } from '../db/schema.ts';
import type { PhoneMeta } from './phone.ts';

export interface ContactView {
  id: number;
  email: string | null;
  phone: string | null;
  phoneMeta: PhoneMeta | null;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  address: Record<string, string> | null;
  fields: Record<string, unknown>;
  status: ContactStatus;
  source: string;
  /** Names of confirmed memberships. */
  groups: string[];
  /** Groups joined on a form whose confirmation link has not been used yet. */
  pendingGroups: string[];
  emailConfirmedAt: string | null;
  unsubscribedAt: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function toContactView(
  row: ContactRow,
  memberships: { groups: string[]; pendingGroups: string[] },
): ContactView {
  return {
    id: row.id,
    email: row.email,
    phone: row.phone,
    phoneMeta: json<PhoneMeta>(row.phone_meta),
    externalId: row.external_id,
    firstName: row.first_name,
    lastName: row.last_name,
    address: json<Record<string, string>>(row.address),
    fields: JSON.parse(row.fields),
    status: row.status,
    source: row.source,
    groups: memberships.groups,
    pendingGroups: memberships.pendingGroups,
    emailConfirmedAt: iso(row.email_confirmed_at),
    unsubscribedAt: iso(row.unsubscribed_at),
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
    deletedAt: iso(row.deleted_at),
  };
}
