// The send_email step: renders the mail and queues it in the outbox with the step's idempotency key.
import { unsubscribeUrl } from '../../confirm/unsubscribe.ts';
import { enqueueMail } from '../../mail/outbox/enqueue-mail.ts';
import { emailSchema } from '../../subscribe/input-fields.ts';
import { interpolate, renderTemplate } from '../expressions/templates.ts';
import { renderWorkflowMail } from '../mail-body.ts';
import { PermanentStepError } from '../step-errors.ts';
import type { StepHandler } from './step-input.ts';

const NOT_MAILABLE = new Set(['unsubscribed', 'bounced', 'deleted']);

export const sendEmail: StepHandler<'send_email'> = (
  ins,
  { ctx, run, step, scope, contact, now },
) => {
  const contactId = run.contact_id as number;
  if (
    !ins.to &&
    (!contact?.email || NOT_MAILABLE.has(contact.status) || contact.deleted_at !== null)
  ) {
    return {
      kind: 'done',
      output: { skipped: contact?.email ? contact.status : 'no email address' },
    };
  }
  const to = emailSchema.safeParse(ins.to ? interpolate(ins.to, scope) : contact?.email);
  if (!to.success) throw new PermanentStepError('send_email: "to" is not a valid email address');
  const mail = renderWorkflowMail({
    subject: interpolate(ins.subject, scope),
    text: ins.text === undefined ? undefined : renderTemplate(ins.text, scope),
    html: ins.html === undefined ? undefined : renderTemplate(ins.html, scope),
    unsubscribeUrl: unsubscribeUrl(ctx.publicUrl, ctx.secretKey, contactId),
  });
  const idempotencyKey = `wf:${run.id}:${ins.id}:${step.iteration}`;
  return {
    kind: 'done',
    output: { to: to.data, subject: mail.subject },
    effects: async (tx) => {
      await enqueueMail(
        tx,
        {
          kind: 'workflow',
          idempotencyKey,
          contactId,
          to: to.data,
          ...mail,
          origin: { workflow: run.workflow, step: ins.id, tracked: ins.tracking !== false },
        },
        now,
      );
    },
  };
};
