// The subscribe verb behind both the public form endpoint and the authenticated API.

import type { Timings } from '../config.ts';
import { queueConfirmationMail } from '../confirm/queue-confirmation.ts';
import { recordConsent } from '../contacts/consents.ts';
import { addLabels } from '../contacts/labels/labels.ts';
import { addPendingGroups, groupsNotJoined } from '../contacts/pending-groups.ts';
import type { NormalizedPhone } from '../contacts/phone.ts';
import { checkFieldValues } from '../contacts/store/field-values.ts';
import {
  type ContactInput,
  fillContact,
  type SubscriberFills,
  type UpsertOptions,
  upsertContact,
} from '../contacts/upsert-contact.ts';
import type { ContactRow } from '../db/schema.ts';
import { type Tx, type VerbContext, withTransaction } from '../db/unit-of-work.ts';
import { appendEvent, contactEventParams, eventName } from '../events/append-event.ts';
import type { Form } from '../forms/form-schema.ts';
import type { Logger } from '../logger.ts';

export interface SubscribeInput extends Omit<ContactInput, 'phone'> {
  phone?: NormalizedPhone;
  groups: string[];
  /** Names the events (`subscribeFromApi-<formType>`); free text on the API. */
  formType: string | null;
  /** The form whose texts and settings apply, when one exists for the formType. */
  form: Form | undefined;
  source: string;
  consent: { ip: string | null; userAgent: string | null };
  /**
   * `overwrite`: an authenticated caller, who vouches for the data and the groups.
   * `fill`: an anonymous post, which changes an existing contact only through a confirmation.
   */
  mode: UpsertOptions['mode'];
}

export interface SubscribeContext extends VerbContext {
  publicUrl: string;
  timings: Timings;
  logger: Logger;
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
 * all in one transaction. Under double opt-in, consent is per form: an anonymous post's groups wait
 * (pending) for that form's link, and so does whatever it typed for an existing contact.
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
    // What an anonymous post typed for an existing contact waits on the confirmation link: checked
    // (and read as each field's type) now, so a wrong value is a 422 whether or not the address
    // exists, and confirming never fails on it.
    const fields =
      input.mode === 'fill' && input.fields
        ? await checkFieldValues(trx, input.fields)
        : input.fields;
    const { contact, created } = await upsertContact(
      trx,
      { ...input, fields },
      {
        newStatus: doubleOptIn ? 'unconfirmed' : 'confirmed',
        // Without double opt-in there is no link to wait for: the form's owner chose so.
        restoreDeleted: !doubleOptIn,
        source: input.source,
        mode: input.mode,
        now,
      },
    );
    const waits = doubleOptIn && input.mode === 'fill';
    const fills: SubscriberFills | undefined =
      created || input.mode === 'overwrite' ? undefined : fillsOf({ ...input, fields });
    // Without double opt-in there is no confirmation to wait for: the form's owner chose so.
    if (!doubleOptIn && fills) await fillContact(trx, contact, fills, now);
    if (!waits) await addLabels(trx, 'group', [contact.id], input.groups, now);
    const pendingGroupIds = waits
      ? await groupsNotJoined(trx, { id: contact.id, created }, input.groups, now)
      : [];
    if (pendingGroupIds.length > 0 && input.formType)
      await addPendingGroups(trx, {
        contactId: contact.id,
        formType: input.formType,
        groupIds: pendingGroupIds,
        now,
      });
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
      needsConfirmation(contact, pendingGroupIds.length > 0) &&
      (await mailConfirmation(tx, ctx, input, contact, fills, now));
    return { contactId: contact.id, created, eventId, confirmationQueued };
  });
}

/**
 * New, unconfirmed, unsubscribed and deleted addresses need this form's confirmation (a deleted
 * contact comes back only through its link); a confirmed one only when it would join groups it is
 * not in yet. A bounced address gets no more mail.
 */
function needsConfirmation(contact: ContactRow, joinsGroups: boolean): boolean {
  if (contact.status === 'confirmed') return joinsGroups;
  return ['unconfirmed', 'unsubscribed', 'deleted'].includes(contact.status);
}

function mailConfirmation(
  tx: Tx,
  ctx: SubscribeContext,
  input: SubscribeInput,
  contact: ContactRow,
  fills: SubscriberFills | undefined,
  now: number,
): Promise<boolean> {
  return queueConfirmationMail(tx, {
    contact,
    formType: input.formType,
    form: input.form,
    publicUrl: ctx.publicUrl,
    timings: ctx.timings,
    logger: ctx.logger,
    now,
    fills,
    // upsertContact locked the mailbox of the address posted, which is this contact's when equal.
    mailboxLocked: input.email !== undefined && input.email === contact.email,
  });
}

function fillsOf(input: SubscribeInput): SubscriberFills | undefined {
  const fills: SubscriberFills = {
    firstName: input.firstName,
    lastName: input.lastName,
    address: input.address,
    fields: input.fields && Object.keys(input.fields).length > 0 ? input.fields : undefined,
  };
  const given = Object.entries(fills).filter(([, v]) => v !== undefined);
  return given.length > 0 ? (Object.fromEntries(given) as SubscriberFills) : undefined;
}
