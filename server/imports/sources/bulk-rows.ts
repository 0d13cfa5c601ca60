// Rows of a bulk request (eSputnik's `contacts` array): each read on its own, so a bad one fails alone.
import type { PhoneOptions } from '../../contacts/phone.ts';
import type { ChunkRow } from '../plan-chunk.ts';
import { type ContactRowInput, readContactRow } from './contact-row.ts';

/** Identities named as the row wrote them: `channels.1.value` for an sms channel, `externalCustomerId`. */
function namesOf(input: ContactRowInput): (field: string) => string {
  const channel = (type: 'email' | 'sms') =>
    input.channels?.findIndex((c) => c.type === type) ?? -1;
  return (field) => {
    const type = field === 'email' ? 'email' : field === 'phone' ? 'sms' : undefined;
    const index = type ? channel(type) : -1;
    if (index >= 0) return `channels.${index}.value`;
    if (field === 'externalId' && input.externalCustomerId !== undefined)
      return 'externalCustomerId';
    return field;
  };
}

/**
 * One contact of a bulk request, read as POST /contacts reads one (both shapes).
 * @example readBulkRow({ channels: [{ type: 'email', value: 'x' }] }, 0, {}).read // { ok: false, reason: 'channels.0.value: …' }
 */
export function readBulkRow(raw: unknown, index: number, phone: PhoneOptions): ChunkRow {
  const read = readContactRow(raw, phone);
  if (!read.ok) {
    const reason = read.issues
      .map((i) => `${i.field === '(body)' ? '(contact)' : i.field}: ${i.message}`)
      .join('; ');
    return { index, raw, read: { ok: false, reason }, nameOf: (f) => f };
  }
  return { index, raw, read: { ok: true, contact: read.contact }, nameOf: namesOf(read.input) };
}
