// The send_confirmation step: re-sends the double opt-in mail for the contact's latest form.
import { queueConfirmation } from '../../confirm/queue-confirmation.ts';
import { findForm } from '../../forms/forms-store.ts';
import type { StepHandler } from './step-input.ts';

export const sendConfirmation: StepHandler<'send_confirmation'> = async (
  _ins,
  { ctx, run, contact, now },
) => {
  if (!contact) return { kind: 'done', output: { queued: false } };
  const token = await ctx.db
    .selectFrom('confirm_tokens')
    .select('form_type')
    .where('contact_id', '=', run.contact_id as number)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const formType = token?.form_type ?? null;
  const form = formType ? await findForm(ctx.db, formType) : undefined;
  return {
    kind: 'done',
    output: { queued: false },
    effects: async (tx) => {
      const queued = await queueConfirmation(tx, {
        contact,
        formType,
        form,
        publicUrl: ctx.publicUrl,
        timings: ctx.timings,
        now,
        logger: ctx.logger,
      });
      return { queued };
    },
  };
};
