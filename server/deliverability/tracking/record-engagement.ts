// An open or a click of a tracked mail: recorded as an activity, and the first of its kind as an event.
import { findContactById, isErased } from '../../contacts/store/contact-rows.ts';
import { type VerbContext, withTransaction } from '../../db/unit-of-work.ts';
import { appendEvent, contactEventParams } from '../../events/append-event.ts';
import { hasActivity, recordActivities } from '../activities/record-activity.ts';

const EVENTS = { opened: 'emailOpened', clicked: 'emailClicked' } as const;

/**
 * Records that the mail in outbox row `outboxId` was opened, or that its link `url` was followed.
 * Every one is an activity (the totals); only the first open of a mail, and the first click of
 * each of its links, appends `emailOpened` / `emailClicked` (key: the contact id; params
 * `MessageId`, `Url`, `Workflow`, `Step` besides the contact's), so a `wait_for` is resumed once
 * and a mail client that loads images on every view does not flood the event log. Returns false
 * when the mail is not known any more (nothing is recorded).
 * @example await recordEngagement(ctx, { kind: 'clicked', outboxId: 12, url: 'https://shop.example/a', now })
 */
export function recordEngagement(
  ctx: VerbContext,
  input: { kind: 'opened' | 'clicked'; outboxId: number; url?: string; now: number },
): Promise<boolean> {
  return withTransaction(ctx, async (tx) => {
    const mail = await tx.db
      .selectFrom('outbox')
      .select(['id', 'contact_id', 'message_id', 'workflow', 'step'])
      .where('id', '=', input.outboxId)
      .executeTakeFirst();
    if (!mail) return false;
    const contact =
      mail.contact_id === null ? undefined : await findContactById(tx.db, mail.contact_id);
    // A click after the erasure is counted, but the URL (which may name the person) is not kept.
    const url = contact && isErased(contact) ? undefined : input.url;
    const first = !(await hasActivity(tx.db, mail.id, input.kind, url));
    await recordActivities(
      tx.db,
      [
        {
          action: input.kind,
          contactId: mail.contact_id,
          outboxId: mail.id,
          messageId: mail.message_id,
          workflow: mail.workflow,
          step: mail.step,
          url: url ?? null,
        },
      ],
      input.now,
    );
    if (!first || !contact || contact.deleted_at !== null) return true;
    await appendEvent(tx, {
      type: EVENTS[input.kind],
      contactId: contact.id,
      params: {
        ...contactEventParams(contact),
        MessageId: mail.message_id,
        ...(input.url === undefined ? {} : { Url: input.url }),
        Workflow: mail.workflow,
        Step: mail.step,
      },
      now: input.now,
    });
    return true;
  });
}
