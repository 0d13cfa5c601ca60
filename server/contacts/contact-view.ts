// Contact rows to the Contact JSON, loading groups, pending groups and tags for many rows at once.
import type { DB } from '../db/open-database.ts';
import type { ContactRow } from '../db/schema.ts';
import type { ContactView } from './contact-resource.ts';
import { labelNamesOf } from './labels/labels.ts';
import { pendingGroupNamesOf } from './pending-groups.ts';
import type { PhoneMeta } from './phone.ts';

export type { ContactView } from './contact-resource.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export interface Memberships {
  groups: string[];
  pendingGroups: string[];
  tags: string[];
}

export function toContactView(row: ContactRow, memberships: Memberships): ContactView {
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
    tags: memberships.tags,
    emailConfirmedAt: iso(row.email_confirmed_at),
    unsubscribedAt: iso(row.unsubscribed_at),
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
    deletedAt: iso(row.deleted_at),
  };
}

/** Views of many rows in three queries, in the order of the rows. */
export async function loadContactViews(db: DB, rows: ContactRow[]): Promise<ContactView[]> {
  const ids = rows.map((r) => r.id);
  const [groups, pending, tags] = await Promise.all([
    labelNamesOf(db, 'group', ids),
    pendingGroupNamesOf(db, ids),
    labelNamesOf(db, 'tag', ids),
  ]);
  return rows.map((row) =>
    toContactView(row, {
      groups: groups.get(row.id) ?? [],
      pendingGroups: pending.get(row.id) ?? [],
      tags: tags.get(row.id) ?? [],
    }),
  );
}

export async function loadContactView(db: DB, row: ContactRow): Promise<ContactView> {
  return (await loadContactViews(db, [row]))[0] as ContactView;
}
