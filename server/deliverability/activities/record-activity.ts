// The only writer of `activities`: what happened to a mail (sent … unsubscribed), appended.
import type { DB } from '../../db/open-database.ts';
import type { ActivityAction } from '../../db/schema.ts';

export interface ActivityInput {
  action: ActivityAction;
  contactId: number | null;
  outboxId?: number | null;
  messageId?: string | null;
  /** Only for an address no contact has; a contact's address is read from its row. */
  email?: string | null;
  workflow?: string | null;
  step?: string | null;
  url?: string | null;
  detail?: Record<string, unknown> | null;
}

const toRow = (input: ActivityInput, now: number) => ({
  action: input.action,
  contact_id: input.contactId,
  outbox_id: input.outboxId ?? null,
  message_id: input.messageId ?? null,
  email: input.contactId === null ? (input.email ?? null) : null,
  workflow: input.workflow ?? null,
  step: input.step ?? null,
  url: input.url ?? null,
  detail: input.detail ? JSON.stringify(input.detail) : null,
  created_at: now,
});

/**
 * Appends activities in the caller's transaction (one statement for many: a sender's batch).
 * @example await recordActivities(trx, [{ action: 'sent', contactId: 7, outboxId: 12 }], now)
 */
export async function recordActivities(
  db: DB,
  inputs: ActivityInput[],
  now: number,
): Promise<void> {
  if (inputs.length === 0) return;
  await db
    .insertInto('activities')
    .values(inputs.map((input) => toRow(input, now)))
    .execute();
}

/** True when this mail already has an activity of `action` (for `url`, when given). */
export async function hasActivity(
  db: DB,
  outboxId: number,
  action: ActivityAction,
  url?: string,
): Promise<boolean> {
  let query = db
    .selectFrom('activities')
    .select('id')
    .where('outbox_id', '=', outboxId)
    .where('action', '=', action);
  if (url !== undefined) query = query.where('url', '=', url);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/** GDPR erasure: the contact's activities lose what they say about the person (clicked URLs). */
export async function eraseActivitiesOf(db: DB, contactId: number): Promise<void> {
  await db
    .updateTable('activities')
    .set({ url: null, detail: null, email: null })
    .where('contact_id', '=', contactId)
    .execute();
}
