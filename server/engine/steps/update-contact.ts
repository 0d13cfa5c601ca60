// The update_contact step: validated changes to a contact's own columns and custom fields.
import { normalizePhone } from '../../contacts/phone.ts';
import type { DB } from '../../db/open-database.ts';
import type { ContactUpdate } from '../../db/schema.ts';
import { ValidationError } from '../../errors.ts';
import { emailSchema } from '../../subscribe/input-fields.ts';
import type { Scope } from '../expressions/cel-environment.ts';
import { interpolate } from '../expressions/templates.ts';
import type { StepHandler } from './step-input.ts';

const columns = {
  firstName: 'first_name',
  lastName: 'last_name',
  externalId: 'external_id',
} as const;

export async function applyContactUpdate(
  trx: DB,
  contactId: number,
  set: Record<string, string | number | boolean | null>,
  scope: Scope,
  now: number,
): Promise<void> {
  const contact = await trx
    .selectFrom('contacts')
    .select('fields')
    .where('id', '=', contactId)
    .executeTakeFirstOrThrow();
  const fields = JSON.parse(contact.fields) as Record<string, unknown>;
  const update: ContactUpdate = { updated_at: now };
  for (const [key, raw] of Object.entries(set)) {
    const value = typeof raw === 'string' ? interpolate(raw, scope) : raw;
    if (key.startsWith('fields.')) {
      fields[key.slice('fields.'.length)] = value;
    } else if (key === 'email') {
      const email = emailSchema.safeParse(value);
      if (!email.success)
        throw new ValidationError([{ field: 'email', message: 'must be a valid email address' }]);
      update.email = email.data;
    } else if (key === 'phone') {
      const phone = value === null ? undefined : normalizePhone(String(value));
      if (value !== null && !phone)
        throw new ValidationError([{ field: 'phone', message: 'is not a possible phone number' }]);
      update.phone = phone?.e164 ?? null;
      update.phone_meta = phone ? JSON.stringify(phone.meta) : null;
    } else if (key in columns) {
      update[columns[key as keyof typeof columns]] = value === null ? null : String(value);
    }
  }
  update.fields = JSON.stringify(fields);
  await trx.updateTable('contacts').set(update).where('id', '=', contactId).execute();
}

export const updateContact: StepHandler<'update_contact'> = (ins, { run, scope, now }) => ({
  kind: 'done',
  output: { set: Object.keys(ins.set) },
  effects: (tx) => applyContactUpdate(tx.db, run.contact_id as number, ins.set, scope, now),
});
