// One row of any source read as a contact: the same schema and rules as POST /contacts, per row.
import { z } from '@hono/zod-openapi';
import { contactInputShape, type ReadContact, readContact } from '../../contacts/contact-input.ts';
import type { PhoneOptions } from '../../contacts/phone.ts';
import { type FieldIssue, ValidationError } from '../../errors.ts';
import { zodIssues } from '../../http/error-handler.ts';

const ContactRowSchema = z.object(contactInputShape).strict();
export type ContactRowInput = z.infer<typeof ContactRowSchema>;

/**
 * A row's contact, or the issues that keep it from being one (named as the row wrote them).
 * @example readContactRow({ email: 'ann@example.com' }, {}) // { ok: true, contact: { email: … } }
 */
export function readContactRow(
  candidate: unknown,
  phone: PhoneOptions,
):
  | { ok: true; input: ContactRowInput; contact: ReadContact }
  | { ok: false; issues: FieldIssue[] } {
  const parsed = ContactRowSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  try {
    return { ok: true, input: parsed.data, contact: readContact(parsed.data, phone) };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { ok: false, issues: err.issues };
  }
}
