// The subscribe verb behind both the public form endpoint and the authenticated API.
import type { Timings } from '../config.ts';
import { createConfirmToken } from '../confirm/confirm-tokens.ts';
import { renderConfirmationMail } from '../confirm/confirmation-mail.ts';
import { addContactToGroups } from '../contacts/groups.ts';
import type { NormalizedPhone } from '../contacts/phone.ts';
import {
  type SubscriberInput,
  type UpsertOptions,
  upsertSubscriber,
} from '../contacts/upsert-subscriber.ts';
import type { DB } from '../db/open-database.ts';
import type { ContactRow } from '../db/schema.ts';
import { appendEvent, contactEventParams, eventName } from '../events/append-event.ts';
import type { Form } from '../forms/form-schema.ts';
import { enqueueMail } from '../mail/outbox/enqueue-mail.ts';

export interface SubscribeInput extends Omit<SubscriberInput, 'phone'> {
  phone?: NormalizedPhone;
  groups: string[];
  /** Names the events (`subscribeFromApi-<formType>`); free text on the API. */
  formType: string | null;
  /** The form whose texts and settings apply, when one exists for the formType. */
  form: Form | undefined;
  source: string;
  consent: { ip: string | null; userAgent: string | null };
  mode: UpsertOptions['mode'];
  onIdentityConflict: UpsertOptions['onIdentityConflict'];
}

export interface SubscribeContext {
  db: DB;
  publicUrl: string;
  timings: Timings;
  now?: number;
}

export interface SubscribeResult {
  contactId: number;
  created: boolean;
  eventId: number;
  confirmationQueued: boolean;
}

/**
 * Upserts the contact, records consent, appends the subscribe event and queues the DOI mail,
 * all in one transaction.
 * @example await subscribeContact(ctx, { email: 'ann@example.com', formType: 'newsletter', ... })
 */
export async function subscribeContact(
  ctx: SubscribeContext,
  input: SubscribeInput,
): Promise<SubscribeResult> {
  const now = ctx.now ?? Date.now();
  const doubleOptIn = input.form?.doubleOptIn ?? true;
  return ctx.db.transaction().execute(async (trx) => {
    const { contact, created } = await upsertSubscriber(trx, input, {
      newStatus: doubleOptIn ? 'unconfirmed' : 'confirmed',
      source: input.source,
      mode: input.mode,
      onIdentityConflict: input.onIdentityConflict,
      now,
    });
    await addContactToGroups(trx, contact.id, input.groups);
    await trx
      .insertInto('consents')
      .values({
        contact_id: contact.id,
        kind: 'subscribe',
        form_type: input.formType,
        ip: input.consent.ip,
        user_agent: input.consent.userAgent,
        created_at: now,
      })
      .execute();
    const eventId = await appendEvent(trx, {
      type: eventName(created ? 'subscribeFromApi' : 'subscribeUpdateFromApi', input.formType),
      contactId: contact.id,
      params: contactEventParams(contact),
      now,
    });
    const confirmationQueued =
      doubleOptIn && (await queueConfirmation(trx, ctx, contact, input, now));
    return { contactId: contact.id, created, eventId, confirmationQueued };
  });
}

async function queueConfirmation(
  trx: DB,
  ctx: SubscribeContext,
  contact: ContactRow,
  input: SubscribeInput,
  now: number,
): Promise<boolean> {
  if (contact.status !== 'unconfirmed' || !contact.email) return false;
  if (!(await confirmationAllowed(trx, contact.id, ctx.timings, now))) return false;
  const { id, token } = await createConfirmToken(trx, {
    contactId: contact.id,
    email: contact.email,
    formType: input.formType,
    ttlMs: ctx.timings.confirmTokenTtlMs,
    now,
  });
  const mail = renderConfirmationMail(input.form, `${ctx.publicUrl}/confirm/${token}`);
  await enqueueMail(
    trx,
    {
      kind: 'confirmation',
      idempotencyKey: `confirm:${id}`,
      contactId: contact.id,
      to: contact.email,
      ...mail,
    },
    now,
  );
  return true;
}

/** Per-address throttle: one confirmation per cooldown, a few per day. */
async function confirmationAllowed(
  trx: DB,
  contactId: number,
  t: Timings,
  now: number,
): Promise<boolean> {
  const recent = await trx
    .selectFrom('outbox')
    .select(['created_at'])
    .where('contact_id', '=', contactId)
    .where('kind', '=', 'confirmation')
    .where('created_at', '>', now - 24 * 3600_000)
    .execute();
  if (recent.length >= t.confirmationsPerDay) return false;
  return !recent.some((r) => r.created_at > now - t.confirmationCooldownMs);
}
