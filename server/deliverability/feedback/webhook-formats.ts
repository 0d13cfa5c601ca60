// The webhook bodies Subflow reads (a generic JSON, Postmark's), as zod schemas mapped to MailFeedback.
import { z } from '@hono/zod-openapi';
import { emailSchema } from '../../subscribe/input-fields.ts';
import type { MailFeedback } from './apply-feedback.ts';

const GenericEvent = z
  .object({
    type: z.enum(['bounce', 'complaint', 'delivered']),
    email: emailSchema,
    messageId: z
      .string()
      .min(3)
      .max(998)
      .optional()
      .openapi({ description: 'The Message-ID Subflow sent the mail with, when known' }),
    bounceType: z
      .enum(['hard', 'soft'])
      .default('hard')
      .openapi({ description: 'For a bounce: hard (the address does not work) or soft' }),
    status: z.string().max(32).optional().openapi({ example: '5.1.1' }),
    diagnostic: z.string().max(2000).optional(),
  })
  .strict()
  .openapi('MailFeedbackEvent');

const GenericEventList = z.object({ events: z.array(GenericEvent).min(1).max(500) }).strict();

/** `{events: [...]}` (1–500), or one event on its own. */
export const GenericFeedbackBody = z
  .union([GenericEventList, GenericEvent])
  .openapi('MailFeedbackRequest');

/**
 * The body read as the shape it is (a list when it has `events`): the union's own error names no
 * field, so a refused body is parsed again with this to say which field was wrong.
 */
export const genericFeedbackShape = (raw: unknown) =>
  typeof raw === 'object' && raw !== null && 'events' in raw ? GenericEventList : GenericEvent;

export function fromGeneric(body: z.infer<typeof GenericFeedbackBody>): MailFeedback[] {
  const events = 'events' in body ? body.events : [body];
  return events.map((e) => ({
    type: e.type,
    email: e.email,
    messageId: e.messageId,
    bounceType: e.type === 'bounce' ? e.bounceType : undefined,
    status: e.status,
    diagnostic: e.diagnostic,
    source: 'webhook:generic',
  }));
}

/** Postmark's bounce, spam complaint and delivery webhooks (fields Subflow reads; others pass). */
export const PostmarkBody = z
  .looseObject({
    RecordType: z.string().max(64),
    Type: z.string().max(64).optional(),
    Email: emailSchema.optional(),
    Recipient: emailSchema.optional(),
    Description: z.string().max(2000).optional(),
    Details: z.string().max(2000).optional(),
  })
  .openapi('PostmarkWebhookRequest');

/** Postmark bounce types that say the address does not work. */
const POSTMARK_HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
/** Postmark "bounces" that are not about delivery at all. */
const POSTMARK_NOT_BOUNCES = new Set([
  'AutoResponder',
  'Subscribe',
  'Unsubscribe',
  'OpenRelayTest',
  'AddressChange',
  'ChallengeVerification',
]);

/**
 * One Postmark record as feedback; `undefined` for a record that is not about delivery. Postmark
 * names mail by its own MessageID, not ours, so the contact is found by address.
 */
export function fromPostmark(body: z.infer<typeof PostmarkBody>): MailFeedback | undefined {
  const email = body.Email ?? body.Recipient;
  if (!email) return undefined;
  const base = { email, source: 'webhook:postmark', diagnostic: body.Details ?? body.Description };
  if (body.RecordType === 'SpamComplaint' || body.Type === 'SpamComplaint')
    return { ...base, type: 'complaint' };
  if (body.RecordType === 'Delivery') return { ...base, type: 'delivered' };
  if (body.RecordType !== 'Bounce' || !body.Type || POSTMARK_NOT_BOUNCES.has(body.Type))
    return undefined;
  return { ...base, type: 'bounce', bounceType: POSTMARK_HARD.has(body.Type) ? 'hard' : 'soft' };
}
