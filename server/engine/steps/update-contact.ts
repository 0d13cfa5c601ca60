// The update_contact step: validated changes to a contact's own data and custom fields.
import { type ContactPatch, patchContact } from '../../contacts/patch-contact.ts';
import { normalizePhone } from '../../contacts/phone.ts';
import type { DB } from '../../db/open-database.ts';
import { ValidationError } from '../../errors.ts';
import { emailSchema } from '../../subscribe/input-fields.ts';
import type { Scope } from '../expressions/cel-environment.ts';
import { interpolate } from '../expressions/templates.ts';
import type { StepHandler } from './step-input.ts';

type Value = string | number | boolean | null;

const text = (value: Value) => (value === null ? null : String(value));

/** The step's `set` (templates rendered) as a patch; a bad email or phone names its key. */
function patchOf(set: Record<string, Value>, scope: Scope): ContactPatch {
  const patch: ContactPatch = {};
  const fields: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(set)) {
    const value = typeof raw === 'string' ? interpolate(raw, scope) : raw;
    if (key.startsWith('fields.')) fields[key.slice('fields.'.length)] = value;
    else if (key === 'email') {
      const email = value === null ? undefined : emailSchema.safeParse(value);
      if (email && !email.success)
        throw new ValidationError([{ field: 'email', message: 'must be a valid email address' }]);
      patch.email = email ? email.data : null;
    } else if (key === 'phone') {
      const phone = value === null ? null : normalizePhone(String(value));
      if (phone === undefined)
        throw new ValidationError([{ field: 'phone', message: 'is not a possible phone number' }]);
      patch.phone = phone;
    } else if (key === 'firstName') patch.firstName = text(value);
    else if (key === 'lastName') patch.lastName = text(value);
    else if (key === 'externalId') patch.externalId = text(value);
  }
  if (Object.keys(fields).length > 0) patch.fields = fields;
  return patch;
}

export async function applyContactUpdate(
  trx: DB,
  contactId: number,
  set: Record<string, Value>,
  scope: Scope,
  now: number,
): Promise<void> {
  await patchContact(trx, contactId, patchOf(set, scope), now);
}

export const updateContact: StepHandler<'update_contact'> = (ins, { run, scope, now }) => ({
  kind: 'done',
  output: { set: Object.keys(ins.set) },
  effects: (tx) => applyContactUpdate(tx.db, run.contact_id as number, ins.set, scope, now),
});
