// The subscribe verb behind both the public form endpoint and the authenticated API.

import type { Timings } from '../config.ts';
import { queueConfirmation } from '../confirm/queue-confirmation.ts';
import { recordConsent } from '../contacts/consents.ts';
import { addContactToGroups } from '../contacts/groups.ts';
import type { NormalizedPhone } from '../contacts/phone.ts';
import {
  type SubscriberInput,
  type UpsertOptions,
  upsertSubscriber,
} from '../contacts/upsert-subscriber.ts';
import { type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { appendEvent, contactEventParams, eventName } from '../events/append-event.ts';
import type { Form } from '../forms/form-schema.ts';

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

export interface SubscribeContext extends VerbContext {
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
  return withTransaction(ctx, async (tx) => {
    const trx = tx.db;
    const { contact, created } = await upsertSubscriber(trx, input, {
      newStatus: doubleOptIn ? 'unconfirmed' : 'confirmed',
      source: input.source,
      mode: input.mode,
      onIdentityConflict: input.onIdentityConflict,
      now,
    });
    await addContactToGroups(trx, contact.id, input.groups);
    await recordConsent(trx, {
      contactId: contact.id,
      kind: 'subscribe',
      formType: input.formType,
      ip: input.consent.ip,
      userAgent: input.consent.userAgent,
      now,
    });
    const eventId = await appendEvent(tx, {
      type: eventName(created ? 'subscribeFromApi' : 'subscribeUpdateFromApi', input.formType),
      contactId: contact.id,
      params: contactEventParams(contact),
      now,
    });
    const confirmationQueued =
      doubleOptIn &&
      (await queueConfirmation(tx, {
        contact,
        formType: input.formType,
        form: input.form,
        publicUrl: ctx.publicUrl,
        timings: ctx.timings,
        now,
        isNewContact: created,
      }));
    return { contactId: contact.id, created, eventId, confirmationQueued };
  });
}
