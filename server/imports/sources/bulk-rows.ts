// Rows of a bulk request (eSputnik's `contacts` array): each read on its own, so a bad one fails alone.
import type { PhoneOptions } from '../../contacts/phone.ts';
import type { ChunkRow } from '../plan-chunk.ts';
import { type ContactRowInput, readContactRow } from './contact-row.ts';

/** Identities named as the row wrote them: `channels.1.value` for an sms channel, `externalCustomerId`. */
function namesOf(input: ContactRowInput): Record<string, string> {
  const names: Record<string, string> = {};
  input.channels?.forEach((channel, index) => {
    const field = channel.type === 'email' ? 'email' : 'phone';
    names[field] ??= `channels.${index}.value`;
  });
  if (input.externalCustomerId !== undefined) names.externalId = 'externalCustomerId';
  return names;
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
    return { index, raw: () => raw, read: { ok: false, reason }, names: {} };
  }
  return {
    index,
    raw: () => raw,
    read: { ok: true, contact: read.contact },
    names: namesOf(read.input),
  };
}
